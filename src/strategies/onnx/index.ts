export { EXAMPLE_MODEL_SPECS, writeExampleModels } from './example-models.js';
export {
  type LoadOnnxPolicyOptions,
  loadOnnxPolicy,
  type OnnxPolicy,
  type PolicyDecisions,
} from './load-onnx-policy.js';
export {
  DEFAULT_MODEL_CONTRACT,
  decisionFromOutput,
  fillObservations,
  type ModelContract,
  ModelMetadataKey,
  ModelOutputKind,
  readModelContract,
  scaledReturns,
} from './model-contract.js';
export { assertNotExportableModel, describeExportableModel, MODEL_CONTRACT_PATH } from './non-onnx-model.js';
export { createOnnxStrategy, type OnnxModelIdentity, type OnnxModelStrategy, onnxStrategy } from './onnx-strategy.js';
export { parseModelFileName } from './parse-model-file-name.js';
export { type DenseLayer, type OnnxModelSpec, writeOnnxModel } from './write-onnx-model.js';
