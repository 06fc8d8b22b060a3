import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BarSeries, createBarSeries, sliceBars } from '../../core/bars.js';
import { DataError, StoreError } from '../../core/errors.js';
import { fingerprintBars } from '../../data/fingerprint-bars.js';
import { loadBarsCsv } from '../../data/csv/parse-bars-csv.js';
import { BAR_CHUNK_BARS } from '../bar-chunks.js';
import { MIGRATIONS } from './schema.js';
import { makeTempDir } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

const DAY_MS = 86_400_000;
const T0 = Date.UTC(2020, 0, 1);
const GOOG_CSV = new URL('../../../data/bars/GOOG.csv', import.meta.url).pathname;
/**
 * A file written at schema 3 by the release before the chunked bar store (its own
 * `TradingDatabase.importBars` and `saveBacktestResult`), holding in its `bars` table:
 * GOOG 1Day (GOOG.csv bars 0–299), the same set under earlier spellings `goog`/`1d` (bars
 * 250–349, prices + 1000, so times 250–299 are stored twice), `eurusd`/`1h` (bars 0–39, prices
 * + 0.5), BTC/USD 1Hour (0–29, + 7) and 15Min (0–19, + 3), MSFT 1Day (two bars of awkward
 * doubles); and one saved run whose `bars_sha256` is GOOG 1Day's fingerprint.
 */
const V3_FIXTURE = new URL('./fixtures/schema-v3-bars.db', import.meta.url);

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

/** GOOG.csv bars `[start, end)` under another name, prices shifted by `shift`. */
function googBars(start: number, end: number, shift = 0): BarSeries {
  const goog = sliceBars(loadBarsCsv(GOOG_CSV, { symbol: 'GOOG', timeframe: '1Day' }), start, end);
  const add = (column: Float64Array) => column.map((v) => v + shift);
  return createBarSeries('GOOG', '1Day', {
    ...goog,
    open: add(goog.open),
    high: add(goog.high),
    low: add(goog.low),
    close: add(goog.close),
  });
}

interface ChunkRow {
  set_id: number;
  first_time_ms: number;
  last_time_ms: number;
  bar_count: number;
}

/** The chunk rows of the file, in key order. */
function chunksOf(path: string): ChunkRow[] {
  const raw = new Database(path, { readonly: true });
  try {
    return raw
      .prepare('SELECT set_id, first_time_ms, last_time_ms, bar_count FROM bar_chunks ORDER BY set_id, first_time_ms')
      .all() as ChunkRow[];
  } finally {
    raw.close();
  }
}

let dir: string;
let cleanup: () => void;
let db: TradingDatabase;

