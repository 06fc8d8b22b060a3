/**
 * What `run --all` and the child process that runs its models send each other, over an IPC
 * channel with `serialization: 'advanced'` (structured clone: Float64Arrays, ±Infinity and NaN
 * arrive intact).
 */
import type { BarColumns } from '../../core/bars.js';
import type { BacktestConfigInput } from '../../core/config.js';
import type { BacktestResultData } from '../../core/result.js';
import type { Timeframe } from '../../core/timeframe.js';

/** Parent → child: backtest this model on these bars. */
export interface ModelRunRequest {
  readonly type: 'run';
  readonly modelPath: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly columns: BarColumns;
  readonly config?: Partial<Omit<BacktestConfigInput, 'strategy'>>;
}

/**
 * A run's result without what the parent already has: the bars (the equity curve's times are the
 * bars' times) and their fingerprint, which the parent computes only if it is read.
 */
export type ModelRunData = Omit<BacktestResultData, 'bars' | 'equityCurve' | 'symbol' | 'timeframe'> & {
  readonly equity: Float64Array;
};

/** Child → parent. `ready` once, when the child has loaded; then one answer per request. */
export type ModelProcessMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly data: ModelRunData }
  | { readonly type: 'error'; readonly message: string };
