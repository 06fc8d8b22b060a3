/**
 * A run's stored equity curve (`backtest_equity`) back from its columns, the same in both stores:
 * the downsampled curve and, when the row has them, the month ends of the full curve.
 */
import { StoreError } from '../core/errors.js';
import { decodeFloat64 } from './float64-codec.js';
import type { StoredEquityCurve } from './run-store.js';

/** The `backtest_equity` columns of one run, as read. */
export interface StoredCurveColumns {
  readonly pointCount: number;
  readonly sourcePointCount: number;
  readonly timeMs: Uint8Array;
  readonly equity: Uint8Array;
  /** Absent (null) in rows written before month ends were kept. */
  readonly monthEndTimeMs: Uint8Array | null;
  readonly monthEndEquity: Uint8Array | null;
}

/**
 * The curve; a `StoreError` naming `location` and the run when the bytes do not hold what the
 * row says (a corrupt file or row).
 */
export function decodeStoredCurve(columns: StoredCurveColumns, id: number, location: string): StoredEquityCurve {
  const corrupt = (): never => {
    throw new StoreError(`database ${location}: the equity curve of backtest ${id} is corrupt (wrong length)`);
  };
  const { pointCount, sourcePointCount } = columns;
  const timeMs = decodeFloat64(columns.timeMs);
  const equity = decodeFloat64(columns.equity);
  if (timeMs === undefined || equity === undefined || timeMs.length !== pointCount || equity.length !== pointCount) {
    return corrupt();
  }
  if (columns.monthEndTimeMs === null || columns.monthEndEquity === null) return { timeMs, equity, sourcePointCount };
  const monthTimes = decodeFloat64(columns.monthEndTimeMs);
  const monthEquity = decodeFloat64(columns.monthEndEquity);
  if (monthTimes === undefined || monthEquity === undefined || monthEquity.length !== monthTimes.length) {
    return corrupt();
  }
  return { timeMs, equity, sourcePointCount, monthEnds: { timeMs: monthTimes, equity: monthEquity } };
}
