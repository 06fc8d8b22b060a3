/**
 * Return and risk statistics of an equity curve: total return, CAGR, annualized volatility,
 * Sharpe and Sortino ratios.
 *
 * Numeric traps:
 * - Per-bar returns are undefined after a bar whose equity is zero or negative (a blown-up
 *   account), so every return-based statistic is `null` for such a curve instead of NaN. The
 *   one exception is a return from exactly 0 to exactly 0, which is 0 (no change), not 0/0:
 *   a run that ran out of money ends in a tail of zeros (the engine's out-of-money rule), and
 *   its returns are −100 % into the first zero and 0 after it.
 * - Variance is accumulated in one pass around a shift (the first return), which keeps the
 *   textbook sum-of-squares formula from cancelling catastrophically when returns are tiny
 *   and nearly equal; a flat curve still gives a variance of exactly 0.
 * - A curve whose returns are all equal up to rounding has a tiny, non-zero std, so its Sharpe
 *   ratio is huge rather than `null`; only an exactly zero std counts as "no variance".
 */
import { type EquityScan, scanEquity } from './equity-scan.js';

/** One year in milliseconds: 365.25 days, the average calendar year. */
export const YEAR_MS = 365.25 * 86_400_000;

/**
 * How many bars fit in a year at the data's own average spacing:
 * `ppy = (n − 1) × YEAR_MS / (timeMs[n−1] − timeMs[0])`.
 * Trading-day bars give about 252, calendar-day bars 365.25, hourly forex about 6,200.
 * `null` with fewer than two bars or a non-increasing span.
 *
 * @example
 * periodsPerYear(new Float64Array([0, 86_400_000, 172_800_000])); // 365.25
 */
export function periodsPerYear(timeMs: Float64Array): number | null {
  const n = timeMs.length;
  if (n < 2) return null;
  const spanMs = (timeMs[n - 1] as number) - (timeMs[0] as number);
  if (!(spanMs > 0)) return null;
  return ((n - 1) * YEAR_MS) / spanMs;
}

/**
 * Length of the data in years: `(timeMs[n−1] − timeMs[0]) / YEAR_MS`; 0 with fewer than two bars.
 *
 * @example
 * spanYears(new Float64Array([0, YEAR_MS * 2])); // 2
 */
export function spanYears(timeMs: Float64Array): number {
  const n = timeMs.length;
  if (n < 2) return 0;
  return ((timeMs[n - 1] as number) - (timeMs[0] as number)) / YEAR_MS;
}

/**
 * Total return in percent: `(final / initial − 1) × 100`.
 *
 * @example
 * totalReturnPct(100, 121); // 21
 */
export function totalReturnPct(initial: number, final: number): number {
  return (final / initial - 1) * 100;
}

/**
 * Compound annual growth rate in percent per year: `((final / initial)^(1 / years) − 1) × 100`.
 * `null` when `years` is 0 (a single bar); −100 when `final <= 0` (the account is gone).
 * A very short span with a large gain can overflow to `Infinity`.
 *
 * @example
 * cagrPct(100, 121, 2); // 10
 */
export function cagrPct(initial: number, final: number, years: number): number | null {
  if (!(years > 0)) return null;
  if (final <= 0) return -100;
  return ((final / initial) ** (1 / years) - 1) * 100;
}

/**
 * Buy-and-hold return in percent: `(lastClose / firstClose − 1) × 100`; `null` when the first close is 0.
 *
 * @example
 * buyAndHoldReturnPct(50, 60); // 20
 */
export function buyAndHoldReturnPct(firstClose: number, lastClose: number): number | null {
  // A first close of 0 is valid data (a worthless instrument) but gives no finite return.
  if (!(firstClose > 0)) return null;
  return (lastClose / firstClose - 1) * 100;
}

/**
 * Per-bar simple returns of an equity curve: `r[k−1] = equity[k] / equity[k−1] − 1` for
 * k = 1..n−1, so the result has n−1 entries (none for a single point). A return from 0 to 0 is
 * 0 (an account out of money stays at 0), as in {@link scanEquity}.
 *
 * @example
 * barReturns(new Float64Array([100, 110, 99])); // [0.1, -0.1]
 */
export function barReturns(equity: Float64Array): Float64Array {
  const n = equity.length;
  const out = new Float64Array(n > 0 ? n - 1 : 0);
  for (let k = 1; k < n; k++) {
    const prev = equity[k - 1] as number;
    const e = equity[k] as number;
    out[k - 1] = prev === 0 && e === 0 ? 0 : e / prev - 1;
  }
  return out;
}

