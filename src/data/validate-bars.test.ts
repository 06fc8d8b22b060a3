import { describe, expect, it } from 'vitest';
import type { BarColumns } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import { assertValidBars, findBarProblems } from './validate-bars.js';

const DAY_MS = 86_400_000;
const JAN_2_MS = Date.UTC(2024, 0, 2);

/** Columns from rows of [open, high, low, close, volume], one day apart from 2024-01-02. */
function columnsOf(rows: number[][], times?: number[]): BarColumns {
  const column = (k: number): Float64Array => Float64Array.from(rows, (row) => row[k] as number);
  return {
    timeMs: Float64Array.from(times ?? rows.map((_, i) => JAN_2_MS + i * DAY_MS)),
    open: column(0),
    high: column(1),
    low: column(2),
    close: column(3),
    volume: column(4),
  };
}

describe('findBarProblems', () => {
  it('finds nothing in valid bars, including bars where every price is equal', () => {
    expect(
      findBarProblems(
        columnsOf([
          [10, 11, 9, 10.5, 100],
          [5, 5, 5, 5, 0],
        ]),
      ),
    ).toEqual([]);
  });

  it.each([
    [[Number.NaN, 11, 9, 10, 1], 'open', 'open NaN is not a finite number'],
    [[10, Infinity, 9, 10, 1], 'high', 'high Infinity is not a finite number'],
    [[10, 11, 9, 10, Number.NaN], 'volume', 'volume NaN is not a finite number'],
    [[10, 11, 9, 10, Infinity], 'volume', 'volume Infinity is not a finite number'],
    [[10, 11, -0.5, 10, 1], 'low', 'negative price -0.5'],
    [[10, 11, 9, 10, -1], 'volume', 'negative volume -1'],
    [[10, 9, 11, 10, 1], 'high', 'high 9 is below low 11'],
    [[12, 11, 9, 10, 1], 'open', 'open 12 is above high 11'],
    [[8, 11, 9, 10, 1], 'open', 'open 8 is below low 9'],
    [[10, 11, 9, 12, 1], 'close', 'close 12 is above high 11'],
    [[10, 11, 9, 8, 1], 'close', 'close 8 is below low 9'],
    [
      [10, 1e308, 9, 10, 1],
      'high',
      'high 1e+308 is beyond 1000000000000, more than any market quotes; money figures would overflow',
    ],
    [[10, 11, 9, 10, 1e19], 'volume', 'volume 10000000000000000000 is beyond 1000000000000000000; check the column'],
  ])('%j -> %s: %s', (row, field, reason) => {
    expect(findBarProblems(columnsOf([[10, 11, 9, 10, 1], row]))).toEqual([{ index: 1, field, reason }]);
  });

  it('reports both open and close when both are outside the range', () => {
    expect(findBarProblems(columnsOf([[12, 11, 9, 8, 1]])).map((p) => p.field)).toEqual(['open', 'close']);
  });

  it('tells a duplicate timestamp from one out of order', () => {
    const rows = [
      [10, 11, 9, 10, 1],
      [10, 11, 9, 10, 1],
      [10, 11, 9, 10, 1],
      [10, 11, 9, 10, 1],
    ];
    const problems = findBarProblems(columnsOf(rows, [JAN_2_MS, JAN_2_MS + DAY_MS, JAN_2_MS + DAY_MS, JAN_2_MS]));
    expect(problems).toEqual([
      {
        index: 2,
        field: 'time',
        reason: 'duplicate timestamp 2024-01-03T00:00:00Z: the previous bar has the same time',
      },
      {
        index: 3,
        field: 'time',
        reason:
          "out of order: 2024-01-02T00:00:00Z is before the previous bar's 2024-01-03T00:00:00Z; times must strictly increase",
      },
    ]);
  });

  it('stops at the limit', () => {
    const rows = Array.from({ length: 50 }, () => [10, 9, 11, 10, 1]);
    expect(findBarProblems(columnsOf(rows), 5).map((p) => p.index)).toEqual([0, 1, 2, 3, 4]);
    expect(findBarProblems(columnsOf(rows))).toHaveLength(20);
  });
});

describe('assertValidBars', () => {
  it('returns for valid bars', () => {
    expect(() => assertValidBars(columnsOf([[10, 11, 9, 10.5, 100]]), 'api')).not.toThrow();
  });

  it('names the bar by index and time when there are no lines', () => {
    const columns = columnsOf([
      [10, 11, 9, 10, 1],
      [10, 11, 9, 10, 1],
      [10, 9, 11, 10, 1],
    ]);
    expect(() => assertValidBars(columns, 'alpaca GOOG 1Day')).toThrow(
      new DataError({
        source: 'alpaca GOOG 1Day',
        field: 'high',
        reason: 'bar 2 at 2024-01-04T00:00:00Z: high 9 is below low 11',
      }),
    );
    expect(() => assertValidBars(columns, 'alpaca GOOG 1Day')).toThrow(
      'alpaca GOOG 1Day column high: bar 2 at 2024-01-04T00:00:00Z: high 9 is below low 11',
    );
  });

  it('refuses columns of different lengths', () => {
    const columns = { ...columnsOf([[10, 11, 9, 10, 1]]), close: new Float64Array(2) };
    expect(() => assertValidBars(columns, 'api')).toThrow('api column close: has 2 values but time has 1');
  });
});
