import type { BarSeries } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import { type HistoryLocation, openHistoryForReading, openHistoryForWriting, withDatabase } from './open-history.js';
import { resolveDatabasePath } from '../store/index.js';

/**
 * Bars imported earlier with `backtest data import`; a clear error when there are none.
 *
 * @example
 * const bars = loadStoredBars('GOOG', '1Day', { cwd: process.cwd(), env: process.env });
 */
export function loadStoredBars(symbol: string, timeframe: Timeframe, location: HistoryLocation): BarSeries {
  const db = openHistoryForReading(location);
  try {
    const bars = db.loadBars(symbol, timeframe);
    if (bars === undefined || bars.length === 0) {
      throw new DataError({
        source: resolveDatabasePath(location.db, location.env, location.cwd),
        reason: `no bars for ${symbol} ${timeframe}; import them with backtest data import FILE --symbol ${symbol} --timeframe ${timeframe}, or pass --data FILE`,
      });
    }
    return bars;
  } finally {
    db.close();
  }
}

/** Stores bars, replacing any already stored in their time range, in one transaction. */
export async function importBars(
  bars: BarSeries,
  location: HistoryLocation,
): Promise<{ inserted: number; replaced: number }> {
  return withDatabase(openHistoryForWriting(location), (db) => db.importBars(bars));
}
