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
  for (let i = 0; i < timeMs.length; i++) {
    const next = timeMs[i + 1];
    if (next === undefined || monthKey(next) !== monthKey(timeMs[i] as number)) keep.push(i);
  }
  return {
    timeMs: Float64Array.from(keep, (i) => timeMs[i] as number),
    equity: Float64Array.from(keep, (i) => equity[i] as number),
  };
}

function monthKey(timeMs: number): number {
  const date = new Date(timeMs);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}
