/**
 * The SQLite result store: one file holds every backtest run, its downsampled equity curve and
 * imported bars.
 *
 * Numeric traps, handled here and tested:
 * - SQLite silently stores a bound NaN as NULL, so NaN is refused before any SQL runs.
 * - ±Infinity round-trips through better-sqlite3 as an IEEE REAL (SQLite prints it `9.0e+999`)
 *   and sorts above/below every finite value, so an infinite profit factor ranks best.
 * - Times in `backtest_results` are unix seconds (the older tool's convention); equity curves
 *   and bars use unix milliseconds.
 *
 * Concurrency: WAL journal, a busy timeout (5 s by default) and BEGIN IMMEDIATE write
 * transactions, so several processes can save at once and readers never block writers.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { BarSeries } from '../../core/bars.js';
import { ConfigError, DataError, StoreError } from '../../core/errors.js';
import type { MetricName } from '../../core/metric-catalog.js';
import type { EquityCurve } from '../../core/result.js';
import type { Timeframe } from '../../core/timeframe.js';
import {
  type BacktestRow,
  type BacktestRowValues,
  rowFromValues,
  SELECT_LIST,
  WRITABLE_COLUMNS,
} from './backtest-columns.js';
import { type BacktestInput, decodeFloat64, type PreparedBacktest, prepareBacktest } from './backtest-input.js';
import { type BacktestFilter, type BacktestQuery, listClauses, rankClause, whereClause } from './backtest-query.js';
import { checkTransferFormat, formatBacktests, parseBacktests, type TransferFormat } from './backtest-transfer.js';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS, tableColumns } from './migrations.js';
import { toStoreError } from './to-store-error.js';

/**
 * How durable a committed save is. `normal` (default): with WAL, a commit survives a crash of
 * the process (and of any other process) but the last commits before a power loss or OS crash
 * may be lost; the file is never corrupted. `full`: also survives power loss, at the cost of an
 * fsync per commit.
 */
export type SynchronousMode = 'normal' | 'full';

/**
 * Options for {@link TradingDatabase.open}.
 *
 * @example
 * const db = TradingDatabase.open('data/trading.db', { readonly: true });
 */
export interface OpenDatabaseOptions {
  /** Open without writing anything; the file must exist and have the current schema. */
  readonly readonly?: boolean | undefined;
  /** Default `normal`; see {@link SynchronousMode}. */
  readonly synchronous?: SynchronousMode | undefined;
  /** How long a write waits for another process's write to finish, ms; default 5,000. */
  readonly busyTimeoutMs?: number | undefined;
}

/** A named set of bars in the `bars` table. */
export interface BarSetInfo {
  readonly symbol: string;
  readonly timeframe: string;
  /** Number of bars. */
  readonly count: number;
  /** Unix milliseconds. */
  readonly firstTimeMs: number;
  /** Unix milliseconds. */
  readonly lastTimeMs: number;
}

/** A stored, downsampled equity curve. */
export interface StoredEquityCurve extends EquityCurve {
  /** Points in the curve the run produced, before downsampling. */
  readonly sourcePointCount: number;
}

type Statement = Database.Statement<unknown[], unknown>;

const INSERT_SQL = `INSERT INTO backtest_results (${WRITABLE_COLUMNS.map((c) => c.name).join(', ')}) VALUES (${WRITABLE_COLUMNS.map(() => '?').join(', ')})`;
const INSERT_EQUITY_SQL =
  'INSERT INTO backtest_equity (backtest_id, point_count, source_point_count, time_ms, equity) VALUES (?, ?, ?, ?, ?)';

/**
 * The backtest database. Open it with {@link TradingDatabase.open}, use it synchronously, and
 * {@link TradingDatabase.close} it when done. Every failure is a `StoreError` naming the file,
 * a `ConfigError` for bad arguments, or a `DataError` for bad import text.
 *
 * @example
 * const db = TradingDatabase.open(resolveDatabasePath());
 * try {
 *   const id = db.saveBacktestResult({ symbol: 'GOOG', timeframe: '1Day', startDate: 1_577_836_800,
 *     endDate: 1_609_372_800, initialCapital: 10_000, finalEquity: 11_250, totalReturn: 12.5 });
 *   const best = db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio');
 * } finally {
 *   db.close();
 * }
 */
