import type { BarSeries } from '../core/bars.js';
import type { BacktestConfigInput } from '../core/config.js';
import { resolveConfig } from '../core/config.js';
import type { BarsFingerprint } from '../core/result.js';
import type { BacktestResult } from './backtest-result.js';
import { isSplitSet, type OutOfSampleSplit, outOfSampleIndex } from './out-of-sample.js';
import { runPrepared } from './run-backtest.js';

/** What {@link runModelBacktest} needs. */
export interface RunModelOptions {
  readonly bars: BarSeries;
  /** Path of the ONNX policy, recorded as given. */
  readonly modelPath: string;
  readonly config?: Partial<Omit<BacktestConfigInput, 'strategy'>>;
  readonly fingerprint?: BarsFingerprint;
  /** Split the run into in-sample and out-of-sample parts, as `runBacktest` does. */
  readonly outOfSample?: OutOfSampleSplit | undefined;
}

/**
 * Backtests an ONNX policy. The ONNX runtime is imported here, on first use, so commands that
 * use no model never pay for loading it. The model's SHA-256 is kept with the result.
 *
 * @example
 * const result = await runModelBacktest({ bars, modelPath: 'models/rl_symbols/GOOG_1Day.onnx' });
 */
export async function runModelBacktest(options: RunModelOptions): Promise<BacktestResult> {
  const { loadOnnxPolicy } = await import('../strategies/onnx/index.js');
  const policy = await loadOnnxPolicy(options.modelPath);
  try {
    const config = resolveConfig({
      ...options.config,
      strategy: { name: 'onnx', params: { model: options.modelPath } },
    });
    return await runPrepared(options.bars, policy.createStrategy(), config, {
      model: { path: options.modelPath, sha256: policy.sha256 },
      ...(options.fingerprint === undefined ? {} : { fingerprint: options.fingerprint }),
      ...(isSplitSet(options.outOfSample)
        ? {
            outOfSample: {
              fromIndex: outOfSampleIndex(options.bars, options.outOfSample),
              strategy: policy.createStrategy(),
            },
          }
        : {}),
    });
  } finally {
    await policy.release();
  }
}
