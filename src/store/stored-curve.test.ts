import { describe, expect, it } from 'vitest';
import { StoreError } from '../core/errors.js';
import { encodeFloat64 } from './float64-codec.js';
import { decodeStoredCurve } from './stored-curve.js';

const bytes = (...values: number[]): Buffer => encodeFloat64(Float64Array.from(values));

describe('decodeStoredCurve', () => {
  it('reads the curve and, when stored, the month ends', () => {
    const columns = {
      pointCount: 2,
      sourcePointCount: 500,
      timeMs: bytes(1, 2),
      equity: bytes(100, 101.5),
      monthEndTimeMs: null,
      monthEndEquity: null,
    };
    expect(decodeStoredCurve(columns, 7, 'x.db')).toEqual({
      timeMs: Float64Array.from([1, 2]),
      equity: Float64Array.from([100, 101.5]),
      sourcePointCount: 500,
    });
    const withMonths = decodeStoredCurve(
      { ...columns, monthEndTimeMs: bytes(2), monthEndEquity: bytes(101.5) },
      7,
      'x.db',
    );
    expect(withMonths.monthEnds).toEqual({ timeMs: Float64Array.from([2]), equity: Float64Array.from([101.5]) });
  });

  it('refuses bytes that do not hold what the row says, naming the database and the run', () => {
    const base = { pointCount: 2, sourcePointCount: 2, timeMs: bytes(1, 2), equity: bytes(1, 2) };
    const cases = [
      { ...base, pointCount: 3, monthEndTimeMs: null, monthEndEquity: null },
      { ...base, equity: bytes(1, 2).subarray(0, 12), monthEndTimeMs: null, monthEndEquity: null },
      { ...base, monthEndTimeMs: bytes(2), monthEndEquity: bytes(1, 2) },
    ];
    for (const columns of cases) {
      const read = (): unknown => decodeStoredCurve(columns, 9, 'runs.db');
      expect(read).toThrow(StoreError);
      expect(read).toThrow('database runs.db: the equity curve of backtest 9 is corrupt (wrong length)');
    }
  });
});
