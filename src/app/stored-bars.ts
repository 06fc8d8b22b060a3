import type { BarSeries } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import type { RunStore } from '../store/index.js';
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
): Promise<BarSeries> {
  return withDatabase(openHistoryForReading(location), (store) => requireStoredBars(store, symbol, timeframe));
}

/** Bars of one set from an open store; a `DataError` saying how to import them when there are none. */
export async function requireStoredBars(store: RunStore, symbol: string, timeframe: Timeframe): Promise<BarSeries> {
  const bars = await store.loadBars(symbol, timeframe);
  if (bars === undefined || bars.length === 0) {
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
