import { StrategyError } from '../../core/errors.js';
import type { Direction } from '../../core/strategy.js';
import { type FeatureSpec, featureSpec, parseFeatureSpecs } from '../features/feature-spec.js';

/**
 * Numeric traps in this module: a close of 0 makes the next return infinite, so rows whose
 * window holds a non-finite return get no observation (hold) instead of feeding NaN to the
 * model. Returns are computed in float64 and rounded to float32 only when stored.
 */

/** How the model's output tensor is read: class scores, or a target position. */
export const ModelOutputKind = { Discrete: 'discrete', Target: 'target' } as const;
export type ModelOutputKind = (typeof ModelOutputKind)[keyof typeof ModelOutputKind];

/**
 * The `metadata_props` keys a model may set to declare its contract. Every key is optional;
 * {@link DEFAULT_MODEL_CONTRACT} gives the value used when a key is absent. Any other key
 * starting with `backtest.` is rejected, so a typo cannot silently fall back to a default.
 *
 * @example
 * const metadata = { [ModelMetadataKey.Window]: '32', [ModelMetadataKey.Output]: 'target' };
 */
export const ModelMetadataKey = {
  /** Number of past returns in the observation, whole number 1..4096. */
  Window: 'backtest.window',
  /** Factor applied to each simple return (100 = percent), finite and > 0. */
  Scale: 'backtest.scale',
  /** `true`: the current position (−1, 0, 1) is appended as the last feature. */
  Position: 'backtest.position',
  /** `discrete` or `target`. */
  Output: 'backtest.output',
  /** `true`: "sell" (discrete) or a low target goes short instead of flat. */
  AllowShort: 'backtest.allow_short',
  /** Target-output threshold in [0, 1). */
  Threshold: 'backtest.threshold',
  /** Name of the graph input to feed; needed only when the model has several inputs. */
  InputName: 'backtest.input_name',
  /** Name of the graph output to read; needed only when the model has several outputs. */
  OutputName: 'backtest.output_name',
  /**
   * The observation as an ordered JSON list of catalogued features (see `MODEL-CONTRACT.md`);
   * replaces `backtest.window`, `backtest.scale` and `backtest.position`.
   */
  Features: 'backtest.features',
} as const;
export type ModelMetadataKey = (typeof ModelMetadataKey)[keyof typeof ModelMetadataKey];

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(ModelMetadataKey));
const MAX_WINDOW = 4096;

/**
 * A model's observation and output contract after metadata and defaults are combined.
 *
 * @example
 * const contract = readModelContract({ 'backtest.window': '8' }, 'GOOG_1Day.onnx');
 * contract.featureCount; // 8
 */
export interface ModelContract {
  /**
   * The first bar with an observation: `W`, the number of returns, for a `backtest.window`
   * model; the longest warm-up plus lags for a `backtest.features` model.
   */
  readonly window: number;
  /** Factor applied to each return (100 = percent) of a `backtest.window` model; 1 with features. */
  readonly scale: number;
  /** Whether the current position is part of the observation. */
  readonly positionInput: boolean;
  /**
   * The observation, feature by feature. A `backtest.window` model gets its equivalent:
   * `return` of close with `W` lags and its scale, then `position` when observed.
   */
  readonly features: readonly FeatureSpec[];
  /** Whether the model declared `backtest.features` (false: the features come from `backtest.window`). */
  readonly declaresFeatures: boolean;
  /**
   * How decisions are computed: `batched` (no state feature), `position` (the position is the only
   * state feature: every bar is evaluated for −1, 0 and 1 in batches) or `stepped` (P&L or cash is
   * observed: rows are evaluated as the engine steps, in speculative batches).
   */
  readonly decisionMode: DecisionMode;
  readonly output: ModelOutputKind;
  /** Whether "sell" / a low target means short (true) or flat (false). */
  readonly allowShort: boolean;
  /** Target-output threshold: above it long, below its negative short or flat, else flat. */
  readonly threshold: number;
  /** Graph input declared in metadata, or `undefined` for "the model's only input". */
  readonly inputName: string | undefined;
  /** Graph output declared in metadata, or `undefined` for "the model's only output". */
  readonly outputName: string | undefined;
  /** Columns per row, `F`: `W`, or `W + 1` with the position; the features' total width otherwise. */
  readonly featureCount: number;
  /** Width of the output row: 3 for discrete, 1 for target. */
  readonly outputWidth: number;
}

