import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS } from './schema.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(() => cleanup());

/** A file exactly as schema version `version` left it (this build's steps up to it), with one run. */
function fileAtVersion(path: string, version: number): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= version)) {
    migration.up(db);
    db.pragma(`user_version = ${migration.version}`);
  }
  db.exec(`INSERT INTO backtest_results VALUES (NULL, 'GOOG', '1Day', NULL, 1700000000, 1577836800, 1609372800,
    10000.0, 11250.0, 12.5, 1.1, -4.0, 55.0, 1.5, 12, 10.4, NULL, 'older tool')`);
  db.exec("UPDATE run_details SET sweep_id = 'sweep-old' WHERE backtest_id = 1");
  db.close();
}

const tables = (path: string): string[] => {
  const raw = new Database(path, { readonly: true });
  const names = raw
    .prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'trigger') ORDER BY name")
    .pluck()
    .all() as string[];
  raw.close();
  return names;
};

describe('schema 6: period returns and overfitting results', () => {
  it('comes after 5 and before any later step, so every older file passes through it', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(versions).toContain(5);
    expect(versions).toContain(6);
    expect(versions.indexOf(6)).toBe(versions.indexOf(5) + 1);
  });

  for (const from of [4, 5]) {
    it(`upgrades a schema-${from} file: adds the tables and the delete trigger, keeps its runs`, () => {
      const path = join(dir, `v${from}.db`);
      fileAtVersion(path, from);
      expect(tables(path)).not.toContain('run_period_returns');
      const notices: string[] = [];
      const db = TradingDatabase.open(path, { onNotice: (line) => notices.push(line) });
      try {
        expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
        expect(notices[0]).toContain('period returns of sweep runs and the probability of backtest overfitting added');
        expect(db.getBacktest(1)).toMatchObject({ notes: 'older tool', sweep_id: 'sweep-old' });
        // The old run has no period returns; a new one of the same sweep has.
        expect(db.sweepPeriodReturns('sweep-old')).toEqual([]);
        const id = db.saveBacktestResult(
          sampleInput({ sweepId: 'sweep-old', periodReturns: Float64Array.from([0.1, -0.2]) }),
        );
        expect(db.sweepPeriodReturns('sweep-old').map((r) => [r.id, [...r.returns]])).toEqual([[id, [0.1, -0.2]]]);
      } finally {
        db.close();
      }
      expect(tables(path)).toEqual(
        expect.arrayContaining(['run_period_returns', 'sweep_overfit', 'trg_backtest_results_delete_period_returns']),
      );
      // The older tool deleting the run by plain SQL takes its period returns along.
      const raw = new Database(path);
      raw.exec('DELETE FROM backtest_results');
      expect(raw.prepare('SELECT count(*) FROM run_period_returns').pluck().get()).toBe(0);
      raw.close();
    });
  }

  it('a file past version 6 made by a build without it (7 was released first) gets its tables on the next write', () => {
    const path = join(dir, 'gap.db');
    const raw = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version !== 6)) {
      migration.up(raw);
      raw.pragma(`user_version = ${migration.version}`);
    }
    raw.exec(`INSERT INTO backtest_results VALUES (NULL, 'GOOG', '1Day', NULL, 1700000000, 1577836800, 1609372800,
      10000.0, 11250.0, 12.5, 1.1, -4.0, 55.0, 1.5, 12, 10.4, NULL, 'made without 6')`);
    raw.close();
    expect(tables(path)).not.toContain('run_period_returns');
    const reader = TradingDatabase.open(path, { readonly: true });
    expect(reader.sweepPeriodReturns('any')).toEqual([]);
    expect(reader.getSweepOverfit('any')).toBeUndefined();
    reader.close();

    const notices: string[] = [];
    const db = TradingDatabase.open(path, { onNotice: (line) => notices.push(line) });
    try {
      expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
      expect(notices).toEqual([
        `Upgraded ${path} at schema version ${CURRENT_SCHEMA_VERSION}: period returns of sweep runs and the probability of backtest overfitting added, every value kept`,
      ]);
      const id = db.saveBacktestResult(sampleInput({ sweepId: 's', periodReturns: Float64Array.from([0.5]) }));
      expect(db.sweepPeriodReturns('s').map((r) => r.id)).toEqual([id]);
    } finally {
      db.close();
    }
    // Once added, opening again changes nothing and says nothing.
    const again: string[] = [];
    TradingDatabase.open(path, { onNotice: (line) => again.push(line) }).close();
    expect(again).toEqual([]);
  });

  it('a schema-5 file opened read-only has no period returns and no result, and stays unchanged', () => {
    const path = join(dir, 'v5.db');
    fileAtVersion(path, 5);
    const db = TradingDatabase.open(path, { readonly: true });
    try {
      expect(db.schemaVersion).toBe(5);
      expect(db.sweepPeriodReturns('sweep-old')).toEqual([]);
      expect(db.getSweepOverfit('sweep-old')).toBeUndefined();
      expect(db.exportRuns()[0]?.periodReturns).toBeUndefined();
    } finally {
      db.close();
    }
    expect(tables(path)).not.toContain('run_period_returns');
  });
});
