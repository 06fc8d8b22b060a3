import type { BarSeries } from '../../core/bars.js';
import { ConfigError } from '../../core/errors.js';
import type { Direction, ParamValue, Strategy, StrategyContext, StrategyDefinition } from '../../core/strategy.js';
import { loadOnnxPolicy, type PolicyDecisions, PreparedPolicyStrategy } from './load-onnx-policy.js';

/** Identity of the model an {@link OnnxModelStrategy} ran, known once `prepare` has loaded it. */
export interface OnnxModelIdentity {
  /** The path as given in the `model` parameter. */
  readonly path: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  readonly sha256: string;
}

/**
 * The strategy the `onnx` definition creates: it loads the model in `prepare`, decides the
 * whole series in batches, releases the runtime session and then answers `onBar` by lookup.
 *
 * @example
 * const strategy = onnxStrategy.create({ model: 'models/rl_symbols/GOOG_1Day.onnx' }) as OnnxModelStrategy;
 * await strategy.prepare(bars);
 * strategy.model?.sha256;
 */
export interface OnnxModelStrategy extends Strategy {
  prepare(bars: BarSeries): Promise<void>;
  /** The model that was loaded; `undefined` before `prepare` finishes. */
  readonly model: OnnxModelIdentity | undefined;
}

class OnnxFileStrategy implements OnnxModelStrategy {
  model: OnnxModelIdentity | undefined;
  private readonly path: string;
  private readonly prepared: PreparedPolicyStrategy;

  constructor(path: string) {
    this.path = path;
    this.prepared = new PreparedPolicyStrategy((bars) => this.decide(bars), path);
  }

  prepare(bars: BarSeries): Promise<void> {
    return this.prepared.prepare(bars);
  }

  onBar(context: StrategyContext): Direction | undefined {
    return this.prepared.onBar(context);
  }

  private async decide(bars: BarSeries): Promise<PolicyDecisions> {
    const policy = await loadOnnxPolicy(this.path);
    try {
      const decisions = await policy.decide(bars);
      this.model = { path: this.path, sha256: policy.sha256 };
      return decisions;
    } finally {
      await policy.release();
    }
  }
}

/**
 * Creates the strategy for one model file without going through parameters; loading waits
 * for `prepare`.
 *
 * @example
 * const strategy = createOnnxStrategy('models/rl_symbols/EURUSD_1Hour.onnx');
 */
export function createOnnxStrategy(modelPath: string): OnnxModelStrategy {
  return new OnnxFileStrategy(modelPath);
}

function modelParam(params: Readonly<Record<string, ParamValue>>): string | undefined {
  const model = params.model;
  return typeof model === 'string' && model.trim() !== '' ? model : undefined;
}

/**
 * An ONNX policy file as a strategy like any other: name `onnx`, one parameter `model`
 * (path to the `.onnx` file). The observation, output and position handling come from the
 * model's own metadata (see `MODEL-CONTRACT.md`), not from parameters. Loading happens in the
 * strategy's async `prepare`, so `create` never touches the file.
 *
 * @example
 * const strategy = onnxStrategy.create({ model: 'models/rl_symbols/GOOG_1Day.onnx' });
 */
export const onnxStrategy: StrategyDefinition = {
  name: 'onnx',
  description: 'Decisions from an ONNX policy file (observation and output declared in its metadata)',
  params: [{ name: 'model', type: 'string', default: '', description: 'Path to the .onnx policy file' }],
  check: (params) =>
    modelParam(params) === undefined ? 'model is required: the path to an .onnx policy file' : undefined,
  create(params) {
    const model = modelParam(params);
    if (model === undefined) {
      throw new ConfigError('strategy onnx: parameter model is required: the path to an .onnx policy file');
    }
    return createOnnxStrategy(model);
  },
};
