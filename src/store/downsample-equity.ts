import { ConfigError } from '../core/errors.js';
import type { EquityCurve } from '../core/result.js';

/** Most points kept per stored equity curve: plenty for a chart, about 4.8 kB per run. */
export const MAX_EQUITY_POINTS = 300;

/**
 * Shrinks an equity curve to at most `maxPoints` points for charts, keeping its shape.
 *
 * Min/max buckets: the first and last points are always kept; the points between are cut into
 * `floor((maxPoints - 2) / 2)` buckets of (nearly) equal count, and each bucket keeps its lowest
 * and its highest point, in time order. So the curve's peak and trough — and with them the
 * maximum drawdown a chart shows — survive exactly, which LTTB does not guarantee. Curves that
 * already fit are copied unchanged.
 *
 * @example
 * const small = downsampleEquity(curve); // small.timeMs.length <= 300
 */
export function downsampleEquity(curve: EquityCurve, maxPoints: number = MAX_EQUITY_POINTS): EquityCurve {
  const { timeMs, equity } = curve;
  const n = timeMs.length;
  if (equity.length !== n) {
    throw new ConfigError(`equity curve has ${n} times but ${equity.length} equity values; they must match`);
  }
  if (!Number.isInteger(maxPoints) || maxPoints < 4) {
    throw new ConfigError(`maxPoints is ${maxPoints}; it must be a whole number of at least 4`);
  }
  if (n <= maxPoints) return { timeMs: timeMs.slice(), equity: equity.slice() };

  const bucketCount = Math.floor((maxPoints - 2) / 2);
  const interior = n - 2;
  const keep: number[] = [0];
  for (let b = 0; b < bucketCount; b++) {
    const start = 1 + Math.floor((b * interior) / bucketCount);
    const end = 1 + Math.floor(((b + 1) * interior) / bucketCount);
    if (end <= start) continue;
    let low = start;
    let high = start;
    for (let i = start + 1; i < end; i++) {
      const value = equity[i] as number;
      if (value < (equity[low] as number)) low = i;
      if (value > (equity[high] as number)) high = i;
    }
    if (low === high) keep.push(low);
    else keep.push(Math.min(low, high), Math.max(low, high));
  }
  keep.push(n - 1);

  const outTime = new Float64Array(keep.length);
  const outEquity = new Float64Array(keep.length);
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k] as number;
    outTime[k] = timeMs[i] as number;
    outEquity[k] = equity[i] as number;
  }
  return { timeMs: outTime, equity: outEquity };
}

/**
 * The last point of each UTC calendar month of an equity curve: all that monthly returns need,
 * so a stored run shows exactly the monthly returns table its full curve gives (about 16 bytes a
 * month), whatever the downsampled chart curve kept.
 *
 * @example
 * monthEndPoints(curve).timeMs.length; // one point per month the curve touches
 */
export function monthEndPoints(curve: EquityCurve): EquityCurve {
  const { timeMs, equity } = curve;
  const keep: number[] = [];
  // Performance: one month computation per month, not two `Date`s per point (that took about
  // 0.3 ms for a 2,000-point curve, most of a single save, and 15 ms per 100,000-point sweep
  // run). A time inside the month range `[start, last]` (whole ms, as `Date` truncates) is in
  // that month; any other time gets its month computed. The result is exactly what
  // `new Date(t).getUTCFullYear() / getUTCMonth()` gives, NaN included (an invalid time is a
  // month of its own, as before).
  let key = Number.NaN;
  let start = Number.NaN;
  let last = Number.NaN;
  for (let i = 0; i < timeMs.length; i++) {
    const t = timeMs[i] as number;
    if (t >= start && t <= last) continue; // same month as the previous point
    const month = utcMonthKey(t);
    if (i > 0 && month !== key) keep.push(i - 1);
    key = month;
    start = Math.max(-MAX_TIME_MS, monthStartMs(month));
    last = Math.min(MAX_TIME_MS, monthStartMs(month + 1) - 1);
  }
  if (timeMs.length > 0) keep.push(timeMs.length - 1);
  const outTime = new Float64Array(keep.length);
  const outEquity = new Float64Array(keep.length);
  for (let k = 0; k < keep.length; k++) {
    const i = keep[k] as number;
    outTime[k] = timeMs[i] as number;
    outEquity[k] = equity[i] as number;
  }
  return { timeMs: outTime, equity: outEquity };
}

/** The largest magnitude of a valid `Date` time, ms. */
const MAX_TIME_MS = 8.64e15;
const DAY_MS = 86_400_000;

/**
 * `year * 12 + month` (UTC, January = 0) of unix ms, as `new Date(timeMs)` gives it; NaN for
 * an invalid time. Days to civil date by H. Hinnant's `civil_from_days` (proleptic Gregorian).
 */
function utcMonthKey(timeMs: number): number {
  if (!(Math.abs(timeMs) <= MAX_TIME_MS)) return Number.NaN;
  const z = Math.floor(Math.trunc(timeMs) / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153); // March = 0
  const month = mp < 10 ? mp + 2 : mp - 10;
  return (yoe + era * 400 + (month <= 1 ? 1 : 0)) * 12 + month;
}

/** Unix ms of the first instant of month `key` (`year * 12 + month`); H. Hinnant's `days_from_civil`. */
function monthStartMs(key: number): number {
  const month = key - Math.floor(key / 12) * 12;
  const year = Math.floor(key / 12) - (month <= 1 ? 1 : 0);
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (month >= 2 ? month - 2 : month + 10) + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return (era * 146_097 + doe - 719_468) * DAY_MS;
}