export class TradingDatabase {
  /** The file path as given to {@link TradingDatabase.open}. */
  readonly path: string;
  /** True when opened with `readonly: true`. */
  readonly readonly: boolean;
  /** Clock for default `runTimestamp`s, unix seconds. */
  private readonly now: () => number = () => Math.floor(Date.now() / 1000);
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  /** One transaction wrapper for every callback: building a new one per save costs measurable time. */
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  private constructor(db: Database.Database, path: string, readonly: boolean) {
    this.db = db;
    this.transaction = db.transaction((fn: () => unknown) => fn());
    this.path = path;
    this.readonly = readonly;
  }

  /**
   * Opens (and, for writing, creates and upgrades) the database at `path`; `':memory:'` gives a
   * private in-memory database.
   *
   * For writing, a missing folder is created and an older schema — including a file written by
   * the older Python tool — is migrated in place, one transaction per step, keeping every row.
   * A file that is not a database, or has a newer schema than this build knows, is refused with
   * a `StoreError` and left byte-for-byte unchanged. `readonly` never creates or changes a file.
   *
   * @example
   * const db = TradingDatabase.open('/tmp/runs.db');
   */
  static open(path: string, options: OpenDatabaseOptions = {}): TradingDatabase {
    const readonly = options.readonly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const synchronous = options.synchronous ?? 'normal';
    if (synchronous !== 'normal' && synchronous !== 'full') {
      throw new ConfigError(`synchronous is "${String(synchronous)}"; choose normal or full`);
    }
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new ConfigError(`busyTimeoutMs is ${busyTimeoutMs}; it must be a whole number of milliseconds, 0 or more`);
    }
    if (typeof path !== 'string' || path === '')
      throw new ConfigError('database path is empty; pass a file path or ":memory:"');
    if (path !== ':memory:') checkFile(path, readonly);

