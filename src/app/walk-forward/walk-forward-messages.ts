/**
 * What a walk-forward's main thread hands its worker threads. The messages themselves are the
 * sweep's (`../sweep/sweep-messages.ts`): the workers are driven by the same pool.
 */
import type { BarColumns } from '../../core/bars.js';
import type { BacktestConfig } from '../../core/config.js';
import type { BarsFingerprint } from '../../core/result.js';
import type { Timeframe } from '../../core/timeframe.js';

/**
 * Handed to each worker once. Job `j` runs configuration `j % configCount` on the training span
 * of `windows[floor(j / configCount)]`: the jobs are every configuration of the first window,
 * then of the second, and so on.
 */
export interface WalkForwardWorkerData {
  /** A built-in strategy name or an absolute path to a strategy module. */
  readonly strategy: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Every bar (copied for this worker); windows are index ranges into them. */
  readonly columns: BarColumns;
  /** Every setting but the strategy. */
  readonly config: Omit<BacktestConfig, 'strategy'>;
  /** The windows that have training bars, in job order. */
  readonly windows: readonly {
    /** The window's index in the walk-forward. */
    readonly index: number;
    /** First training bar and one past the last. */
    readonly from: number;
    readonly to: number;
    /** The training bars' fingerprint, hashed once on the main thread. */
    readonly fingerprint: BarsFingerprint;
  }[];
  readonly configCount: number;
  /**
   * When the training runs are saved: the group they belong to (and notes). Otherwise the worker
   * answers each job with its metrics only.
   */
  readonly save?: { readonly groupId: string; readonly notes?: string | undefined } | undefined;
}
