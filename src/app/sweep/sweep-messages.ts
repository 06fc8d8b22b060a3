/**
 * What the sweep's main thread and its worker threads send each other. Everything here
 * survives structured clone: plain objects, numbers (including ±Infinity) and Float64Arrays.
 */
import type { BarColumns } from '../../core/bars.js';
import type { BacktestConfig } from '../../core/config.js';
import type { BarsFingerprint } from '../../core/result.js';
import type { ParamValue } from '../../core/strategy.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { PeriodGrid } from '../../metrics/index.js';
import type { BacktestInput, PreparedBacktest, WalkForwardLink } from '../../store/index.js';

/** Handed to each worker once, at start: the bars (copied) and everything shared by all runs. */
export interface SweepWorkerData {
  /** A built-in strategy name or an absolute path to a strategy module. */
  readonly strategy: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly columns: BarColumns;
  readonly fingerprint: BarsFingerprint;
  /** Every setting but the strategy; checked on the main thread already. */
  readonly config: Omit<BacktestConfig, 'strategy'>;
  readonly sweepId: string;
  readonly notes?: string;
  /**
   * Split every run at bar `fromIndex` (`--oos-from`, `--oos-fraction`): the fingerprints of the
   * in-sample and out-of-sample bars, hashed once on the main thread.
   */
  readonly outOfSample?: {
    readonly fromIndex: number;
    readonly inSample: BarsFingerprint;
    readonly outOfSample: BarsFingerprint;
  };
  /** The sweep's period grid: each run's returns on it go with its save input (`periodReturns`). */
  readonly periodGrid: PeriodGrid;
  /**
   * When set, the worker prepares each result for storage itself (validated, trades and curves
   * packed into bytes; linked to a walk-forward group when `walkForward` is given) and answers
   * with a {@link PreparedJobOutcome}: a few byte arrays cross to the main thread instead of
   * thousands of trade objects, and the main thread only writes them (distributed workers).
   */
  readonly prepare?: { readonly walkForward?: WalkForwardLink | undefined } | undefined;
}

/** Main thread → worker: run these parameter sets. */
export interface SweepBatchRequest {
  readonly type: 'batch';
  readonly jobs: readonly SweepJob[];
}

/** One parameter set to run, with its position in the plan. */
export interface SweepJob {
  readonly index: number;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** A run that failed, and why. */
export interface SweepJobFailure {
  readonly index: number;
  readonly error: string;
  readonly input?: undefined;
  readonly prepared?: undefined;
}

/**
 * How one run ended: its save input (equity curve already downsampled, period returns on the
 * sweep's grid), or why it failed.
 */
export type SweepJobOutcome =
  | { readonly index: number; readonly input: BacktestInput; readonly error?: undefined; readonly prepared?: undefined }
  | SweepJobFailure;

/** How one run ended when the worker prepares results (`SweepWorkerData.prepare`). */
export type PreparedJobOutcome =
  | {
      readonly index: number;
      readonly prepared: PreparedBacktest;
      readonly error?: undefined;
      readonly input?: undefined;
    }
  | SweepJobFailure;

/**
 * Worker → main thread. The worker runs jobs one at a time in the order they were sent:
 * `ready` once its strategy has loaded, then `started` and `result` for each job (the main
 * thread times each job from its `started`). `fatal` means it cannot run anything (its strategy
 * did not load).
 */
export type SweepWorkerMessage<Outcome = SweepJobOutcome> =
  | { readonly type: 'ready' }
  | { readonly type: 'started'; readonly index: number }
  | { readonly type: 'result'; readonly outcome: Outcome }
  | { readonly type: 'fatal'; readonly message: string };