    let db: Database.Database;
    try {
      db = new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
    } catch (error) {
      throw toStoreError(error, path, 'open it');
    }
    const store = new TradingDatabase(db, path, readonly);
    try {
      store.initialize(synchronous);
    } catch (error) {
      db.close();
      throw toStoreError(error, path, 'open it');
    }
    return store;
  }

  /** Reads the schema version first, so refused files are never written to; then migrates. */
  private initialize(synchronous: SynchronousMode): void {
    const version = this.userVersion();
    if (version > CURRENT_SCHEMA_VERSION) {
      throw new StoreError(
        `database ${this.path} has schema version ${version}, newer than version ${CURRENT_SCHEMA_VERSION} that this build understands; upgrade backtest-ledger (the file was not changed)`,
      );
    }
    if (version === 0) this.checkLegacyTable();
    if (this.readonly) {
      if (version < CURRENT_SCHEMA_VERSION) {
        throw new StoreError(
          `database ${this.path} has schema version ${version} and needs upgrading to ${CURRENT_SCHEMA_VERSION}, which read-only access cannot do; open it once for writing`,
        );
      }
    } else {
      // WAL lets readers (the dashboard) work while a backtest saves; it is a persistent file setting.
      if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    }
    this.db.pragma('foreign_keys = ON');
    // 64 MB page cache: best-of scans touch one page per run of a symbol, scattered over the file.
    this.db.pragma('cache_size = -65536');
    if (!this.readonly && version < CURRENT_SCHEMA_VERSION) this.migrate();
  }

  private userVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** A version-0 file with a `backtest_results` table must be the older tool's, or we leave it alone. */
  private checkLegacyTable(): void {
    const existing = tableColumns(this.db, 'backtest_results');
    if (existing.size === 0) return;
    const missing = WRITABLE_COLUMNS.filter((c) => c.legacy && !existing.has(c.name)).map((c) => c.name);
    if (!existing.has('id')) missing.unshift('id');
    if (missing.length > 0) {
      throw new StoreError(
        `database ${this.path} has a backtest_results table without column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so it was not made by this tool or the older one; it was left untouched`,
      );
    }
  }

  private migrate(): void {
    for (const migration of MIGRATIONS) {
      const step = () => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        const version = this.userVersion();
        if (version >= migration.version) return;
        migration.up(this.db);
        this.db.pragma(`user_version = ${migration.version}`);
      };
      try {
        this.transaction.immediate(step);
      } catch (error) {
        const cause = toStoreError(error, this.path, `upgrade its schema`);
        throw new StoreError(
          `database ${this.path}: upgrading the schema to version ${migration.version} (${migration.description}) failed, so the file stays at version ${migration.version - 1}: ${cause.message}`,
          { cause: error },
        );
      }
    }
  }

  /** The schema version of the open file (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.guard('read its schema version', () => this.userVersion());
  }

  /** Closes the file; later calls on this object throw a `StoreError`. Safe to call twice. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn`, turning any SQLite failure into a `StoreError` naming the file and the action. */
  private guard<T>(action: string, fn: () => T): T {
    if (!this.db.open) throw new StoreError(`database ${this.path} is closed; cannot ${action}`);
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, this.path, action);
    }
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql) as Statement;
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** A BEGIN IMMEDIATE transaction: takes the write lock up front, so it waits instead of deadlocking. */
  private write<T>(action: string, fn: () => T): T {
    return this.guard(action, () => this.transaction.immediate(fn) as T);
  }

  private insertPrepared(prepared: PreparedBacktest): number {
    const values = WRITABLE_COLUMNS.map((c) => prepared.values[c.name as keyof BacktestRowValues]);
    const id = Number(this.statement(INSERT_SQL).run(...values).lastInsertRowid);
    const { equity } = prepared;
    if (equity !== undefined) {
      this.statement(INSERT_EQUITY_SQL).run(
        id,
        equity.pointCount,
        equity.sourcePointCount,
        equity.timeMs,
        equity.equity,
      );
    }
    return id;
  }

  /**
   * Saves one run — summary row and downsampled equity curve in one transaction — and returns
   * its id. Invalid input (NaN, a missing field, milliseconds where seconds belong) is refused
   * with a `ConfigError` naming the field before anything is written.
   *
   * @example
   * const id = db.saveBacktestResult({ symbol: 'GOOG', timeframe: '1Day', startDate: 1_577_836_800,
   *   endDate: 1_609_372_800, initialCapital: 10_000, finalEquity: 11_250, totalReturn: 12.5 });
   */
  saveBacktestResult(input: BacktestInput): number {
    const prepared = prepareBacktest(input, 'backtest result', this.now);
    return this.write('save a backtest result', () => this.insertPrepared(prepared));
  }

  /**
   * Saves many runs in one transaction (all or none) and returns their ids in input order. Every
   * input is validated before the transaction starts.
   *
   * @example
   * const ids = db.saveBacktestResults(sweepInputs);
   */
  saveBacktestResults(inputs: readonly BacktestInput[]): number[] {
    const prepared = inputs.map((input, i) =>
      prepareBacktest(input, `backtest result ${i + 1} of ${inputs.length}`, this.now),
    );
    return this.write(`save ${inputs.length} backtest results`, () => prepared.map((p) => this.insertPrepared(p)));
  }

  /**
   * Runs matching `query`, newest first unless sorted otherwise (ties broken by id, newest
   * first), at most `limit` (default 100) after skipping `offset`. Rows are keyed by column name;
   * parse `config_json` with {@link parseConfigJson} when needed.
   *
   * @example
   * const page2 = db.getBacktestResults({ symbol: 'GOOG', limit: 20, offset: 20 });
   */
  getBacktestResults(query: BacktestQuery = {}): BacktestRow[] {
    const { filter, orderBy, limit, offset } = listClauses(query);
    const where = whereClause(filter);
    return this.guard('list backtest results', () =>
      this.read(() => {
        const ids = this.statement(`SELECT id FROM backtest_results ${where.sql} ${orderBy} LIMIT ? OFFSET ?`)
          .pluck()
          .all(...where.params, limit, offset) as number[];
        return this.rowsById(ids);
      }),
    );
  }

  /**
   * Full rows for ids, in the given order. Queries pick ids first so that filtering and sorting
   * run on the covering index `idx_backtest_rank`, and only the rows returned are read.
   */
  private rowsById(ids: readonly number[]): BacktestRow[] {
    if (ids.length === 0) return [];
    if (ids.length === 1) {
      const values = this.statement(`SELECT ${SELECT_LIST} FROM backtest_results WHERE id = ?`).raw(true).get(ids[0]);
      return values === undefined ? [] : [rowFromValues(values as unknown[])];
    }
    // One statement for the whole page: per-call overhead, not SQLite, dominates 100 single-row gets.
    const found = this.statement(
      `SELECT ${SELECT_LIST} FROM backtest_results WHERE id IN (SELECT value FROM json_each(?))`,
    )
      .raw(true)
      .all(JSON.stringify(ids)) as unknown[][];
    const byId = new Map<number, BacktestRow>();
    for (const values of found) byId.set(values[0] as number, rowFromValues(values));
    const rows: BacktestRow[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }

  /** A read transaction, so that several statements see one consistent snapshot. */
  private read<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : (this.transaction.deferred(fn) as T);
  }

  /**
   * How many runs match `filter`, for paging.
   *
   * @example
   * const pages = Math.ceil(db.countBacktestResults({ symbol: 'GOOG' }) / 20);
   */
  countBacktestResults(filter: BacktestFilter = {}): number {
    const where = whereClause(filter);
    const row = this.guard('count backtest results', () =>
      this.statement(`SELECT count(*) AS n FROM backtest_results ${where.sql}`).get(...where.params),
    ) as { n: number };
    return row.n;
  }

  /**
   * The best run of `symbol`/`timeframe` by `metric`, ranked in that metric's direction
   * (`METRIC_CATALOG`: e.g. volatility lower is better, max_drawdown closest to zero). Runs where
   * the metric is NULL are never best; `Infinity` beats every finite value; ties go to the most
   * recent run (then the highest id). `filter` narrows further (e.g. one sweep). `metric` may
   * come straight from user input: an unknown or unrankable name is a `ConfigError` listing the
   * valid ones (`RANKABLE_METRICS`), and only whitelisted column names ever reach SQL.
   *
   * @example
   * const best = db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio');
   */
  getBestBacktest(
    symbol: string,
    timeframe: string,
    metric: MetricName | string = 'total_return',
    filter: BacktestFilter = {},
  ): BacktestRow | undefined {
    const { column, orderBy } = rankClause(metric);
    const where = whereClause({ ...filter, symbol, timeframe }, [`${column} IS NOT NULL`]);
    return this.guard('find the best backtest', () =>
      this.read(() => {
        const id = this.statement(`SELECT id FROM backtest_results ${where.sql} ${orderBy} LIMIT 1`)
          .pluck()
          .get(...where.params) as number | undefined;
        return id === undefined ? undefined : this.rowsById([id])[0];
      }),
    );
  }

  /**
   * One run by id, or `undefined` when there is none.
   *
   * @example
   * const row = db.getBacktest(42);
   */
  getBacktest(id: number): BacktestRow | undefined {
    checkId(id);
    return this.guard('read a backtest', () => this.rowsById([id])[0]);
  }

  /**
   * One run by id; a `StoreError` saying so when there is none.
   *
   * @example
   * const row = db.getBacktestOrThrow(42);
   */
  getBacktestOrThrow(id: number): BacktestRow {
    const row = this.getBacktest(id);
    if (row === undefined) throw new StoreError(`database ${this.path} has no backtest with id ${id}`);
    return row;
  }

  /**
   * The stored (downsampled, at most 300 points) equity curve of a run, or `undefined` when the
   * run has none (older tool's rows, imported rows, runs saved without a curve).
   *
   * @example
   * const curve = db.getEquityCurve(42); // curve?.timeMs in unix ms, curve?.equity in account currency
   */
  getEquityCurve(id: number): StoredEquityCurve | undefined {
    checkId(id);
    const row = this.guard('read an equity curve', () =>
      this.statement(
        'SELECT point_count, source_point_count, time_ms, equity FROM backtest_equity WHERE backtest_id = ?',
      ).get(id),
    ) as { point_count: number; source_point_count: number; time_ms: Buffer; equity: Buffer } | undefined;
    if (row === undefined) return undefined;
    const timeMs = decodeFloat64(row.time_ms);
    const equity = decodeFloat64(row.equity);
    if (timeMs?.length !== row.point_count || equity?.length !== row.point_count) {
      throw new StoreError(`database ${this.path}: the equity curve of backtest ${id} is corrupt (wrong length)`);
    }
    return { timeMs, equity, sourcePointCount: row.source_point_count };
  }

  /**
   * Deletes a run and its equity curve; `false` when there was no such run.
   *
   * @example
   * if (!db.deleteBacktest(42)) console.log('no run 42');
   */
  deleteBacktest(id: number): boolean {
    checkId(id);
    return this.write(
      'delete a backtest',
      () => this.statement('DELETE FROM backtest_results WHERE id = ?').run(id).changes > 0,
    );
  }

  /**
   * Deletes runs in one transaction; returns how many existed.
   *
   * @example
   * const removed = db.deleteBacktests([1, 2, 3]);
   */
  deleteBacktests(ids: readonly number[]): number {
    for (const id of ids) checkId(id);
    return this.write('delete backtests', () => {
      const stmt = this.statement('DELETE FROM backtest_results WHERE id = ?');
      let removed = 0;
      for (const id of ids) removed += stmt.run(id).changes;
      return removed;
    });
  }

  /**
   * Every run matching `filter` (all columns, oldest first by id, no limit) as CSV or JSON text;
   * see `TransferFormat` for the exact rules.
   *
   * @example
   * writeFileSync('goog.csv', db.exportBacktests({ symbol: 'GOOG' }, 'csv'));
   */
  exportBacktests(filter: BacktestFilter, format: TransferFormat): string {
    const checked = checkTransferFormat(format);
    const where = whereClause(filter);
    const rows = this.guard('export backtests', () =>
      (
        this.statement(`SELECT ${SELECT_LIST} FROM backtest_results ${where.sql} ORDER BY id ASC`)
          .raw(true)
          .all(...where.params) as unknown[][]
      ).map(rowFromValues),
    );
    return formatBacktests(rows, checked);
  }

  /**
   * Imports exported text: validates every record first (a `DataError` naming the line or
   * record and the column, nothing written), then inserts all rows in one transaction. Imported
   * rows get new ids — the exported `id` is ignored so that merging databases never collides —
   * and no equity curves. `source` names the text in error messages (e.g. the file name).
   *
   * @example
   * const { imported } = db.importBacktests(readFileSync('goog.csv', 'utf8'), 'csv', 'goog.csv');
   */
  importBacktests(text: string, format: TransferFormat, source = 'import'): { imported: number } {
    const rows = parseBacktests(text, checkTransferFormat(format), source);
    this.write('import backtests', () => {
      const stmt = this.statement(INSERT_SQL);
      for (const row of rows) stmt.run(...WRITABLE_COLUMNS.map((c) => row[c.name as keyof BacktestRowValues]));
    });
    return { imported: rows.length };
  }

  /**
   * Stores bars for their symbol and timeframe. Bars already stored in `[first, last]` of the new
   * series are replaced (deleted, then the new ones inserted) in one transaction; bars outside
   * that range stay.
   *
   * @example
   * const { inserted, replaced } = db.importBars(series);
   */
  importBars(bars: BarSeries): { inserted: number; replaced: number } {
    checkBars(bars);
    if (bars.length === 0) return { inserted: 0, replaced: 0 };
    const first = bars.timeMs[0] as number;
    const last = bars.timeMs[bars.length - 1] as number;
    return this.write(`import bars for ${bars.symbol} ${bars.timeframe}`, () => {
      const replaced = this.statement(
        'DELETE FROM bars WHERE symbol = ? AND timeframe = ? AND time_ms >= ? AND time_ms <= ?',
      ).run(bars.symbol, bars.timeframe, first, last).changes;
      const insert = this.statement(
        'INSERT INTO bars (symbol, timeframe, time_ms, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (let i = 0; i < bars.length; i++) {
        insert.run(
          bars.symbol,
          bars.timeframe,
          bars.timeMs[i],
          bars.open[i],
          bars.high[i],
          bars.low[i],
          bars.close[i],
          bars.volume[i],
        );
      }
      return { inserted: bars.length, replaced };
    });
  }

  /**
   * Every stored bar set with its size and time range, sorted by symbol then timeframe.
   *
   * @example
   * for (const set of db.listBarSets()) console.log(set.symbol, set.timeframe, set.count);
   */
  listBarSets(): BarSetInfo[] {
    return this.guard('list bar sets', () =>
      this.statement(
        'SELECT symbol, timeframe, count(*) AS count, min(time_ms) AS firstTimeMs, max(time_ms) AS lastTimeMs FROM bars GROUP BY symbol, timeframe ORDER BY symbol, timeframe',
      ).all(),
    ) as BarSetInfo[];
  }

  /**
   * Stored bars of one symbol and timeframe, optionally only those with `fromMs <= time <= toMs`
   * (unix ms, inclusive), as a columnar series; `undefined` when no bar matches.
   *
   * @example
   * const bars = db.loadBars('GOOG', '1Day', { fromMs: Date.UTC(2020, 0, 1) });
   */
  loadBars(
    symbol: string,
    timeframe: Timeframe,
    range: { readonly fromMs?: number | undefined; readonly toMs?: number | undefined } = {},
  ): BarSeries | undefined {
    const fromMs = range.fromMs ?? -Number.MAX_VALUE;
    const toMs = range.toMs ?? Number.MAX_VALUE;
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new ConfigError('loadBars: fromMs and toMs must be numbers');
    return this.guard(`load bars for ${symbol} ${timeframe}`, () => {
      const rows = this.statement(
        'SELECT time_ms, open, high, low, close, volume FROM bars WHERE symbol = ? AND timeframe = ? AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms',
      )
        .raw(true)
        .all(symbol, timeframe, fromMs, toMs) as number[][];
      if (rows.length === 0) return undefined;
      const n = rows.length;
      const columns = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n)) as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      for (let i = 0; i < n; i++) {
        const row = rows[i] as number[];
        for (let c = 0; c < 6; c++) columns[c][i] = row[c] as number;
      }
      const [timeMs, open, high, low, close, volume] = columns;
      return { symbol, timeframe, length: n, timeMs, open, high, low, close, volume };
    });
  }
}

