/**
 * A time range of bars chosen on the command line (`--start`, `--end`): checked, described in
 * messages, and cut out of bars read from a file (stored bars are cut by the store itself).
 */
import { type BarSeries, sliceBars } from '../core/bars.js';
import { DataError, UsageError } from '../core/errors.js';
import { lowerBound, upperBound } from '../store/bar-chunks.js';
import type { BarTimeRange } from '../store/index.js';
import { formatTimeMs } from './format-values.js';

/** True when the range limits anything. */
export function isBarRangeSet(range: BarTimeRange): boolean {
  return range.fromMs !== undefined || range.toMs !== undefined;
}

/**
 * A `UsageError` when the range ends before it starts.
 *
 * @example
 * checkBarRange({ fromMs: Date.UTC(2024, 1, 1), toMs: Date.UTC(2024, 0, 1) }); // throws
 */
export function checkBarRange(range: BarTimeRange): void {
  if (range.fromMs !== undefined && range.toMs !== undefined && range.toMs < range.fromMs) {
    throw new UsageError(
      `--end ${formatTimeMs(range.toMs)} is before --start ${formatTimeMs(range.fromMs)}; pass an end on or after the start`,
    );
  }
}

/**
 * The range in words for messages: `from 2024-01-01 to 2024-01-31 23:59`, `from ...`, `up to ...`.
 *
 * @example
 * describeBarRange({ fromMs: Date.UTC(2024, 0, 1) }); // 'from 2024-01-01'
 */
export function describeBarRange(range: BarTimeRange): string {
  const parts: string[] = [];
  if (range.fromMs !== undefined) parts.push(`from ${formatTimeMs(range.fromMs)}`);
  if (range.toMs !== undefined) parts.push(`${range.fromMs === undefined ? 'up ' : ''}to ${formatTimeMs(range.toMs)}`);
  return parts.join(' ');
}

/**
 * The bars with `fromMs <= time <= toMs` (all of them when the range is open); a `DataError`
 * naming `source` and the bars it has when none are in the range.
 *
 * @example
 * const january = sliceBarsToRange(bars, { fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 1, 1) - 1 }, 'GOOG.csv');
 */
export function sliceBarsToRange(bars: BarSeries, range: BarTimeRange, source: string): BarSeries {
  if (!isBarRangeSet(range)) return bars;
  const start = range.fromMs === undefined ? 0 : lowerBound(bars.timeMs, range.fromMs);
  const end = range.toMs === undefined ? bars.length : upperBound(bars.timeMs, range.toMs);
  if (end <= start) {
    const held =
      bars.length === 0
        ? 'it has no bars'
        : `its bars run from ${formatTimeMs(bars.timeMs[0] as number)} to ${formatTimeMs(bars.timeMs[bars.length - 1] as number)}`;
    throw new DataError({
      source,
      reason: `no bars of ${bars.symbol} ${bars.timeframe} ${describeBarRange(range)}; ${held}`,
    });
  }
  return start === 0 && end === bars.length ? bars : sliceBars(bars, start, end);
}