/**
 * How a model's decisions are computed, from the state features it observes.
 *
 * @example
 * readModelContract({}, 'm.onnx').decisionMode; // 'batched'
 */
export const DecisionMode = { Batched: 'batched', Position: 'position', Stepped: 'stepped' } as const;
export type DecisionMode = (typeof DecisionMode)[keyof typeof DecisionMode];

/** The features a `backtest.window` contract stands for. */
function windowFeatures(window: number, scale: number, position: boolean): FeatureSpec[] {
  const returns = featureSpec({ feature: 'return', column: 'close', window: 1, lags: window, scale });
  return position ? [returns, featureSpec({ feature: 'position' })] : [returns];
}

/**
 * The contract of a model whose metadata declares nothing.
 *
 * @example
 * DEFAULT_MODEL_CONTRACT.window; // 16
 */
export const DEFAULT_MODEL_CONTRACT: ModelContract = {
  window: 16,
  scale: 100,
  positionInput: false,
  features: windowFeatures(16, 100, false),
  declaresFeatures: false,
  decisionMode: DecisionMode.Batched,
  output: ModelOutputKind.Discrete,
  allowShort: false,
  threshold: 0.5,
  inputName: undefined,
  outputName: undefined,
  featureCount: 16,
  outputWidth: 3,
};

/**
 * Reads a model's contract from its `metadata_props`, filling in defaults.
 *
 * @param source the model file, put at the start of error messages
 * @throws StrategyError naming the file and the key when a value is invalid or a `backtest.*`
 *   key is unknown
 *
 * @example
 * readModelContract({ 'backtest.output': 'target', 'backtest.allow_short': 'true' }, 'm.onnx');
 */
