/**
 * What `backtest overfit` stores with a sweep, and the per-run returns it reads: database-neutral
 * shapes (each store keeps the arrays as packed little-endian float64).
 */
import { ConfigError, StoreError } from '../core/errors.js';
import { decodeFloat64, encodeFloat64 } from './float64-codec.js';

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

/** The columns of `sweep_overfit` after `sweep_id`, in the order {@link sweepOverfitValues} gives them. */
export const SWEEP_OVERFIT_COLUMNS = [
  'computed_ms',
  'metric',
  'blocks',
  'configurations',
  'periods',
  'splits',
  'pbo',
  'slope',
  'intercept',
  'r_squared',
  'probability_of_loss',
  'logits',
  'in_sample',
  'out_of_sample',
] as const;

/**
 * The values of a sweep's `sweep_overfit` row, the same for every store: the sweep id, then
 * {@link SWEEP_OVERFIT_COLUMNS}; a `ConfigError` for an empty sweep id or per-split arrays that
 * are not `splits` long.
 */
export function sweepOverfitValues(sweepId: string, overfit: SweepOverfit): unknown[] {
  if (typeof sweepId !== 'string' || sweepId.trim() === '') {
    throw new ConfigError('sweep id is empty; name the sweep the result belongs to');
  }
  const { logits, inSample, outOfSample, splits } = overfit;
  if (logits.length !== splits || inSample.length !== splits || outOfSample.length !== splits) {
    throw new ConfigError(
      `overfitting result of sweep ${sweepId}: ${splits} splits but ${logits.length} logits, ${inSample.length} in-sample and ${outOfSample.length} out-of-sample values; they must match`,
    );
  }
  return [
    sweepId,
    overfit.computedMs,
    overfit.metric,
    overfit.blocks,
    overfit.configurations,
    overfit.periods,
    splits,
    overfit.pbo,
    overfit.slope,
    overfit.intercept,
    overfit.rSquared,
    overfit.probabilityOfLoss,
    encodeFloat64(logits),
    encodeFloat64(inSample),
    encodeFloat64(outOfSample),
  ];
}

/** A `sweep_overfit` row as either store returns it (PostgreSQL may give `computed_ms` as text). */
export interface SweepOverfitRow {
  computed_ms: number | string;
  metric: string;
  blocks: number;
  configurations: number;
  periods: number;
  splits: number;
  pbo: number;
  slope: number | null;
  intercept: number | null;
  r_squared: number | null;
  probability_of_loss: number;
  logits: Uint8Array;
  in_sample: Uint8Array;
  out_of_sample: Uint8Array;
}

/**
 * A stored overfitting result from its row, the same for every store; a `StoreError` naming
 * `location` when a per-split column is not `splits` float64 values.
 *
 * @example
 * const overfit = sweepOverfitFromRow(row, 'sweep-1', store.location);
 */
export function sweepOverfitFromRow(row: SweepOverfitRow, sweepId: string, location: string): SweepOverfit {
  const decode = (bytes: unknown): Float64Array => {
    const values = bytes instanceof Uint8Array ? decodeFloat64(bytes) : undefined;
    if (values?.length !== row.splits) {
      throw new StoreError(
        `database ${location}: the per-split values of the overfitting result of sweep ${sweepId} are corrupt (wrong length)`,
      );
    }
    return values;
  };
  return {
    computedMs: Number(row.computed_ms),
    metric: row.metric,
    blocks: row.blocks,
    configurations: row.configurations,
    periods: row.periods,
    splits: row.splits,
    pbo: row.pbo,
    slope: row.slope,
    intercept: row.intercept,
    rSquared: row.r_squared,
    probabilityOfLoss: row.probability_of_loss,
    logits: decode(row.logits),
    inSample: decode(row.in_sample),
    outOfSample: decode(row.out_of_sample),
  };
}
