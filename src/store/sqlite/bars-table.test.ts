import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BarSeries, createBarSeries } from '../../core/bars.js';
import { DataError } from '../../core/errors.js';
import { makeTempDir } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);

/** `n` daily bars starting `startDay` days after T0; close = day index + offset, so replaced bars are visible. */
function dailyBars(symbol: string, startDay: number, n: number, offset = 0): BarSeries {
  const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  return createBarSeries(symbol, '1Day', {
    timeMs: column((i) => T0 + (startDay + i) * DAY_MS),
    open: column((i) => 100 + startDay + i + offset),
    high: column((i) => 101 + startDay + i + offset),
    low: column((i) => 99 + startDay + i + offset),
    close: column((i) => 100.5 + startDay + i + offset),
    volume: column((i) => 1000 * (i + 1)),
  });
}

let cleanup: () => void;
let db: TradingDatabase;

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = makeTempDir());
  db = TradingDatabase.open(join(dir, 'bars.db'));
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('bars', () => {
  it('imports, lists and loads bars column by column', () => {
    expect(db.importBars(dailyBars('GOOG', 0, 10))).toEqual({ inserted: 10, replaced: 0 });
    db.importBars(dailyBars('AAPL', 0, 3));
    expect(db.listBarSets()).toEqual([
      { symbol: 'AAPL', timeframe: '1Day', count: 3, firstTimeMs: T0, lastTimeMs: T0 + 2 * DAY_MS },
      { symbol: 'GOOG', timeframe: '1Day', count: 10, firstTimeMs: T0, lastTimeMs: T0 + 9 * DAY_MS },
    ]);
    const loaded = db.loadBars('GOOG', '1Day');
    expect(loaded).toEqual(dailyBars('GOOG', 0, 10));
    const window = db.loadBars('GOOG', '1Day', { fromMs: T0 + 2 * DAY_MS, toMs: T0 + 4 * DAY_MS });
    expect(Array.from(window?.close ?? [])).toEqual([102.5, 103.5, 104.5]);
    expect(db.loadBars('GOOG', '1Hour')).toBeUndefined();
    expect(db.loadBars('GOOG', '1Day', { fromMs: T0 + 100 * DAY_MS })).toBeUndefined();
  });

  it('replaces the overlapping range and keeps bars outside it', () => {
    db.importBars(dailyBars('GOOG', 0, 10));
    // New bars for days 5..14 overlap days 5..9 (5 bars replaced) and add days 10..14.
    expect(db.importBars(dailyBars('GOOG', 5, 10, 1000))).toEqual({ inserted: 10, replaced: 5 });
    const all = db.loadBars('GOOG', '1Day');
    expect(all?.length).toBe(15);
    expect(all?.close[4]).toBe(104.5); // day 4, old
    expect(all?.close[5]).toBe(1105.5); // day 5, new: 100.5 + 5 + 1000
  });

  it('replaces bars inside a sparse new range, even where the new series has no bar', () => {
    db.importBars(dailyBars('GOOG', 0, 10));
    const sparse = dailyBars('GOOG', 0, 10);
    const keep = [0, 9];
    const picked = createBarSeries('GOOG', '1Day', {
      timeMs: Float64Array.from(keep, (i) => sparse.timeMs[i] as number),
      open: Float64Array.from(keep, (i) => sparse.open[i] as number),
      high: Float64Array.from(keep, (i) => sparse.high[i] as number),
      low: Float64Array.from(keep, (i) => sparse.low[i] as number),
      close: Float64Array.from(keep, (i) => sparse.close[i] as number),
      volume: Float64Array.from(keep, (i) => sparse.volume[i] as number),
    });
    expect(db.importBars(picked)).toEqual({ inserted: 2, replaced: 10 });
    expect(db.loadBars('GOOG', '1Day')?.length).toBe(2);
  });

  it('refuses broken series without writing', () => {
    const bars = dailyBars('GOOG', 0, 3);
    (bars.timeMs as Float64Array)[2] = bars.timeMs[1] as number;
    expect(() => db.importBars(bars)).toThrow(DataError);
    expect(db.listBarSets()).toEqual([]);
  });

  it('loads 100,000 bars quickly', () => {
    db.importBars(dailyBars('BIG', 0, 100_000));
    const start = performance.now();
    const loaded = db.loadBars('BIG', '1Day');
    const elapsedMs = performance.now() - start;
    expect(loaded?.length).toBe(100_000);
    expect(loaded?.volume[99_999]).toBe(100_000_000);
    expect(elapsedMs).toBeLessThan(1000);
  });
});

describe('the write-ahead log after a large import', () => {
  it('is checkpointed and cut back instead of staying at its peak', () => {
    const path = db.path;
    // A reader keeps the file open, so closing the writer does not remove the WAL by itself.
    const reader = TradingDatabase.open(path, { readonly: true });
    try {
      const big = dailyBars('BIG', 0, 200_000);
      db.importBars(big);
      const wal = statSync(`${path}-wal`).size;
      // 200,000 bars are several MB of pages; after the checkpoint the log is empty again.
      expect(wal).toBeLessThan(64 * 1024);
      expect(reader.loadBars('BIG', '1Day')?.length).toBe(200_000);
    } finally {
      reader.close();
    }
  });
});