export function readModelContract(metadata: Readonly<Record<string, string>>, source: string): ModelContract {
  const fail = (key: string, expected: string): never => {
    throw new StrategyError(`${source}: metadata ${key}="${metadata[key]}" is invalid; expected ${expected}`);
  };
  for (const key of Object.keys(metadata)) {
    if (key.startsWith('backtest.') && !KNOWN_KEYS.has(key)) {
      throw new StrategyError(`${source}: unknown metadata key ${key}; known keys are ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  const text = (key: ModelMetadataKey): string | undefined => {
    const value = metadata[key];
    return value === undefined ? undefined : value.trim();
  };
  const number = (key: ModelMetadataKey, fallback: number): number => {
    const value = text(key);
    if (value === undefined) return fallback;
    return value === '' ? Number.NaN : Number(value);
  };
  const flag = (key: ModelMetadataKey, fallback: boolean): boolean => {
    const value = text(key)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    return fail(key, 'true or false');
  };
  const name = (key: ModelMetadataKey): string | undefined => {
    const value = text(key);
    if (value === '') fail(key, 'a graph input or output name');
    return value;
  };

  const threshold = number(ModelMetadataKey.Threshold, DEFAULT_MODEL_CONTRACT.threshold);
  if (!(threshold >= 0 && threshold < 1)) fail(ModelMetadataKey.Threshold, 'a number ≥ 0 and < 1');
  const outputText = text(ModelMetadataKey.Output)?.toLowerCase() ?? DEFAULT_MODEL_CONTRACT.output;
  if (outputText !== ModelOutputKind.Discrete && outputText !== ModelOutputKind.Target) {
    fail(ModelMetadataKey.Output, 'discrete or target');
  }
  const output = outputText as ModelOutputKind;
  const common = {
    output,
    allowShort: flag(ModelMetadataKey.AllowShort, DEFAULT_MODEL_CONTRACT.allowShort),
    threshold,
    inputName: name(ModelMetadataKey.InputName),
    outputName: name(ModelMetadataKey.OutputName),
    outputWidth: output === ModelOutputKind.Discrete ? 3 : 1,
  };

  const featuresText = metadata[ModelMetadataKey.Features];
  if (featuresText !== undefined) {
    const replaced = [ModelMetadataKey.Window, ModelMetadataKey.Scale, ModelMetadataKey.Position].filter(
      (key) => metadata[key] !== undefined,
    );
    if (replaced.length > 0) {
      throw new StrategyError(
        `${source}: metadata ${ModelMetadataKey.Features} replaces ${replaced.join(' and ')}; remove ${replaced.length === 1 ? 'it' : 'them'} (a window of returns is {"feature": "return", "lags": W, "scale": 100})`,
      );
    }
    const features = parseFeatureSpecs(featuresText, source);
    return {
      window: features.reduce((first, spec) => Math.max(first, spec.state ? 0 : spec.warmUp + spec.lags - 1), 0),
      scale: 1,
      positionInput: features.some((spec) => spec.feature === 'position'),
      features,
      declaresFeatures: true,
      decisionMode: decisionModeOf(features),
      featureCount: features.reduce((sum, spec) => sum + spec.width, 0),
      ...common,
    };
  }

  const window = number(ModelMetadataKey.Window, DEFAULT_MODEL_CONTRACT.window);
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) {
    fail(ModelMetadataKey.Window, `a whole number from 1 to ${MAX_WINDOW}`);
  }
  const scale = number(ModelMetadataKey.Scale, DEFAULT_MODEL_CONTRACT.scale);
  if (!Number.isFinite(scale) || scale <= 0) fail(ModelMetadataKey.Scale, 'a finite number > 0 (100 = percent)');
  const positionInput = flag(ModelMetadataKey.Position, DEFAULT_MODEL_CONTRACT.positionInput);

  return {
    window,
    scale,
    positionInput,
    features: windowFeatures(window, scale, positionInput),
    declaresFeatures: false,
    decisionMode: positionInput ? DecisionMode.Position : DecisionMode.Batched,
    featureCount: window + (positionInput ? 1 : 0),
    ...common,
  };
}

function decisionModeOf(features: readonly FeatureSpec[]): DecisionMode {
  const state = features.filter((spec) => spec.state).map((spec) => spec.feature);
  if (state.some((feature) => feature !== 'position')) return DecisionMode.Stepped;
  return state.length > 0 ? DecisionMode.Position : DecisionMode.Batched;
}

/**
 * Scaled simple returns of close: `returns[j] = (close[j] / close[j−1] − 1) × scale` for
 * j ≥ 1, and NaN at j = 0 where no previous close exists.
 *
 * @example
 * scaledReturns(new Float64Array([100, 101, 99.99]), 100); // [NaN, 1, -1] (up to rounding)
 */
export function scaledReturns(close: Float64Array, scale: number): Float64Array {
  const returns = new Float64Array(close.length);
  if (close.length > 0) returns[0] = Number.NaN;
  for (let j = 1; j < close.length; j++) returns[j] = (close[j]! / close[j - 1]! - 1) * scale;
  return returns;
}

/**
 * Writes the observation rows of a `backtest.window` contract (the policy itself builds rows
 * from `contract.features` with `ObservationRows`, which covers both kinds of contract) for
 * bars `start..start+rows−1` into `features` (row-major,
 * `contract.featureCount` per row) and marks in `valid` which rows are real observations.
 * Feature k (0-based) of the row for bar i is `returns[i − k]`: the newest return first,
 * the oldest (`returns[i − W + 1]`) last, then the position when the contract includes it.
 * A row is valid when i ≥ W and all W returns are finite; invalid rows are zero-filled.
 *
 * @example
 * fillObservations(scaledReturns(bars.close, 100), contract, 16, 8192, 0, features, valid);
 */
export function fillObservations(
  returns: Float64Array,
  contract: ModelContract,
  start: number,
  rows: number,
  position: Direction,
  features: Float32Array,
  valid: Uint8Array,
): void {
  const window = contract.window;
  const width = contract.featureCount;
  for (let row = 0; row < rows; row++) {
    const bar = start + row;
    const offset = row * width;
    let ok = bar >= window;
    if (ok) {
      for (let k = 0; k < window; k++) {
        const value = returns[bar - k]!;
        if (!Number.isFinite(value)) {
          ok = false;
          break;
        }
        features[offset + k] = value;
      }
    }
    if (ok) {
      if (contract.positionInput) features[offset + window] = position;
    } else {
      features.fill(0, offset, offset + width);
    }
    valid[row] = ok ? 1 : 0;
  }
}

/**
 * What a model said for one bar, before it becomes a position: `hold`, `buy`, `sell` for
 * discrete output; `long`, `flat`, `short` for target output (`short` is read as flat when
 * short selling is not allowed); `none` when the bar has no observation (warm-up, a value that
 * is not finite) and `nan` when the output holds a NaN. `none`, `nan` and `hold` keep the position.
 *
 * @example
 * decisionOfAction(PolicyAction.Sell, false); // 0
 */
export const PolicyAction = {
  None: 'none',
  Hold: 'hold',
  Buy: 'buy',
  Sell: 'sell',
  Long: 'long',
  Flat: 'flat',
  Short: 'short',
  NaN: 'nan',
} as const;
export type PolicyAction = (typeof PolicyAction)[keyof typeof PolicyAction];

/**
 * Reads one output row as an action:
 *
 * - discrete: argmax of (hold, buy, sell), ties to the lower index;
 * - target: `v > threshold` → long; `v < −threshold` → short; otherwise flat;
 * - any NaN in the row → `nan`.
 *
 * @example
 * actionFromOutput(contract, new Float32Array([0.1, 0.7, 0.2]), 0); // 'buy'
 */
export function actionFromOutput(contract: ModelContract, output: ArrayLike<number>, offset: number): PolicyAction {
  if (contract.output === ModelOutputKind.Target) {
    const value = output[offset]!;
    if (Number.isNaN(value)) return PolicyAction.NaN;
    if (value > contract.threshold) return PolicyAction.Long;
    if (value < -contract.threshold) return PolicyAction.Short;
    return PolicyAction.Flat;
  }
  const hold = output[offset]!;
  const buy = output[offset + 1]!;
  const sell = output[offset + 2]!;
  if (Number.isNaN(hold) || Number.isNaN(buy) || Number.isNaN(sell)) return PolicyAction.NaN;
  if (buy > hold && buy >= sell) return PolicyAction.Buy;
  if (sell > hold && sell > buy) return PolicyAction.Sell;
  return PolicyAction.Hold;
}

/**
 * The position an action asks for: buy and long → 1; sell and short → −1 when `allowShort`,
 * else 0; flat → 0; hold, none and nan → `undefined` (keep the position).
 *
 * @example
 * decisionOfAction('short', true); // -1
 */
export function decisionOfAction(action: PolicyAction, allowShort: boolean): Direction | undefined {
  switch (action) {
    case PolicyAction.Buy:
    case PolicyAction.Long:
      return 1;
    case PolicyAction.Sell:
    case PolicyAction.Short:
      return allowShort ? -1 : 0;
    case PolicyAction.Flat:
      return 0;
    default:
      return undefined;
  }
}

/**
 * Turns one output row into a decision: `undefined` keeps the current position.
 *
 * - discrete: argmax of (hold, buy, sell), ties to the lower index; hold → keep, buy → long,
 *   sell → short when `allowShort`, else flat.
 * - target: `v > threshold` → long; `v < −threshold` → short when `allowShort`, else flat;
 *   otherwise flat.
 * - Any NaN in the row → keep.
 *
 * @example
 * decisionFromOutput(contract, new Float32Array([0.1, 0.7, 0.2]), 0); // 1
 */
export function decisionFromOutput(
  contract: ModelContract,
  output: ArrayLike<number>,
  offset: number,
): Direction | undefined {
  return decisionOfAction(actionFromOutput(contract, output, offset), contract.allowShort);
}
