/**
 * What `backtest overfit` stores with a sweep, and the per-run returns it reads: database-neutral
 * shapes (each store keeps the arrays as packed little-endian float64).
 */

/** One run's returns on its sweep's period grid. */
export interface RunPeriodReturns {
  /** The run's id. */
  readonly id: number;
  /** The run's parameters as stored (canonical JSON), or `null` for a run without them. */
  readonly strategyParamsJson: string | null;
  /** One return per period (fractions). */
  readonly returns: Float64Array;
}

/**
 * The probability of backtest overfitting of a sweep and what it was computed from (see
 * `cscv` in src/metrics/cscv.ts for the method and its conventions). One per sweep: computing
 * it again replaces it.
 */
export interface SweepOverfit {
  /** When it was computed, unix ms. */
  readonly computedMs: number;
  /** The performance measure: `sharpe_ratio` (per period) or `total_return` (a fraction). */
  readonly metric: string;
  /** S, the number of blocks the periods were cut into. */
  readonly blocks: number;
  /** N, the runs compared. */
  readonly configurations: number;
  /** T, the periods of each run. */
  readonly periods: number;
  /** C(S, S/2), the train/test splits. */
  readonly splits: number;
  /** Probability of backtest overfitting: the share of splits with logit ≤ 0. */
  readonly pbo: number;
  /** OLS slope of out-of-sample on in-sample performance of each split's in-sample winner. */
  readonly slope: number | null;
  readonly intercept: number | null;
  readonly rSquared: number | null;
  /** The share of splits in which the in-sample winner loses out of sample (performance below 0). */
  readonly probabilityOfLoss: number;
  /** The logit λ of each split. */
  readonly logits: Float64Array;
  /** The in-sample performance of each split's in-sample winner. */
  readonly inSample: Float64Array;
  /** Its out-of-sample performance. */
  readonly outOfSample: Float64Array;
}
