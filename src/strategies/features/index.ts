export { type AccountState, accountFeatureValue, computeFeatureSeries } from './feature-series.js';
export {
  describeCatalogue,
  describeFeatureSpec,
  FEATURE_NAMES,
  type FeatureName,
  type FeatureNorm,
  type FeatureSpec,
  featureSpec,
  featureSpecToJson,
  MAX_FEATURE_WINDOW,
  MAX_OBSERVATION_WIDTH,
  parseFeatureSpecs,
  type PriceColumn,
} from './feature-spec.js';
export { normalise, ObservationRows } from './observation-rows.js';