beforeEach(() => {
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
    const provenance = { source: 'file', feed: null, adjustment: null };
    expect(db.listBarSets()).toEqual([
      {
        symbol: 'AAPL',
        timeframe: '1Day',
        count: 3,
        firstTimeMs: T0,
        lastTimeMs: T0 + 2 * DAY_MS,
        ...provenance,
        createdMs: expect.any(Number),
        updatedMs: expect.any(Number),
      },
      {
        symbol: 'GOOG',
        timeframe: '1Day',
        count: 10,
        firstTimeMs: T0,
        lastTimeMs: T0 + 9 * DAY_MS,
        ...provenance,
        createdMs: expect.any(Number),
        updatedMs: expect.any(Number),
      },
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

  it('loads bars whose fingerprint is the imported bars’ fingerprint', () => {
    const goog = googBars(0, 2148);
    db.importBars(goog);
    const loaded = db.loadBars('GOOG', '1Day');
    expect(loaded && fingerprintBars(loaded)).toEqual(fingerprintBars(goog));
  });
});

describe('chunks', () => {
  it('stores a million bars as 16 even chunks, sorted and not overlapping', () => {
    db.importBars(dailyBars('BIG', 0, 1_000_000));
    const chunks = chunksOf(db.path);
    expect(chunks.map((c) => c.bar_count)).toEqual(Array(16).fill(62_500));
    for (let i = 1; i < chunks.length; i++) {
      expect((chunks[i] as ChunkRow).first_time_ms).toBe((chunks[i - 1] as ChunkRow).last_time_ms + DAY_MS);
    }
  });

  it('stays within size bounds however it is written: every small chunk lies between chunks over half full', () => {
    let state = 11;
    const random = () => {
      state = (state * 48_271) % 2_147_483_647;
      return state / 2_147_483_647;
    };
    // Appended pages, then random replacements of every size, sparse ones too.
    for (let page = 0; page < 20; page++) db.importBars(dailyBars('MIX', page * 7_000, 7_000));
    for (let step = 0; step < 30; step++) {
      const start = Math.floor(random() * 150_000);
      const n = 1 + Math.floor(random() ** 3 * 120_000);
      const bars = dailyBars('MIX', start, n, step);
      db.importBars(random() < 0.3 ? sliceBars(bars, 0, Math.min(n, 3)) : bars);
    }
    const chunks = chunksOf(db.path);
    const total = chunks.reduce((sum, c) => sum + c.bar_count, 0);
    expect(db.listBarSets()[0]?.count).toBe(total);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.bar_count).toBeLessThanOrEqual(BAR_CHUNK_BARS);
      expect(chunk.bar_count).toBeGreaterThan(0);
      if (i > 0) expect(chunk.first_time_ms).toBeGreaterThan((chunks[i - 1] as ChunkRow).last_time_ms);
      if (chunk.bar_count < BAR_CHUNK_BARS / 2) {
        for (const neighbour of [chunks[i - 1], chunks[i + 1]]) {
          if (neighbour !== undefined) expect(neighbour.bar_count).toBeGreaterThanOrEqual(BAR_CHUNK_BARS / 2);
        }
      }
    }
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil((4 * total) / BAR_CHUNK_BARS) + 1);
  });

  it('appending a page rewrites at most the last chunk', () => {
    db.importBars(dailyBars('APP', 0, 200_000));
    const full = chunksOf(db.path);
    expect(full.map((c) => c.bar_count)).toEqual([50_000, 50_000, 50_000, 50_000]);
    // After chunks over half full, a page becomes a chunk of its own; the next page joins it.
    db.importBars(dailyBars('APP', 200_000, 1_000));
    expect(chunksOf(db.path)).toEqual([...full, expect.objectContaining({ bar_count: 1_000 })]);
    db.importBars(dailyBars('APP', 201_000, 1_000));
    expect(chunksOf(db.path)).toEqual([...full, expect.objectContaining({ bar_count: 2_000 })]);
    const loaded = db.loadBars('APP', '1Day') as BarSeries;
    const expected = dailyBars('APP', 0, 202_000);
    expect(loaded.length).toBe(202_000);
    expect(loaded.close.every((c, i) => c === expected.close[i] && loaded.timeMs[i] === expected.timeMs[i])).toBe(true);
  });

  it('loads a range from the chunks it overlaps only', () => {
    db.importBars(dailyBars('BIG', 0, 200_000));
    const [first, second] = chunksOf(db.path) as [ChunkRow, ChunkRow];
    // Damage the first chunk: ranges after it still load, since its BLOBs are never read.
    const raw = new Database(db.path);
    raw
      .prepare("UPDATE bar_chunks SET close = x'00' WHERE set_id = ? AND first_time_ms = ?")
      .run(first.set_id, first.first_time_ms);
    const plan = raw
      .prepare(
        'EXPLAIN QUERY PLAN SELECT bar_count, time_ms FROM bar_chunks WHERE set_id = ? AND last_time_ms >= ? AND first_time_ms <= ? ORDER BY last_time_ms',
      )
      .all(1, 0, 0) as { detail: string }[];
    raw.close();
    expect(plan.map((p) => p.detail).join('\n')).toMatch(
      /USING INDEX idx_bar_chunks_range \(set_id=\? AND last_time_ms>\?\)/,
    );
    const month = db.loadBars('BIG', '1Day', {
      fromMs: second.first_time_ms,
      toMs: second.first_time_ms + 30 * DAY_MS,
    });
    expect(month?.length).toBe(31);
    expect(() => db.loadBars('BIG', '1Day')).toThrow(StoreError);
    expect(() => db.loadBars('BIG', '1Day')).toThrow(/damaged bar chunk: its close column/);
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

describe('a schema-3 file with bars in the old one-row-per-bar table', () => {
  const goog = () => googBars(0, 300);

  function expectMigratedBars(migrated: TradingDatabase): void {
    expect(migrated.listBarSets().map((s) => `${s.symbol} ${s.timeframe} ${s.count}`)).toEqual([
      'BTC/USD 15Min 20',
      'BTC/USD 1Hour 30',
      'EURUSD 1Hour 40',
      'GOOG 1Day 350',
      'MSFT 1Day 2',
    ]);
    // goog/1d's bars 250..299 duplicated GOOG/1Day's: the canonical spelling's bars were kept.
    const all = migrated.loadBars('GOOG', '1Day') as BarSeries;
    const expected = googBars(0, 350);
    expect(Array.from(all.timeMs)).toEqual(Array.from(expected.timeMs));
    expect(Array.from(all.close.subarray(0, 300))).toEqual(Array.from(expected.close.subarray(0, 300)));
    expect(Array.from(all.close.subarray(300))).toEqual(Array.from(googBars(300, 350, 1000).close));
    // The saved run's bars are the same bits as before: same fingerprint.
    const first300 = migrated.loadBars('goog', '1Day', { toMs: goog().timeMs[299] as number }) as BarSeries;
    expect(fingerprintBars(first300)).toEqual(fingerprintBars(goog()));
    expect(fingerprintBars(first300).sha256).toBe(migrated.getBacktest(1)?.bars_sha256);
    expect(Array.from(migrated.loadBars('EURUSD', '1Hour')?.open ?? [])).toEqual(Array.from(googBars(0, 40, 0.5).open));
    expect(Array.from(migrated.loadBars('MSFT', '1Day')?.open ?? [])).toEqual([0.1 + 0.2, 5e-324]);
    expect(migrated.loadBars('BTCUSD', '1Hour')?.symbol).toBe('BTC/USD');
  }

  it('is read as it is, read-only, with sets keyed as schema 4 keys them, and the file unchanged', () => {
    const path = join(dir, 'v3.db');
    copyFileSync(V3_FIXTURE, path);
    const bytes = readFileSync(path);
    const reader = TradingDatabase.open(path, { readonly: true });
    try {
      expect(reader.schemaVersion).toBe(3);
      expectMigratedBars(reader);
      expect(reader.getBarSet('goog', '1Day')).toMatchObject({
        count: 350,
        source: 'file',
        feed: null,
        createdMs: null,
      });
      expect(() => reader.importBars(dailyBars('GOOG', 0, 1))).toThrow(/read-only/);
    } finally {
      reader.close();
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('is migrated to chunks without losing a bar, and the old table dropped', () => {
    const path = join(dir, 'v3.db');
    copyFileSync(V3_FIXTURE, path);
    const notices: string[] = [];
    const migrated = TradingDatabase.open(path, { onNotice: (line) => notices.push(line) });
    try {
      expect(notices).toEqual([
        `Upgraded ${path} from schema version 3 to ${migrated.schemaVersion}: ${MIGRATIONS.filter((m) => m.version > 3)
          .map((m) => m.notice ?? m.description)
          .join('; ')}, every value kept`,
      ]);
      expect(notices[0]).toContain(': bars moved to columnar chunks');
      expectMigratedBars(migrated);
      expect(migrated.getBarSet('GOOG', '1Day')).toMatchObject({ source: 'file', feed: null, adjustment: null });
      // The migrated set takes new bars like any other.
      expect(migrated.importBars(googBars(340, 360))).toEqual({ inserted: 20, replaced: 10 });
      expect(migrated.getBarSet('GOOG', '1Day')?.count).toBe(360);
    } finally {
      migrated.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT name FROM sqlite_schema WHERE name = 'bars'").get()).toBeUndefined();
    raw.close();
  });

  it('with more bars than a chunk holds, spelled several ways, keeps every distinct bar', () => {
    // A schema-3 file built by migrations 1 to 3 themselves, then rows in its `bars` table.
    const path = join(dir, 'v3-big.db');
    const raw = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) migration.up(raw);
    raw.pragma('user_version = 3');
    const insert = raw.prepare(
      'INSERT INTO bars (symbol, timeframe, time_ms, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const n = 150_000;
    raw.transaction(() => {
      for (let i = 0; i < n; i++) insert.run('ETHUSD', '1Min', i * 60_000, i, i + 1, i - 1, i + 0.25, i * 10);
      // The same pair with a slash and an alias timeframe: 100 duplicates and 100 new minutes.
      for (let i = n - 100; i < n + 100; i++) insert.run('eth/usd', '1m', i * 60_000, -i, -i, -i, -i, -i);
    })();
    raw.close();
    const migrated = TradingDatabase.open(path);
    try {
      expect(migrated.listBarSets()).toMatchObject([
        { symbol: 'ETHUSD', timeframe: '1Min', count: n + 100, firstTimeMs: 0, lastTimeMs: (n + 99) * 60_000 },
      ]);
      const bars = migrated.loadBars('ETH-USD', '1Min') as BarSeries;
      expect(bars.close[n - 1]).toBe(n - 1 + 0.25); // the canonical spelling's bar won
      expect(bars.close[n]).toBe(-n);
      expect(Array.from(bars.timeMs).every((t, i) => t === i * 60_000)).toBe(true);
      expect(chunksOf(path).map((c) => c.bar_count)).toEqual([50_034, 50_033, 50_033]);
    } finally {
      migrated.close();
    }
  });
});