/**
 * The stored config of a row, parsed; `undefined` when the row has none. A `StoreError` when the
 * text is not JSON (possible only in files written by other programs).
 *
 * @example
 * const config = parseConfigJson(db.getBacktestOrThrow(42));
 */
export function parseConfigJson(row: Pick<BacktestRow, 'id' | 'config_json'>): unknown {
  if (row.config_json === null) return undefined;
  try {
    return JSON.parse(row.config_json) as unknown;
  } catch (error) {
    throw new StoreError(`backtest ${row.id} has a config_json that is not valid JSON`, { cause: error });
  }
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1)
    throw new ConfigError(`backtest id ${id} is not valid; ids are whole numbers from 1`);
}

function checkFile(path: string, readonly: boolean): void {
  if (!existsSync(path)) {
    if (readonly) throw new StoreError(`database ${path} does not exist (read-only access never creates it)`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new StoreError(`database ${path}: cannot create its folder: ${(error as Error).message}`, { cause: error });
    }
    return;
  }
  if (statSync(path).isDirectory()) throw new StoreError(`database ${path} is a folder, not a file`);
  if (readonly) return;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new StoreError(
      `database ${path} is read-only (no write permission); fix its permissions or open it read-only`,
      { cause: error },
    );
  }
}

function checkBars(bars: BarSeries): void {
  const source = `bars ${bars.symbol} ${bars.timeframe}`;
  const columns = ['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const;
  for (const name of columns) {
    if (bars[name].length !== bars.length) {
      throw new DataError({
        source,
        field: name,
        reason: `has ${bars[name].length} values but the series has ${bars.length} bars`,
      });
    }
  }
  for (let i = 0; i < bars.length; i++) {
    const t = bars.timeMs[i] as number;
    if (!Number.isSafeInteger(t) || (i > 0 && t <= (bars.timeMs[i - 1] as number))) {
      throw new DataError({
        source,
        field: 'timeMs',
        reason: `bar ${i} time ${t} is not a whole number of ms after the previous bar`,
      });
    }
    for (const name of columns) {
      if (!Number.isFinite(bars[name][i] as number)) {
        throw new DataError({ source, field: name, reason: `bar ${i} is ${bars[name][i]}, not a finite number` });
      }
    }
  }
}
