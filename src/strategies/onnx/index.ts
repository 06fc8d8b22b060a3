export { EXAMPLE_MODEL_SPECS, writeExampleModels } from './example-models.js';
export {
  type LoadOnnxPolicyOptions,
  loadOnnxPolicy,
  type OnnxPolicy,
  type OnnxValueInfo,
  type PolicyDecisions,
  type PolicyStrategyOptions,
} from './load-onnx-policy.js';
export {
  actionFromOutput,
  DecisionMode,
  DEFAULT_MODEL_CONTRACT,
  decisionFromOutput,
  decisionOfAction,
  fillObservations,
  type ModelContract,
  ModelMetadataKey,
  ModelOutputKind,
  PolicyAction,
  readModelContract,
  scaledReturns,
} from './model-contract.js';
export {
  assertNotExportableModel,
  describeExportableModel,
  EXPORTER_PATH,
  exportCommand,
  MODEL_CONTRACT_PATH,
} from './non-onnx-model.js';
export { createOnnxStrategy, type OnnxModelIdentity, type OnnxModelStrategy, onnxStrategy } from './onnx-strategy.js';
export { parseModelFileName } from './parse-model-file-name.js';
export { type DenseLayer, type OnnxModelSpec, writeOnnxModel } from './write-onnx-model.js';
export {
  type AccountState,
  describeCatalogue,
  describeFeatureSpec,
  FEATURE_NAMES,
  type FeatureName,
  type FeatureNorm,
  type FeatureSpec,
  featureSpec,
  featureSpecToJson,
  ObservationRows,
  parseFeatureSpecs,
} from '../features/index.js';
