/**
 * Compatibility with the older Python tool, both ways, and with files written by earlier
 * releases of this project. The Python side is the real standard-library `sqlite3` module.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEGACY_COLUMNS } from '../run-row.js';
import { legacyRowUuid } from '../run-uuid.js';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS } from './schema.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(() => cleanup());

const V2_FIXTURE = new URL('./fixtures/schema-v2.db', import.meta.url);

function python(script: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
}

describe('the older tool’s code on a database this project wrote', () => {
  it('inserts 18 values with VALUES (NULL, ...), reads SELECT * as 18 fields, and we see its row', () => {
    const path = join(dir, 'ours.db');
    const db = TradingDatabase.open(path);
    const ours = db.saveBacktestResult(
      sampleInput({ metrics: { cagr: 3.5 }, trades: [], config: { strategy: { name: 'x', params: {} } } }),
    );
    db.close();

    const out = python(
      `
import sqlite3, sys, json
conn = sqlite3.connect(sys.argv[1])
cur = conn.execute("INSERT INTO backtest_results VALUES (NULL, 'aapl', '1h', 'models/p.onnx', 1700000500, 1600000000, 1690000000, 10000.0, 10500.0, 5.0, 1.25, -3.5, 55.0, 1.8, 12, 41.5, '{\\"fee\\": 0.001}', 'from python')")
new_id = cur.lastrowid
conn.commit()
rows = []
for row in conn.execute("SELECT * FROM backtest_results ORDER BY id"):
    (id, symbol, timeframe, model_path, run_timestamp, start_date, end_date, initial_capital, final_equity,
     total_return, sharpe_ratio, max_drawdown, win_rate, profit_factor, total_trades, avg_trade_pnl,
     config_json, notes) = row
    rows.append([id, symbol, timeframe, total_return, notes])
print(json.dumps({"new_id": new_id, "rows": rows}))
`,
      path,
    );
    const result = JSON.parse(out) as { new_id: number; rows: unknown[][] };
    expect(result.new_id).toBe(ours + 1);
    expect(result.rows).toEqual([
      [ours, 'GOOG', '1Day', 12.5, null],
      [ours + 1, 'aapl', '1h', 5, 'from python'],
    ]);

    // Read-only, before any write of ours: the row is there, with the UUID its columns derive.
    const reader = TradingDatabase.open(path, { readonly: true });
    const row = reader.getBacktestOrThrow(ours + 1);
    const derived = legacyRowUuid(row as unknown as Record<string, unknown>);
    expect(row.uuid).toBe(derived);
    expect(reader.getBacktestResults({ symbol: 'AAPL', timeframe: '1Hour' }).map((r) => r.id)).toEqual([ours + 1]);
    expect(reader.getBestBacktest('AAPL', '60Min', 'sharpe_ratio')?.id).toBe(ours + 1);
    reader.close();

    // Our next write completes its side row with that same UUID, and leaves its columns alone.
    const writer = TradingDatabase.open(path);
    writer.saveBacktestResult(sampleInput({ symbol: 'MSFT' }));
    expect(writer.getBacktestOrThrow(ours + 1)).toEqual(row);
    expect(writer.getBacktestByUuid(derived)?.id).toBe(ours + 1);
    writer.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT uuid, timeframe_key FROM run_details WHERE backtest_id = ?').get(ours + 1)).toEqual({
      uuid: derived,
      timeframe_key: '1Hour',
    });
    raw.close();
  });

  it('deleting a row with the older tool (foreign keys off) removes its side rows too', () => {
    const path = join(dir, 'ours.db');
    const db = TradingDatabase.open(path);
    const id = db.saveBacktestResult(
      sampleInput({
        trades: [],
        equityCurve: { timeMs: new Float64Array([1, 2]), equity: new Float64Array([10_000, 10_100]) },
      }),
    );
    db.close();
    python(
      'import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute("DELETE FROM backtest_results WHERE id = ?", (int(sys.argv[2]),))\nc.commit()',
      path,
      String(id),
    );
    const raw = new Database(path, { readonly: true });
    for (const table of ['run_details', 'run_trades', 'backtest_equity']) {
      expect(raw.prepare(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
    }
    raw.close();
  });

  it('keeps backtest_results exactly the older tool’s table: 18 columns, its two indexes', () => {
    const path = join(dir, 'ours.db');
    TradingDatabase.open(path).close();
    const raw = new Database(path, { readonly: true });
    const columns = raw.prepare("SELECT name, type, pk FROM pragma_table_info('backtest_results')").all();
    expect(columns.map((c) => (c as { name: string }).name)).toEqual(LEGACY_COLUMNS.map((c) => c.name));
    const indexes = raw
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'backtest_results' AND sql IS NOT NULL",
      )
      .pluck()
      .all();
    expect(indexes).toEqual(expect.arrayContaining(['idx_backtest_symbol', 'idx_backtest_timestamp']));
    expect(indexes).toHaveLength(2);
    raw.close();
  });
});

describe('a database written by an earlier release (schema 2: 40 columns in backtest_results)', () => {
  function v2Snapshot(path: string) {
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT * FROM backtest_results ORDER BY id').all() as Record<string, unknown>[];
    const curves = raw.prepare('SELECT * FROM backtest_equity ORDER BY backtest_id').all();
    const hasBarRows = raw.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'bars'").get() !== undefined;
    const bars = hasBarRows ? raw.prepare('SELECT * FROM bars ORDER BY symbol, timeframe, time_ms').all() : undefined;
    const sequence = raw.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'backtest_results'").pluck().get();
    raw.close();
    return { rows, curves, bars, sequence };
  }

  it('is read as it is, read-only, every value there and the file unchanged', () => {
    const path = join(dir, 'v2.db');
    copyFileSync(V2_FIXTURE, path);
    const bytes = readFileSync(path);
    const { rows } = v2Snapshot(path);
    const db = TradingDatabase.open(path, { readonly: true });
    const read = db.getBacktestResults({ sort: 'id', order: 'asc' });
    expect(read).toHaveLength(rows.length);
    read.forEach((row, i) => expect(row).toMatchObject(rows[i] as object));
    expect(db.getEquityCurve(1)?.timeMs.length).toBeGreaterThan(0);
    db.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('migrates to side tables without losing a value, keeping ids and the id counter', () => {
    const path = join(dir, 'v2.db');
    copyFileSync(V2_FIXTURE, path);
    const before = v2Snapshot(path);
    expect(Object.keys(before.rows[0] as object)).toHaveLength(40);
    const notices: string[] = [];
    const db = TradingDatabase.open(path, { onNotice: (line) => notices.push(line) });
    expect(notices).toEqual([
      `Upgraded ${path} from schema version 2 to ${CURRENT_SCHEMA_VERSION}: ${MIGRATIONS.filter((m) => m.version > 2)
        .map((m) => m.notice ?? m.description)
        .join('; ')}, every value kept`,
    ]);
    const after = db.getBacktestResults({ sort: 'id', order: 'asc' });
    expect(after).toHaveLength(before.rows.length);
    after.forEach((row, i) => {
      const old = before.rows[i] as Record<string, unknown>;
      for (const [key, value] of Object.entries(old))
        expect([key, (row as unknown as Record<string, unknown>)[key]]).toEqual([key, value]);
      // Runs of earlier releases get the UUID their columns derive.
      expect(row.uuid).toBe(legacyRowUuid(old));
    });
    // A sweep id and an infinite profit factor survived, and rank as before.
    expect(db.getBacktestResults({ sweepId: 'sweep-20250101-000000-abcdef' })).toHaveLength(1);
    expect(db.getBestBacktest('EURUSD', '1h', 'profit_factor')?.profit_factor).toBe(Infinity);
    const newId = db.saveBacktestResult(sampleInput());
    expect(newId).toBe((before.sequence as number) + 1);
    // Every bar row is in the chunked bar store now, and the old table is gone.
    const rows = before.bars as {
      time_ms: number;
      open: number;
      high: number;
      low: number;
      close: number;
      volume: number;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    const bars = db.loadBars('GOOG', '1Day');
    expect(Array.from(bars?.timeMs ?? [])).toEqual(rows.map((r) => r.time_ms));
    expect(Array.from(bars?.close ?? [])).toEqual(rows.map((r) => r.close));
    expect(Array.from(bars?.volume ?? [])).toEqual(rows.map((r) => r.volume));
    db.close();
    const after2 = v2Snapshot(path);
    expect(Object.keys(after2.rows[0] as object)).toEqual(LEGACY_COLUMNS.map((c) => c.name));
    expect(after2.bars).toBeUndefined();
    // Equity curves are kept byte for byte (the month-end columns are new and empty).
    expect(
      after2.curves.map((c) => {
        const { month_end_time_ms: _t, month_end_equity: _e, ...rest } = c as Record<string, unknown>;
        return rest;
      }),
    ).toEqual(before.curves);
  });
});
