import type { BarSeries } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import type { BarTimeRange, RunStore } from '../store/index.js';
import { describeBarRange, isBarRangeSet } from './bar-range.js';
import { formatTimeMs } from './format-values.js';
import { type HistoryLocation, openHistoryForReading, openHistoryForWriting, withDatabase } from './open-history.js';

/**
 * Bars imported earlier with `backtest data import`; a clear error when there are none.
 *
 * @example
 * const bars = await loadStoredBars('GOOG', '1Day', { cwd: process.cwd(), env: process.env });
 */
export async function loadStoredBars(
  symbol: string,
  timeframe: Timeframe,
  location: HistoryLocation,
  range: BarTimeRange = {},
): Promise<BarSeries> {
  return withDatabase(openHistoryForReading(location), (store) => requireStoredBars(store, symbol, timeframe, range));
}

/**
 * Bars of one set from an open store, optionally only those in `range` (unix ms, inclusive); a
 * `DataError` saying how to import them when there are none, or what the set holds when none
 * are in the range.
 */
export async function requireStoredBars(
  store: RunStore,
  symbol: string,
  timeframe: Timeframe,
  range: BarTimeRange = {},
): Promise<BarSeries> {
  const bars = await store.loadBars(symbol, timeframe, range);
  if (bars === undefined || bars.length === 0) {
    const set = isBarRangeSet(range) ? await store.getBarSet(symbol, timeframe) : undefined;
    if (set !== undefined) {
      throw new DataError({
        source: store.location,
        reason: `no bars of ${set.symbol} ${set.timeframe} ${describeBarRange(range)}; the stored bars run from ${formatTimeMs(set.firstTimeMs)} to ${formatTimeMs(set.lastTimeMs)}`,
      });
    }
    throw new DataError({
      source: store.location,
      reason: `no bars for ${symbol} ${timeframe}; import them with backtest data import FILE --symbol ${symbol} --timeframe ${timeframe}, or pass --data FILE`,
    });
  }
  return bars;
}

/** Stores bars, replacing any already stored in their time range, in one transaction. */
export async function importBars(
  bars: BarSeries,
  location: HistoryLocation,
): Promise<{ inserted: number; replaced: number }> {
  return withDatabase(openHistoryForWriting(location), (store) => store.importBars(bars));
}
