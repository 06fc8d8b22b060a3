import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS, tableColumns } from './schema.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

const SHAPE = ['returns_skewness', 'returns_kurtosis', 'returns_count'];

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(() => cleanup());

/**
 * A file exactly as schema version 3 left it (this build's steps 1 to 3), with one run the
 * older tool's way (a plain INSERT, which the trigger completes) and one with bars.
 */
function schema3File(path: string): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) {
    migration.up(db);
    db.pragma(`user_version = ${migration.version}`);
  }
  db.exec(`INSERT INTO backtest_results VALUES (NULL, 'GOOG', '1Day', NULL, 1700000000, 1577836800, 1609372800,
    10000.0, 11250.0, 12.5, 1.1, -4.0, 55.0, 1.5, 12, 10.4, NULL, 'older tool')`);
  db.exec(`UPDATE run_details SET bars_count = 253, bars_first_time_ms = 1577836800000,
    bars_last_time_ms = 1609372800000 WHERE backtest_id = 1`);
  db.close();
}

describe('schema 5: the skewness, kurtosis and count of returns', () => {
  it('are not columns of schema 3, and are added by the upgrade with NULL for runs saved before', () => {
    const path = join(dir, 'v3.db');
    schema3File(path);
    const raw = new Database(path, { readonly: true });
    expect(SHAPE.filter((c) => tableColumns(raw, 'run_details').has(c))).toEqual([]);
    raw.close();

    const notices: string[] = [];
    const db = TradingDatabase.open(path, { onNotice: (line) => notices.push(line) });
    expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(CURRENT_SCHEMA_VERSION).toBeGreaterThanOrEqual(5);
    expect(notices[0]).toContain('returns’ skewness, kurtosis and count added to run details;');
    expect(notices[0]).toContain(', every value kept');
    expect(db.getBacktest(1)).toMatchObject({
      sharpe_ratio: 1.1,
      returns_skewness: null,
      returns_kurtosis: null,
      returns_count: null,
    });
    const id = db.saveBacktestResult(
      sampleInput({ metrics: { returns_skewness: -0.75, returns_kurtosis: 6.5, returns_count: 252 } }),
    );
    expect(db.getBacktest(id)).toMatchObject({ returns_skewness: -0.75, returns_kurtosis: 6.5, returns_count: 252 });
    db.close();

    const after = new Database(path, { readonly: true });
    expect(SHAPE.every((c) => tableColumns(after, 'run_details').has(c))).toBe(true);
    // Nothing ranks by them, so the covering ranking index stays as it was.
    const indexed = (
      after.prepare("SELECT name FROM pragma_index_info('idx_run_rank')").all() as { name: string }[]
    ).map((r) => r.name);
    expect(indexed).toContain('sharpe_ratio');
    expect(indexed.filter((name) => SHAPE.includes(name))).toEqual([]);
    after.close();
  });

  it('read as NULL from a schema-3 file opened read-only, which stays unchanged', () => {
    const path = join(dir, 'v3.db');
    schema3File(path);
    const db = TradingDatabase.open(path, { readonly: true });
    try {
      expect(db.schemaVersion).toBe(3);
      expect(db.getBacktest(1)).toMatchObject({ returns_skewness: null, returns_kurtosis: null, returns_count: null });
      expect(db.getBacktestResults({ sort: 'returns_kurtosis' }).map((r) => r.id)).toEqual([1]);
      expect(db.sharpeFamily({ symbol: 'goog', timeframe: '1Day' })).toEqual([
        {
          id: 1,
          sharpeRatio: 1.1,
          returnsCount: null,
          barsCount: 253,
          firstTimeMs: 1577836800000,
          lastTimeMs: 1609372800000,
        },
      ]);
    } finally {
      db.close();
    }
  });

  it('read as NULL from the older tool’s file opened read-only', () => {
    const path = join(dir, 'legacy.db');
    const raw = new Database(path);
    MIGRATIONS[0]?.up(raw);
    raw.exec(`INSERT INTO backtest_results VALUES (NULL, 'GOOG', '1Day', NULL, 1700000000, 1577836800, 1609372800,
      10000.0, 11250.0, 12.5, 0.9, -4.0, 55.0, 1.5, 12, 10.4, NULL, NULL)`);
    raw.close();
    const db = TradingDatabase.open(path, { readonly: true });
    try {
      expect(db.getBacktest(1)).toMatchObject({ sharpe_ratio: 0.9, returns_count: null });
      expect(db.sharpeFamily()).toEqual([
        { id: 1, sharpeRatio: 0.9, returnsCount: null, barsCount: null, firstTimeMs: null, lastTimeMs: null },
      ]);
    } finally {
      db.close();
    }
  });
});