/**
 * The per-bar rate equivalent to an annual risk-free rate: `(1 + rf)^(1 / ppy) − 1`.
 *
 * @example
 * riskFreePerBar(0.02, 252); // ≈ 0.0000786
 */
export function riskFreePerBar(riskFreeRate: number, periodsPerYear: number): number {
  if (riskFreeRate === 0) return 0;
  // expm1/log1p is the same formula without the rounding loss of (1 + tiny)^(tiny) − 1.
  return Math.expm1(Math.log1p(riskFreeRate) / periodsPerYear);
}

/** First and second moments of a set of per-bar returns, gathered in one pass. */
export interface ReturnSummary {
  /** Number of returns. */
  readonly count: number;
  /** Mean return per bar, fraction (0 with no returns). */
  readonly mean: number;
  /** Sample standard deviation (n − 1 denominator), fraction; 0 with fewer than two returns. */
  readonly sampleStd: number;
  /** `sqrt(Σ min(0, r − rfPerBar)² / count)`, fraction; 0 with no returns. */
  readonly downsideDev: number;
  /** The per-bar risk-free rate the downside deviation was measured against. */
  readonly rfPerBar: number;
}

function finishSummary(
  count: number,
  shift: number,
  sumShifted: number,
  sumShiftedSq: number,
  sumDownSq: number,
  rfPerBar: number,
): ReturnSummary {
  if (count === 0) return { count, mean: 0, sampleStd: 0, downsideDev: 0, rfPerBar };
  const mean = shift + sumShifted / count;
  let sampleStd = 0;
  if (count > 1) {
    const variance = (sumShiftedSq - (sumShifted * sumShifted) / count) / (count - 1);
    // Rounding can push a zero variance a hair below 0.
    sampleStd = variance > 0 ? Math.sqrt(variance) : 0;
  }
  return { count, mean, sampleStd, downsideDev: Math.sqrt(sumDownSq / count), rfPerBar };
}

/**
 * Mean, sample std and downside deviation of a returns array, in one pass. `null` when the
 * returns are not finite or so large that their squares overflow.
 *
 * @example
 * summarizeReturns(new Float64Array([0.1, -0.1]), 0)?.sampleStd; // ≈ 0.1414
 */
export function summarizeReturns(returns: Float64Array, rfPerBar: number): ReturnSummary | null {
  const m = returns.length;
  const shift = m > 0 ? (returns[0] as number) : 0;
  let s1 = 0;
  let s2 = 0;
  let down4 = 0;
  for (let i = 0; i < m; i++) {
    const r = returns[i] as number;
    const d = r - shift;
    s1 += d;
    s2 += d * d;
    // Branch-free 4·min(0, x)², as in scanEquity, so both give bit-identical results.
    const x = r - rfPerBar;
    const neg = x - Math.abs(x);
    down4 += neg * neg;
  }
  const down = down4 * 0.25;
  if (!Number.isFinite(s1 + s2 + down + shift)) return null;
  return finishSummary(m, shift, s1, s2, down, rfPerBar);
}

/**
 * The same summary as {@link summarizeReturns} of `barReturns(equity)`, computed straight from
 * the curve in one pass without allocating the returns. `null` when a return is undefined (some
 * equity point before the last is zero or negative, unless it and every later point are exactly
 * 0), not finite, or its square overflows.
 *
 * @example
 * summarizeEquityReturns(new Float64Array([100, 110, 99]), 0)?.mean; // ≈ 0
 */
export function summarizeEquityReturns(equity: Float64Array, rfPerBar: number): ReturnSummary | null {
  return summarizeScan(scanEquity(equity, rfPerBar));
}

/**
 * The return summary held in an {@link EquityScan}, so one scan can feed both the return and
 * the drawdown statistics. `null` under the same conditions as {@link summarizeEquityReturns}.
 *
 * @example
 * summarizeScan(scanEquity(equity, rfPerBar));
 */
export function summarizeScan(scan: EquityScan): ReturnSummary | null {
  if (!scan.returnsDefined) return null;
  // Any NaN, infinity or overflow ends up in the sums; checking once keeps the scan lean.
  if (!Number.isFinite(scan.sumShifted + scan.sumShiftedSq + scan.sumDownsideSq + scan.shift)) return null;
  return finishSummary(
    scan.returnCount,
    scan.shift,
    scan.sumShifted,
    scan.sumShiftedSq,
    scan.sumDownsideSq,
    scan.rfPerBar,
  );
}

