/**
 * A run's returns on a coarse time grid shared by every run of a sweep, so that combinatorially
 * symmetric cross-validation (`cscv.ts`) can compare configurations period by period long after
 * the bars are gone.
 *
 * The grid is defined on the bar returns of a series of `n` bars (`n − 1` returns, from bar 0's
 * close to bar n−1's, as `barReturns` counts them): consecutive groups of `barsPerPeriod`
 * returns, the last group possibly shorter. Every run of a sweep has the same bars, so the same
 * grid; it is a function of the bar count alone.
 */
import { ConfigError } from '../core/errors.js';

/** Most periods a grid has: about 16 kB of float64 per run. */
export const MAX_GRID_PERIODS = 2_000;

/** How a series' bar returns are grouped into periods. */
export interface PeriodGrid {
  /** Bar returns per period (the last period may have fewer). */
  readonly barsPerPeriod: number;
  /** Number of periods: `ceil((bars − 1) / barsPerPeriod)`. */
  readonly periodCount: number;
}

/**
 * The grid for a series of `barCount` bars: the fewest bars per period that leave at most
 * `maxPeriods` periods, `ceil((barCount − 1) / maxPeriods)`.
 *
 * @example
 * periodGridFor(20_001); // { barsPerPeriod: 10, periodCount: 2000 }
 * periodGridFor(100);    // { barsPerPeriod: 1, periodCount: 99 }
 */
export function periodGridFor(barCount: number, maxPeriods: number = MAX_GRID_PERIODS): PeriodGrid {
  if (!Number.isSafeInteger(barCount) || barCount < 0) {
    throw new ConfigError(`bar count is ${barCount}; it must be a whole number of 0 or more`);
  }
  if (!Number.isSafeInteger(maxPeriods) || maxPeriods < 1) {
    throw new ConfigError(`maxPeriods is ${maxPeriods}; it must be a whole number of 1 or more`);
  }
  const returns = Math.max(0, barCount - 1);
  const barsPerPeriod = Math.max(1, Math.ceil(returns / maxPeriods));
  return { barsPerPeriod, periodCount: Math.ceil(returns / barsPerPeriod) };
}

/**
 * The return of each period of `grid`, compounded from the per-bar returns of `equity` (one
 * point per bar): period p runs from bar `p·k`'s close to bar `min((p+1)·k, n−1)`'s, so its
 * return is `equity[end] / equity[start] − 1`, the product of its bar returns (an account at 0
 * stays at 0: a period that starts with nothing returns 0, as `barReturns` counts 0 → 0).
 *
 * @example
 * periodReturns(new Float64Array([100, 110, 99, 99]), { barsPerPeriod: 2, periodCount: 2 });
 * // Float64Array [-0.01, 0]
 */
export function periodReturns(equity: Float64Array, grid: PeriodGrid): Float64Array {
  const { barsPerPeriod: k, periodCount } = grid;
  const last = equity.length - 1;
  const barReturnCount = Math.max(0, last);
  if (!Number.isSafeInteger(k) || k < 1 || Math.ceil(barReturnCount / k) !== periodCount) {
    throw new ConfigError(
      `a grid of ${periodCount} periods of ${k} bars does not fit an equity curve of ${equity.length} points (${barReturnCount} bar returns)`,
    );
  }
  const out = new Float64Array(periodCount);
  for (let p = 0; p < periodCount; p++) {
    const start = equity[p * k] as number;
    const end = equity[Math.min((p + 1) * k, last)] as number;
    out[p] = start === 0 && end === 0 ? 0 : end / start - 1;
  }
  return out;
}
