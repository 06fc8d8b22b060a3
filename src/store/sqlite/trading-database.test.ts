import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../core/errors.js';
import { RANKABLE_METRICS } from '../../core/metric-catalog.js';
import { sha256Hex } from '../canonical-json.js';
import type { BacktestInput } from '../run-input.js';
import { CURRENT_SCHEMA_VERSION } from './schema.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { parseConfigJson, TradingDatabase } from './trading-database.js';

let dir: string;
let cleanup: () => void;
let path: string;
let db: TradingDatabase;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
  path = join(dir, 'nested', 'trading.db');
  db = TradingDatabase.open(path);
});

afterEach(() => {
  db.close();
  cleanup();
});

function expectError<T extends Error>(fn: () => unknown, type: new (...args: never[]) => T): T {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as T;
  }
  throw new Error('expected an error');
}

describe('open', () => {
  it('creates the folder and the file, in WAL mode at the current schema', () => {
    expect(existsSync(path)).toBe(true);
    expect(db.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('refuses read-only access to a missing file and does not create it', () => {
    const missing = join(dir, 'absent', 'none.db');
    const error = expectError(() => TradingDatabase.open(missing, { readonly: true }), StoreError);
    expect(error.message).toContain(missing);
    expect(error.message).toContain('does not exist');
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(dir, 'absent'))).toBe(false);
  });

  it('reads through a read-only connection but refuses to save with a clear StoreError', () => {
    // Tests run as root, where chmod 444 does not stop writes; a read-only connection does.
    const id = db.saveBacktestResult(sampleInput());
    const reader = TradingDatabase.open(path, { readonly: true });
    try {
      expect(reader.getBacktest(id)?.total_return).toBe(12.5);
      const error = expectError(() => reader.saveBacktestResult(sampleInput()), StoreError);
      expect(error.message).toContain(path);
      expect(error.message).toContain('read-only');
      expect(error.exitCode).toBe(5);
    } finally {
      reader.close();
    }
    expect(db.countBacktestResults()).toBe(1);
  });

  it('turns a lock held too long by another connection into a StoreError', () => {
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const impatient = TradingDatabase.open(path, { busyTimeoutMs: 50 });
    try {
      const error = expectError(() => impatient.saveBacktestResult(sampleInput()), StoreError);
      expect(error.message).toContain(`database ${path} is locked by another process`);
      expect(error.message).toContain('while trying to save a backtest result');
    } finally {
      impatient.close();
      other.exec('ROLLBACK');
      other.close();
    }
    expect(db.saveBacktestResult(sampleInput())).toBe(1);
  });

  it('says the database is closed after close()', () => {
    db.close();
    db.close();
    const error = expectError(() => db.getBacktestResults(), StoreError);
    expect(error.message).toBe(`database ${path} is closed; cannot list backtest results`);
  });
});

describe('saveBacktestResult', () => {
  it('stores every field, the config as canonical JSON with its hash, and reads them back', () => {
    const config = { strategy: { name: 'sma-cross', params: { slow: 30, fast: 10 } }, initialCash: 10_000 };
    const id = db.saveBacktestResult(
      sampleInput({
        modelPath: 'models/policy.onnx',
        sharpeRatio: 1.25,
        maxDrawdown: -7.5,
        winRate: 55,
        profitFactor: 1.8,
        totalTrades: 12,
        avgTradePnl: 104.17,
        config,
        notes: 'first run',
        metrics: { cagr: 11.9, volatility: 18.2, sqn: 2.1, max_drawdown_duration: 40, exposure: 61.5 },
        strategyName: 'sma-cross',
        strategyParams: { slow: 30, fast: 10 },
        modelSha256: 'AB'.repeat(32),
        bars: { sha256: 'cd'.repeat(32), count: 252, firstTimeMs: 1_577_836_800_000, lastTimeMs: 1_609_372_800_000 },
        packageVersion: '0.1.0',
        sweepId: 'sweep-1',
      }),
    );
    const row = db.getBacktestOrThrow(id);
    const canonical = '{"initialCash":10000,"strategy":{"name":"sma-cross","params":{"fast":10,"slow":30}}}';
    expect(row).toMatchObject({
      id,
      symbol: 'GOOG',
      timeframe: '1Day',
      model_path: 'models/policy.onnx',
      run_timestamp: 1_700_000_000,
      start_date: 1_577_836_800,
      end_date: 1_609_372_800,
      initial_capital: 10_000,
      final_equity: 11_250,
      total_return: 12.5,
      sharpe_ratio: 1.25,
      max_drawdown: -7.5,
      win_rate: 55,
      profit_factor: 1.8,
      total_trades: 12,
      avg_trade_pnl: 104.17,
      config_json: canonical,
      notes: 'first run',
      cagr: 11.9,
      volatility: 18.2,
      sortino_ratio: null,
      sqn: 2.1,
      max_drawdown_duration: 40,
      exposure: 61.5,
      strategy_name: 'sma-cross',
      strategy_params_json: '{"fast":10,"slow":30}',
      model_sha256: 'ab'.repeat(32),
      bars_sha256: 'cd'.repeat(32),
      bars_count: 252,
      bars_first_time_ms: 1_577_836_800_000,
      bars_last_time_ms: 1_609_372_800_000,
      package_version: '0.1.0',
      sweep_id: 'sweep-1',
      config_hash: sha256Hex(canonical),
    });
    expect(parseConfigJson(row)).toEqual(config);
  });

  it('defaults runTimestamp to now in unix seconds', () => {
    const before = Math.floor(Date.now() / 1000);
    const { runTimestamp: _, ...input } = sampleInput();
    const row = db.getBacktestOrThrow(db.saveBacktestResult(input));
    expect(row.run_timestamp).toBeGreaterThanOrEqual(before);
    expect(row.run_timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('round-trips ±Infinity as IEEE REAL values', () => {
    const id = db.saveBacktestResult(sampleInput({ profitFactor: Infinity, metrics: { calmar_ratio: -Infinity } }));
    const row = db.getBacktestOrThrow(id);
    expect(row.profit_factor).toBe(Infinity);
    expect(row.calmar_ratio).toBe(-Infinity);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT typeof(profit_factor) AS t FROM backtest_results WHERE id = ?').get(id)).toEqual({
      t: 'real',
    });
    raw.close();
  });

  it('refuses NaN with a ConfigError naming the field, and writes nothing', () => {
    const error = expectError(() => db.saveBacktestResult(sampleInput({ sharpeRatio: Number.NaN })), ConfigError);
    expect(error.message).toBe(
      'cannot save backtest result: field sharpeRatio is NaN; store an undefined metric as null',
    );
    const nested = expectError(() => db.saveBacktestResult(sampleInput({ metrics: { sqn: Number.NaN } })), ConfigError);
    expect(nested.message).toContain('field metrics.sqn is NaN');
    expect(db.countBacktestResults()).toBe(0);
  });

  it('refuses other bad input with messages that say how to fix it', () => {
    const cases: [Partial<BacktestInput>, string][] = [
      [{ startDate: 1_577_836_800_000 }, 'field startDate is 1577836800000, which looks like milliseconds'],
      [{ symbol: '' }, 'field symbol must be a non-empty string, not empty'],
      [{ initialCapital: 0 }, 'field initialCapital must be a finite number above 0, not 0'],
      [{ totalTrades: 2.5 }, 'field totalTrades must be a whole number of at least 0, not 2.5'],
      [{ endDate: 1_500_000_000 }, 'endDate 1500000000 is before startDate 1577836800'],
      [{ sharpeRatio: 1, metrics: { sharpe_ratio: 2 } }, 'sharpeRatio is 1 but metrics.sharpe_ratio is 2'],
      [{ config: { fee: Number.NaN } }, 'backtest result config.fee is NaN, which JSON cannot store'],
    ];
    for (const [override, message] of cases) {
      const error = expectError(() => db.saveBacktestResult(sampleInput(override)), ConfigError);
      expect(error.message).toContain(message);
    }
    const unknownKey = expectError(
      () => db.saveBacktestResult({ ...sampleInput(), sharpe: 1 } as unknown as BacktestInput),
      ConfigError,
    );
    expect(unknownKey.message).toContain('sharpe');
    expect(db.countBacktestResults()).toBe(0);
  });

  it('keeps a downsampled equity curve of at most 300 points, with first, last, peak and trough', () => {
    const n = 10_000;
    const timeMs = new Float64Array(n);
    const equity = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      timeMs[i] = 1_577_836_800_000 + i * 60_000;
      equity[i] = 10_000 + 500 * Math.sin(i / 300);
    }
    equity[4321] = 20_000; // peak
    equity[7777] = 1_000; // trough
    const id = db.saveBacktestResult(sampleInput({ equityCurve: { timeMs, equity } }));
    const curve = db.getEquityCurve(id);
    expect(curve).toBeDefined();
    if (curve === undefined) return;
    expect(curve.timeMs.length).toBeLessThanOrEqual(300);
    expect(curve.equity.length).toBe(curve.timeMs.length);
    expect(curve.sourcePointCount).toBe(n);
    expect(curve.timeMs[0]).toBe(timeMs[0]);
    expect(curve.timeMs[curve.timeMs.length - 1]).toBe(timeMs[n - 1]);
    expect(curve.equity[curve.equity.length - 1]).toBe(equity[n - 1]);
    expect(Math.max(...curve.equity)).toBe(20_000);
    expect(Math.min(...curve.equity)).toBe(1_000);
    expect([...curve.timeMs]).toContain(timeMs[4321]);
    expect(db.getEquityCurve(db.saveBacktestResult(sampleInput()))).toBeUndefined();
  });

  it('leaves no partial row when the equity insert fails after the summary insert', () => {
    const raw = new Database(path);
    raw.exec(
      "CREATE TRIGGER fail_equity BEFORE INSERT ON backtest_equity BEGIN SELECT RAISE(ABORT, 'equity insert failed'); END",
    );
    raw.close();
    const equityCurve = { timeMs: new Float64Array([1, 2, 3]), equity: new Float64Array([10, 11, 12]) };
    const error = expectError(() => db.saveBacktestResult(sampleInput({ equityCurve })), StoreError);
    expect(error.message).toContain('equity insert failed');
    expect(db.countBacktestResults()).toBe(0);
    // A batch is all or none too: the first input (no curve) is rolled back with the second.
    expectError(() => db.saveBacktestResults([sampleInput(), sampleInput({ equityCurve })]), StoreError);
    expect(db.countBacktestResults()).toBe(0);
  });

  it('saves a batch in input order and validates all inputs before writing', () => {
    const ids = db.saveBacktestResults([sampleInput({ symbol: 'A' }), sampleInput({ symbol: 'B' })]);
    expect(ids.map((id) => db.getBacktestOrThrow(id).symbol)).toEqual(['A', 'B']);
    const error = expectError(
      () => db.saveBacktestResults([sampleInput({ symbol: 'C' }), sampleInput({ winRate: Number.NaN })]),
      ConfigError,
    );
    expect(error.message).toContain('backtest result 2 of 2: field winRate is NaN');
    expect(db.countBacktestResults()).toBe(2);
  });
});

describe('getBacktestResults', () => {
  beforeEach(() => {
    db.saveBacktestResults([
      sampleInput({ symbol: 'GOOG', runTimestamp: 100, sharpeRatio: 1 }),
      sampleInput({ symbol: 'GOOG', runTimestamp: 300, sharpeRatio: null }),
      sampleInput({ symbol: 'MSFT', runTimestamp: 200, sharpeRatio: 3, sweepId: 's1' }),
      sampleInput({ symbol: 'GOOG', runTimestamp: 300, sharpeRatio: 2, timeframe: '1Hour', sweepId: 's1' }),
    ]);
  });

  it('lists newest first, ties by id descending, with paging and a count', () => {
    const rows = db.getBacktestResults();
    expect(rows.map((r) => [r.run_timestamp, r.id])).toEqual([
      [300, 4],
      [300, 2],
      [200, 3],
      [100, 1],
    ]);
    expect(db.getBacktestResults({ limit: 2, offset: 1 }).map((r) => r.id)).toEqual([2, 3]);
    expect(db.countBacktestResults({ symbol: 'GOOG' })).toBe(3);
    expect(db.countBacktestResults({ sweepId: 's1' })).toBe(2);
  });

  it('filters by every field', () => {
    expect(db.getBacktestResults({ symbol: 'GOOG', timeframe: '1Day' }).map((r) => r.id)).toEqual([2, 1]);
    expect(db.getBacktestResults({ sweepId: 's1' }).map((r) => r.id)).toEqual([4, 3]);
    expect(db.getBacktestResults({ sinceTimestamp: 200 }).map((r) => r.id)).toEqual([4, 2, 3]);
    expect(db.getBacktestResults({ modelPath: 'x.onnx' })).toEqual([]);
  });

  it('sorts by a metric best first by default, NULLs last in either order', () => {
    expect(db.getBacktestResults({ sort: 'sharpe_ratio' }).map((r) => r.sharpe_ratio)).toEqual([3, 2, 1, null]);
    expect(db.getBacktestResults({ sort: 'sharpe_ratio', order: 'asc' }).map((r) => r.sharpe_ratio)).toEqual([
      1,
      2,
      3,
      null,
    ]);
  });

  it('treats an SQL-injection attempt in a filter as plain data', () => {
    const evil = "GOOG' OR '1'='1";
    expect(db.getBacktestResults({ symbol: evil })).toEqual([]);
    expect(db.countBacktestResults({ symbol: "x'; DROP TABLE backtest_results; --" })).toBe(0);
    const id = db.saveBacktestResult(sampleInput({ symbol: evil }));
    expect(db.getBacktestResults({ symbol: evil }).map((r) => r.id)).toEqual([id]);
    expect(db.countBacktestResults()).toBe(5);
  });

  it('refuses an unknown sort key and bad paging with a ConfigError', () => {
    const sort = expectError(() => db.getBacktestResults({ sort: 'id; DROP TABLE x' as 'id' }), ConfigError);
    expect(sort.message).toContain('cannot sort by "id; DROP TABLE x"');
    expectError(() => db.getBacktestResults({ limit: 0 }), ConfigError);
    expectError(() => db.getBacktestResults({ offset: -1 }), ConfigError);
  });
});

describe('getBestBacktest', () => {
  it('ranks every rankable metric in its own direction and ignores NULLs', () => {
    for (const metric of RANKABLE_METRICS) {
      const { dir: d, cleanup: c } = makeTempDir();
      const store = TradingDatabase.open(join(d, 'best.db'));
      try {
        const input = (value: number | null, runTimestamp: number): BacktestInput =>
          metric === 'total_return'
            ? sampleInput({ runTimestamp, totalReturn: value ?? 0 })
            : metric === 'final_equity'
              ? sampleInput({ runTimestamp, finalEquity: value ?? 0 })
              : sampleInput({ runTimestamp, metrics: { [metric]: value } });
        const low = store.saveBacktestResult(input(-5, 10));
        const high = store.saveBacktestResult(input(7, 11));
        // final_equity and total_return are NOT NULL columns; the others get a NULL run that must be skipped.
        if (metric !== 'total_return' && metric !== 'final_equity') store.saveBacktestResult(input(null, 12));
        const best = store.getBestBacktest('GOOG', '1Day', metric);
        if (metric === 'max_drawdown') {
          // Closest to zero: |-5| = 5 < |7| = 7, although 7 is higher.
          expect(best?.id).toBe(low);
        } else if (metric === 'volatility' || metric === 'max_drawdown_duration') {
          expect(best?.id).toBe(low);
        } else {
          expect(best?.id, metric).toBe(high);
        }
      } finally {
        store.close();
        c();
      }
    }
  });

  it('ranks an infinite profit factor above every finite one', () => {
    db.saveBacktestResult(sampleInput({ profitFactor: 1e300 }));
    const infinite = db.saveBacktestResult(sampleInput({ profitFactor: Infinity, runTimestamp: 1 }));
    db.saveBacktestResult(sampleInput({ profitFactor: null, runTimestamp: 2_000_000_000 }));
    expect(db.getBestBacktest('GOOG', '1Day', 'profit_factor')?.id).toBe(infinite);
  });

  it('breaks ties by the most recent run, then the highest id', () => {
    db.saveBacktestResult(sampleInput({ sharpeRatio: 2, runTimestamp: 500 }));
    const recent = db.saveBacktestResult(sampleInput({ sharpeRatio: 2, runTimestamp: 900 }));
    db.saveBacktestResult(sampleInput({ sharpeRatio: 2, runTimestamp: 700 }));
    expect(db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio')?.id).toBe(recent);
    const last = db.saveBacktestResult(sampleInput({ sharpeRatio: 2, runTimestamp: 900 }));
    expect(db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio')?.id).toBe(last);
  });

  it('returns undefined when every value is NULL or there are no runs, and filters by sweep', () => {
    db.saveBacktestResult(sampleInput({ sharpeRatio: null }));
    expect(db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio')).toBeUndefined();
    expect(db.getBestBacktest('MSFT', '1Day')).toBeUndefined();
    const inSweep = db.saveBacktestResult(sampleInput({ totalReturn: 1, sweepId: 'a' }));
    db.saveBacktestResult(sampleInput({ totalReturn: 50 }));
    expect(db.getBestBacktest('GOOG', '1Day', 'total_return', { sweepId: 'a' })?.id).toBe(inSweep);
  });

  it('refuses an unknown or unrankable metric, listing the valid ones', () => {
    const unknown = expectError(() => db.getBestBacktest('GOOG', '1Day', 'sharpe' as 'sqn'), ConfigError);
    expect(unknown.message).toBe(`unknown metric "sharpe"; choose one of: ${RANKABLE_METRICS.join(', ')}`);
    const injected = expectError(
      () => db.getBestBacktest('GOOG', '1Day', 'total_return DESC; DROP TABLE bars' as 'sqn'),
      ConfigError,
    );
    expect(injected.message).toContain('unknown metric');
    const unrankable = expectError(() => db.getBestBacktest('GOOG', '1Day', 'total_trades'), ConfigError);
    expect(unrankable.message).toContain('metric "total_trades" cannot be ranked');
  });
});

describe('delete', () => {
  it('deletes runs and their equity curves', () => {
    const curve = { timeMs: new Float64Array([1, 2]), equity: new Float64Array([10, 11]) };
    const [a, b, c] = db.saveBacktestResults([
      sampleInput({ equityCurve: curve }),
      sampleInput(),
      sampleInput({ equityCurve: curve }),
    ]) as [number, number, number];
    expect(db.deleteBacktest(a)).toBe(true);
    expect(db.deleteBacktest(a)).toBe(false);
    expect(db.getBacktest(a)).toBeUndefined();
    expect(db.deleteBacktests([b, c, 999])).toBe(2);
    expect(db.countBacktestResults()).toBe(0);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM backtest_equity').get()).toEqual({ n: 0 });
    raw.close();
    const error = expectError(() => db.getBacktestOrThrow(a), StoreError);
    expect(error.message).toBe(`database ${path} has no backtest with id ${a}`);
  });

  it('never reuses an id after a delete (AUTOINCREMENT), so orphaned curves cannot attach to new runs', () => {
    const first = db.saveBacktestResult(sampleInput());
    db.deleteBacktest(first);
    expect(db.saveBacktestResult(sampleInput())).toBe(first + 1);
  });
});

describe('files on disk', () => {
  it('leaves only the database and its WAL side files in the folder', () => {
    db.saveBacktestResult(sampleInput());
    expect(readdirSync(join(dir, 'nested')).sort()).toEqual(['trading.db', 'trading.db-shm', 'trading.db-wal']);
  });
});