/**
 * Annualized volatility in percent: `sampleStd(r) × sqrt(ppy) × 100`.
 * `null` with fewer than two returns or no `ppy`.
 *
 * @example
 * volatilityPctFromSummary(summarizeReturns(returns, 0), 252);
 */
export function volatilityPctFromSummary(summary: ReturnSummary | null, periodsPerYear: number | null): number | null {
  if (summary === null || periodsPerYear === null || summary.count < 2) return null;
  return nanToNull(summary.sampleStd * Math.sqrt(periodsPerYear) * 100);
}

/**
 * Annualized Sharpe ratio: `(mean(r) − rfPerBar) / sampleStd(r) × sqrt(ppy)`.
 * `null` with fewer than two returns, a zero std or no `ppy`.
 *
 * @example
 * sharpeRatioFromSummary(summarizeReturns(returns, riskFreePerBar(0.02, 252)), 252);
 */
export function sharpeRatioFromSummary(summary: ReturnSummary | null, periodsPerYear: number | null): number | null {
  if (summary === null || periodsPerYear === null || summary.count < 2 || summary.sampleStd === 0) return null;
  return nanToNull(((summary.mean - summary.rfPerBar) / summary.sampleStd) * Math.sqrt(periodsPerYear));
}

/**
 * Annualized Sortino ratio: `(mean(r) − rfPerBar) / downsideDev × sqrt(ppy)` with
 * `downsideDev = sqrt(Σ min(0, r − rfPerBar)² / count(r))`. With no downside at all it is
 * `Infinity` when the mean excess return is positive, else `null`; `null` with fewer than two
 * returns or no `ppy`.
 *
 * @example
 * sortinoRatioFromSummary(summarizeReturns(returns, 0), 252);
 */
export function sortinoRatioFromSummary(summary: ReturnSummary | null, periodsPerYear: number | null): number | null {
  if (summary === null || periodsPerYear === null || summary.count < 2) return null;
  const excess = summary.mean - summary.rfPerBar;
  if (summary.downsideDev === 0) return excess > 0 ? Number.POSITIVE_INFINITY : null;
  return nanToNull((excess / summary.downsideDev) * Math.sqrt(periodsPerYear));
}

function summaryFor(returns: Float64Array, periodsPerYear: number | null, riskFreeRate: number): ReturnSummary | null {
  const rf = periodsPerYear === null ? 0 : riskFreePerBar(riskFreeRate, periodsPerYear);
  return summarizeReturns(returns, rf);
}

/**
 * Annualized volatility of per-bar returns in percent; see {@link volatilityPctFromSummary}.
 *
 * @example
 * volatilityPct(new Float64Array([0.1, -0.1]), 1); // ≈ 14.142
 */
export function volatilityPct(returns: Float64Array, periodsPerYear: number | null): number | null {
  return volatilityPctFromSummary(summarizeReturns(returns, 0), periodsPerYear);
}

/**
 * Annualized Sharpe ratio of per-bar returns with an annual risk-free rate (fraction);
 * see {@link sharpeRatioFromSummary}.
 *
 * @example
 * sharpeRatio(new Float64Array([0.1, -0.1, 0.2]), 252, 0.02);
 */
export function sharpeRatio(returns: Float64Array, periodsPerYear: number | null, riskFreeRate: number): number | null {
  return sharpeRatioFromSummary(summaryFor(returns, periodsPerYear, riskFreeRate), periodsPerYear);
}

/**
 * Annualized Sortino ratio of per-bar returns with an annual risk-free rate (fraction);
 * see {@link sortinoRatioFromSummary}.
 *
 * @example
 * sortinoRatio(new Float64Array([0.1, -0.1, 0.2]), 252, 0);
 */
export function sortinoRatio(
  returns: Float64Array,
  periodsPerYear: number | null,
  riskFreeRate: number,
): number | null {
  return sortinoRatioFromSummary(summaryFor(returns, periodsPerYear, riskFreeRate), periodsPerYear);
}

/**
 * Turns NaN into `null`, the value every metric uses for "undefined".
 *
 * @example
 * nanToNull(0 / 0); // null
 */
export function nanToNull(value: number | null): number | null {
  return value === null || Number.isNaN(value) ? null : value;
}
