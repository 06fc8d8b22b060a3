import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/errors.js';
import { CURRENT_SCHEMA_VERSION, LEGACY_DDL } from './schema.js';
import { legacyRowUuid } from '../run-uuid.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(() => cleanup());

function openError(path: string, options: { readonly?: boolean } = {}): StoreError {
  try {
    TradingDatabase.open(path, options).close();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected open to fail');
}

/** Writes a file the way the older Python tool did: its DDL, rows by plain SQL, user_version 0. */
function makeLegacyDatabase(path: string): Record<string, unknown>[] {
  const raw = new Database(path);
  raw.exec(LEGACY_DDL);
  const insert = raw.prepare(
    `INSERT INTO backtest_results (symbol, timeframe, model_path, run_timestamp, start_date, end_date,
       initial_capital, final_equity, total_return, sharpe_ratio, max_drawdown, win_rate, profit_factor,
       total_trades, avg_trade_pnl, config_json, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  insert.run(
    'BTCUSD',
    '1h',
    'models/ppo.onnx',
    1_690_000_000,
    1_672_531_200,
    1_688_169_600,
    10000,
    12500.5,
    25.005,
    1.42,
    -12.3,
    48.5,
    1.9,
    87,
    28.74,
    '{"fee": 0.001, "window": 64}',
    'python run',
  );
  insert.run(
    'BTCUSD',
    '1h',
    null,
    1_690_000_100,
    1_672_531_200,
    1_688_169_600,
    10000,
    9000,
    -10,
    null,
    -20.1,
    null,
    null,
    0,
    null,
    null,
    null,
  );
  insert.run(
    'ETHUSD',
    '4h',
    'models/a2c.onnx',
    1_689_000_000,
    1_672_531_200,
    1_688_169_600,
    5000,
    7000,
    40,
    2.5,
    -8,
    60,
    3.25,
    20,
    100,
    '{"fee": 0}',
    'quote " and, comma',
  );
  const rows = raw.prepare('SELECT * FROM backtest_results ORDER BY id').all() as Record<string, unknown>[];
  expect(raw.pragma('user_version', { simple: true })).toBe(0);
  raw.close();
  return rows;
}

describe('a database written by the older tool', () => {
  it('opens, upgrades in place, and keeps every original value', () => {
    const path = join(dir, 'legacy.db');
    const before = makeLegacyDatabase(path);
    const db = TradingDatabase.open(path);
    try {
      expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
      const after = db.getBacktestResults({ sort: 'id', order: 'asc' });
      expect(after).toHaveLength(3);
      after.forEach((row, i) => {
        // Every original column is unchanged; every added column is NULL.
        expect(row).toMatchObject(before[i] as object);
        expect(row.cagr).toBeNull();
        expect(row.config_hash).toBeNull();
        expect(row.sweep_id).toBeNull();
      });
      expect(db.getBacktestResults({ symbol: 'BTCUSD' }).map((r) => r.id)).toEqual([2, 1]);
      // The older tool wrote '1h': found under any spelling of one hour, stored as it was.
      expect(db.getBacktestResults({ timeframe: '1Hour' }).map((r) => r.timeframe)).toEqual(['1h', '1h']);
      expect(db.getBestBacktest('BTCUSD', '1h', 'sharpe_ratio')?.id).toBe(1);
      expect(db.getBestBacktest('BTCUSD', '1h', 'max_drawdown')?.id).toBe(1);
      expect(db.getBestBacktest('BTCUSD', '1h', 'win_rate')?.id).toBe(1);
      // New saves continue the id sequence.
      expect(db.saveBacktestResult(sampleInput())).toBe(4);
    } finally {
      db.close();
    }
    // The older tool's reader still works: its columns are all there, with the same values.
    const raw = new Database(path, { readonly: true });
    const legacyColumns = Object.keys(before[0] as object).join(', ');
    expect(raw.prepare(`SELECT ${legacyColumns} FROM backtest_results WHERE id <= 3 ORDER BY id`).all()).toEqual(
      before,
    );
    expect(raw.pragma('user_version', { simple: true })).toBe(CURRENT_SCHEMA_VERSION);
    raw.close();
  });

  it('is read as it is, read-only, without changing a byte', () => {
    const path = join(dir, 'legacy.db');
    const before = makeLegacyDatabase(path);
    const bytes = readFileSync(path);
    const db = TradingDatabase.open(path, { readonly: true });
    try {
      expect(db.schemaVersion).toBe(0);
      const rows = db.getBacktestResults({ sort: 'id', order: 'asc' });
      rows.forEach((row, i) => expect(row).toMatchObject(before[i] as object));
      // Rows without a stored UUID get the one their 18 columns derive, the same every time.
      expect(rows[0]?.uuid).toBe(legacyRowUuid(before[0] as Record<string, unknown>));
      expect(db.getBestBacktest('btcusd', '1Hour', 'sharpe_ratio')?.id).toBe(1);
      expect(db.countBacktestResults({ timeframe: '60Min' })).toBe(2);
      expect(db.getEquityCurve(1)).toBeUndefined();
      expect(db.getTrades(1)).toBeUndefined();
      expect(db.listBarSets()).toEqual([]);
      expect(() => db.saveBacktestResult(sampleInput())).toThrow(/read-only/);
    } finally {
      db.close();
    }
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('says in one line that the first write upgraded it, adding side tables only', () => {
    const path = join(dir, 'legacy.db');
    makeLegacyDatabase(path);
    const notices: string[] = [];
    const db = TradingDatabase.open(path, { onNotice: (line) => notices.push(line) });
    db.close();
    expect(notices).toEqual([
      `Upgraded ${path}, a database of the older tool: added side tables for run details, trades and sweeps; backtest_results and its rows are unchanged`,
    ]);
    const again: string[] = [];
    TradingDatabase.open(path, { onNotice: (line) => again.push(line) }).close();
    expect(again).toEqual([]);
  });

  it('refuses a version-0 table that lacks the older tool’s columns, leaving it untouched', () => {
    const path = join(dir, 'other.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE backtest_results (id INTEGER PRIMARY KEY, symbol TEXT)');
    raw.close();
    const bytes = readFileSync(path);
    const error = openError(path);
    expect(error.message).toContain('without columns timeframe, model_path');
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});

describe('files that must be left untouched', () => {
  it('refuses a file that is not a database and leaves it byte-identical', () => {
    const path = join(dir, 'notes.db');
    const content = Buffer.from('this is a text file, not SQLite\n'.repeat(200));
    writeFileSync(path, content);
    const error = openError(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain('is not a SQLite database');
    expect(error.exitCode).toBe(5);
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(readdirSync(dir)).toEqual(['notes.db']);
  });

  it('refuses a schema newer than this build and leaves the file byte-identical', () => {
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.exec(LEGACY_DDL);
    raw.pragma(`user_version = ${CURRENT_SCHEMA_VERSION + 1}`);
    raw.close();
    const bytes = readFileSync(path);
    const error = openError(path);
    expect(error.message).toBe(
      `database ${path} has schema version ${CURRENT_SCHEMA_VERSION + 1}, newer than version ${CURRENT_SCHEMA_VERSION} that this build understands; upgrade backtest-ledger (the file was not changed)`,
    );
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(openError(path, { readonly: true }).message).toContain('newer than version');
  });

  it('refuses a folder given as the database path', () => {
    expect(openError(dir).message).toBe(`database ${dir} is a folder, not a file`);
  });
});
