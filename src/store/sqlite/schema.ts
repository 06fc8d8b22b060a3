/**
 * The SQLite schema and its migrations.
 *
 * `backtest_results` is the older Python tool's table, kept exactly (18 columns, its two
 * indexes) so its code keeps working on every file this project writes, including
 * `INSERT INTO backtest_results VALUES (NULL, ...)` with 18 values and `SELECT *` unpacked into
 * 18 fields. Everything else lives in side tables keyed by the run id:
 *
 * - `run_details`: a stable UUID, every metric (copies of the legacy ones too, so one covering
 *   index ranks by any metric), provenance, sweep id, and the symbol (upper-case) and
 *   timeframe (canonical) the ranking index is keyed by.
 * - `run_trades`: the packed trade list (see `trade-codec.ts`); `backtest_equity`: a
 *   downsampled equity curve and the month-end points of the full one (for exact monthly
 *   returns); `sweeps`: sweep definitions and status.
 * - `bar_sets` and `bar_chunks` (schema 4): imported bars, one set per symbol and timeframe,
 *   stored as columnar chunks (see `../bar-chunks.ts`).
 * - Schema 5 adds `returns_skewness`, `returns_kurtosis` and `returns_count` to `run_details`.
 * - Schema 6 adds `run_period_returns` (each sweep run's returns on the sweep's period grid) and
 *   `sweep_overfit` (each sweep's probability of backtest overfitting).
 * - Schema 7 adds `run_oos_metrics` (each split run's out-of-sample metrics), `walk_forwards` and
 *   `walk_forward_windows` (walk-forward groups), and the run → group link in `run_details`.
 *
 * Rows other programs insert straight into `backtest_results` get their `run_details` row from
 * a trigger written in plain SQL (so the older tool, which knows nothing of it, still works):
 * its `uuid` stays NULL until this project's next write derives it (`legacyRowUuid`), and
 * readers derive the same value meanwhile. Triggers, not foreign keys, delete side rows with
 * their run, because other programs open the file with foreign keys off (SQLite's default).
 */
import type Database from 'better-sqlite3';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import { LEGACY_COLUMNS, METRIC_COLUMN } from '../run-row.js';
import { INSERT_BAR_CHUNK_SQL, insertBarChunks } from './bar-chunk-rows.js';
import { legacyBarGroups, readLegacyBars } from './legacy-bars.js';

/** One step of the schema, applied in its own transaction together with `PRAGMA user_version`. */
export interface Migration {
  /** The `user_version` the database has after this step. */
  readonly version: number;
  readonly description: string;
  /** What the upgrade notice says this step did to an existing file; default: `description`. */
  readonly notice?: string;
  readonly up: (db: Database.Database) => void;
  /**
   * For a step released after a later one (6 came after 7): whether a file whose `user_version`
   * is past this step has what it adds. A file made by a build that had 7 but not 6 answers
   * false, and the step runs on it then (`up` must then be idempotent). Without it, a file past
   * the step's version is taken to have it.
   */
  readonly applied?: (db: Database.Database) => boolean;
}

/**
 * The older Python tool's DDL, verbatim. Its files have `user_version` 0 and this table, so
 * migration 1 is a no-op for them and only creates the table in new files.
 */
export const LEGACY_DDL = `
CREATE TABLE IF NOT EXISTS backtest_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT, symbol TEXT NOT NULL, timeframe TEXT NOT NULL,
  model_path TEXT, run_timestamp INTEGER NOT NULL, start_date INTEGER NOT NULL, end_date INTEGER NOT NULL,
  initial_capital REAL NOT NULL, final_equity REAL NOT NULL, total_return REAL NOT NULL,
  sharpe_ratio REAL, max_drawdown REAL, win_rate REAL, profit_factor REAL, total_trades INTEGER,
  avg_trade_pnl REAL, config_json TEXT, notes TEXT);
CREATE INDEX IF NOT EXISTS idx_backtest_symbol ON backtest_results(symbol, timeframe);
CREATE INDEX IF NOT EXISTS idx_backtest_timestamp ON backtest_results(run_timestamp DESC);
`;

/** Names of the columns `table` has now. */
export function tableColumns(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/**
 * Metric columns added by schema version 5: the shape of the per-bar returns, which the deflated
 * Sharpe ratio needs. They are not version 3's, and not in the ranking index (nothing ranks by them).
 */
const RETURN_SHAPE_COLUMNS = [
  ['returns_skewness', 'REAL'],
  ['returns_kurtosis', 'REAL'],
  ['returns_count', 'INTEGER'],
] as const;
const RETURN_SHAPE_NAMES = new Set<string>(RETURN_SHAPE_COLUMNS.map(([name]) => name));
/** The metric columns of schema version 3: every one is in the ranking index. */
const METRIC_COLUMNS = METRIC_CATALOG.map((m) => METRIC_COLUMN[m.name]).filter((c) => !RETURN_SHAPE_NAMES.has(c));
const LEGACY_NAMES = new Set<string>(LEGACY_COLUMNS.map((c) => c.name));
/** Metrics the older tool's table also has; the side table keeps copies of them for ranking. */
const LEGACY_METRIC_COLUMNS = METRIC_COLUMNS.filter((c) => LEGACY_NAMES.has(c));

/** Provenance and grouping fields of `run_details`, beside the keys and the metrics. */
export const DETAIL_INFO_COLUMNS = [
  ['out_of_money_time_ms', 'INTEGER'],
  ['strategy_name', 'TEXT'],
  ['strategy_params_json', 'TEXT'],
  ['strategy_module_path', 'TEXT'],
  ['strategy_module_sha256', 'TEXT'],
  ['model_sha256', 'TEXT'],
  ['bars_sha256', 'TEXT'],
  ['bars_count', 'INTEGER'],
  ['bars_first_time_ms', 'INTEGER'],
  ['bars_last_time_ms', 'INTEGER'],
  ['package_version', 'TEXT'],
  ['config_hash', 'TEXT'],
  ['sweep_id', 'TEXT'],
] as const;

const DETAILS_DDL = `
CREATE TABLE IF NOT EXISTS run_details (
  backtest_id INTEGER PRIMARY KEY,
  uuid TEXT UNIQUE,
  symbol_key TEXT NOT NULL,
  timeframe_key TEXT NOT NULL,
  run_timestamp INTEGER NOT NULL,
  ${METRIC_COLUMNS.map((c) => `${c} ${c === 'total_trades' ? 'INTEGER' : 'REAL'}`).join(',\n  ')},
  ${DETAIL_INFO_COLUMNS.map(([name, type]) => `${name} ${type}`).join(',\n  ')});
CREATE TABLE IF NOT EXISTS run_trades (
  backtest_id INTEGER PRIMARY KEY,
  trade_count INTEGER NOT NULL,
  trades BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sweeps (
  sweep_id TEXT PRIMARY KEY,
  symbol TEXT NOT NULL,
  timeframe TEXT NOT NULL,
  status TEXT NOT NULL,
  planned INTEGER NOT NULL,
  done INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  definition_json TEXT NOT NULL);
`;

/**
 * A covering index for ranking and listing within one symbol and timeframe: its entries hold
 * the save time and every metric, so "best by any metric" and "newest 100" read one contiguous
 * stretch of the index instead of one scattered table page per run (measured by
 * scripts/bench-db.ts). One wide index costs one more page write per save; one index per metric
 * would cost twenty.
 */
const DETAIL_INDEXES_DDL = `
CREATE INDEX IF NOT EXISTS idx_run_rank ON run_details(symbol_key, timeframe_key, run_timestamp, ${METRIC_COLUMNS.join(', ')});
CREATE INDEX IF NOT EXISTS idx_run_sweep ON run_details(sweep_id) WHERE sweep_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_run_pending ON run_details(backtest_id) WHERE uuid IS NULL;
CREATE INDEX IF NOT EXISTS idx_sweeps_status ON sweeps(status, created_ms);
`;

const copiedColumns = ['symbol_key', 'timeframe_key', 'run_timestamp', ...LEGACY_METRIC_COLUMNS];
const copiedValues = (row: 'NEW') => [
  `upper(trim(${row}.symbol))`,
  `trim(${row}.timeframe)`,
  `${row}.run_timestamp`,
  ...LEGACY_METRIC_COLUMNS.map((c) => `${row}.${c}`),
];

/**
 * Plain-SQL triggers that keep the side tables in step with rows other programs write. This
 * project's own saves go through the insert trigger too and then complete the row.
 */
const TRIGGERS_DDL = `
CREATE TRIGGER IF NOT EXISTS trg_backtest_results_insert AFTER INSERT ON backtest_results BEGIN
  INSERT INTO run_details (backtest_id, ${copiedColumns.join(', ')}) VALUES (NEW.id, ${copiedValues('NEW').join(', ')});
END;
CREATE TRIGGER IF NOT EXISTS trg_backtest_results_update AFTER UPDATE ON backtest_results BEGIN
  UPDATE run_details SET ${copiedColumns.map((c, i) => `${c} = ${copiedValues('NEW')[i]}`).join(', ')}
    WHERE backtest_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS trg_backtest_results_delete AFTER DELETE ON backtest_results BEGIN
  DELETE FROM run_details WHERE backtest_id = OLD.id;
  DELETE FROM run_trades WHERE backtest_id = OLD.id;
  DELETE FROM backtest_equity WHERE backtest_id = OLD.id;
END;
`;

/**
 * Schema version 3: moves everything but the older tool's 18 columns out of
 * `backtest_results` into `run_details`, keeping every value. A version-2 file (written by an
 * earlier release, whose `backtest_results` had 40 columns) is rebuilt with the 18 columns; its
 * ids and AUTOINCREMENT counter are kept. Files with the 18 columns only gain side tables.
 */
function migrateToSideTables(db: Database.Database): void {
  const existing = tableColumns(db, 'backtest_results');
  const extra = (name: string): string => (existing.has(name) ? name : 'NULL');
  db.exec(DETAILS_DDL);
  const metricValues = METRIC_COLUMNS.map(extra);
  db.exec(`
    INSERT INTO run_details (backtest_id, uuid, symbol_key, timeframe_key, run_timestamp,
      ${METRIC_COLUMNS.join(', ')}, ${DETAIL_INFO_COLUMNS.map(([name]) => name).join(', ')})
    SELECT id, NULL, upper(trim(symbol)), trim(timeframe), run_timestamp, ${metricValues.join(', ')},
      ${DETAIL_INFO_COLUMNS.map(([name]) => extra(name)).join(', ')}
    FROM backtest_results WHERE id NOT IN (SELECT backtest_id FROM run_details);
  `);
  const added = [...existing].filter((name) => !LEGACY_NAMES.has(name));
  if (added.length > 0) rebuildLegacyTable(db);
  const equityColumns = tableColumns(db, 'backtest_equity');
  for (const column of ['month_end_time_ms', 'month_end_equity']) {
    if (!equityColumns.has(column)) db.exec(`ALTER TABLE backtest_equity ADD COLUMN ${column} BLOB`);
  }
  db.exec(DETAIL_INDEXES_DDL);
  db.exec(TRIGGERS_DDL);
}

/**
 * Rebuilds `backtest_results` with exactly the older tool's columns (SQLite's documented
 * "create, copy, drop, rename" procedure; foreign keys are off on this connection, so dropping
 * the old table deletes nothing else). The AUTOINCREMENT counter is carried over so that ids
 * of deleted runs are never handed out again.
 */
function rebuildLegacyTable(db: Database.Database): void {
  const names = LEGACY_COLUMNS.map((c) => c.name).join(', ');
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'backtest_results'").pluck().get() as
    | number
    | undefined;
  db.exec(`
    DROP INDEX IF EXISTS idx_backtest_rank;
    DROP INDEX IF EXISTS idx_backtest_sweep;
    ${LEGACY_DDL.replace('CREATE TABLE IF NOT EXISTS backtest_results', 'CREATE TABLE backtest_results_v3').replace(/CREATE INDEX[^;]*;/g, '')}
    INSERT INTO backtest_results_v3 (${names}) SELECT ${names} FROM backtest_results;
    DROP TABLE backtest_results;
    ALTER TABLE backtest_results_v3 RENAME TO backtest_results;
    ${LEGACY_DDL.match(/CREATE INDEX[^;]*;/g)?.join('\n') ?? ''}
  `);
  if (sequence !== undefined) {
    db.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'backtest_results'").run(sequence);
  }
}

/**
 * Schema version 4's bar store. `bar_sets` has one row per symbol and timeframe: the symbol as
 * first imported, upper-cased (`BTC/USD`); `symbol_key` (`symbolKey`: no `/` or `-`, so
 * `BTCUSD` and `BTC-USD` find that set, and one set per key); the timeframe in canonical
 * spelling; and where its bars came from (`source`, `feed`, `adjustment`). `bar_chunks` holds
 * a set's bars as non-overlapping chunks of up to 65,536 bars, each column one BLOB of
 * little-endian float64. `idx_bar_chunks_range` finds the chunks overlapping a time range
 * (`last_time_ms >= from AND first_time_ms <= to`) and sums a set's counts without reading a BLOB.
 */
const BAR_TABLES_DDL = `
CREATE TABLE IF NOT EXISTS bar_sets (
  set_id INTEGER PRIMARY KEY,
  symbol TEXT NOT NULL,
  symbol_key TEXT NOT NULL,
  timeframe TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'file',
  feed TEXT,
  adjustment TEXT,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (symbol_key, timeframe));
CREATE TABLE IF NOT EXISTS bar_chunks (
  set_id INTEGER NOT NULL,
  first_time_ms INTEGER NOT NULL,
  last_time_ms INTEGER NOT NULL,
  bar_count INTEGER NOT NULL,
  time_ms BLOB NOT NULL,
  open BLOB NOT NULL,
  high BLOB NOT NULL,
  low BLOB NOT NULL,
  close BLOB NOT NULL,
  volume BLOB NOT NULL,
  PRIMARY KEY (set_id, first_time_ms));
CREATE INDEX IF NOT EXISTS idx_bar_chunks_range ON bar_chunks(set_id, last_time_ms, first_time_ms, bar_count);
`;

/**
 * Schema version 4: creates the chunked bar store and moves the rows of the old `bars` table
 * into it, then drops that table. Rows of one set under several spellings (`goog`/`GOOG`,
 * `1d`/`1Day`, `BTCUSD`/`BTC/USD`) become one set; a time stored twice keeps the bar of the
 * spelling ranked first (`legacyBarGroups`), so every distinct bar is kept and the outcome does
 * not depend on row order.
 */
function migrateBarsToChunks(db: Database.Database): void {
  db.exec(BAR_TABLES_DDL);
  if (tableColumns(db, 'bars').size === 0) return;
  const prepare = (sql: string) => db.prepare(sql) as Database.Statement<unknown[], unknown>;
  const insertSet = db.prepare(
    "INSERT INTO bar_sets (symbol, symbol_key, timeframe, source, feed, adjustment, created_ms, updated_ms) VALUES (?, ?, ?, 'file', NULL, NULL, ?, ?)",
  );
  const insertChunk = prepare(INSERT_BAR_CHUNK_SQL);
  const now = Date.now();
  for (const group of legacyBarGroups(prepare)) {
    const columns = readLegacyBars(prepare, group);
    if (columns.timeMs.length === 0) continue;
    const setId = Number(insertSet.run(group.symbol, group.symbolKey, group.timeframe, now, now).lastInsertRowid);
    insertBarChunks(insertChunk, setId, columns);
  }
  db.exec('DROP TABLE bars');
}

/**
 * Schema version 5: adds the skewness, kurtosis and count of each run's per-bar returns to
 * `run_details` (`ALTER TABLE ... ADD COLUMN`, which rewrites no row). Runs saved before keep
 * NULL: their returns are not stored, so nothing can be derived for them.
 */
function addReturnShapeColumns(db: Database.Database): void {
  const existing = tableColumns(db, 'run_details');
  for (const [name, type] of RETURN_SHAPE_COLUMNS) {
    if (!existing.has(name)) db.exec(`ALTER TABLE run_details ADD COLUMN ${name} ${type}`);
  }
}

/**
 * Columns schema version 7 adds to `run_details`: the walk-forward group a run belongs to, its
 * role in it (`training`: a run of a window's grid, hidden from `list` and `best` unless asked;
 * `stitched`: the stitched out-of-sample run) and, for a training run, its window's index.
 */
export const WALK_FORWARD_COLUMNS = [
  ['walk_forward_id', 'TEXT'],
  ['walk_forward_role', 'TEXT'],
  ['walk_forward_window', 'INTEGER'],
] as const;

/** The fields of `run_oos_metrics` beside the run id and the metrics, in insert order. */
export const OOS_INFO_COLUMNS = [
  ['oos_from_ms', 'INTEGER NOT NULL'],
  ['oos_to_ms', 'INTEGER NOT NULL'],
  ['bars_count', 'INTEGER NOT NULL'],
  ['bars_sha256', 'TEXT NOT NULL'],
  ['out_of_money_time_ms', 'INTEGER'],
] as const;

/** Every metric column of `run_oos_metrics`, in catalog order. */
export const OOS_METRIC_COLUMNS: readonly string[] = METRIC_CATALOG.map((m) => METRIC_COLUMN[m.name]);

const integerMetric = (column: string): boolean => column === 'total_trades' || column === 'returns_count';

/**
 * Schema version 7: out-of-sample metrics and walk-forward groups.
 *
 * - `run_oos_metrics`: one row per run evaluated out of sample (`--oos-from`, `--oos-fraction`,
 *   and stitched walk-forward runs): the first and last out-of-sample bar times, their count and
 *   SHA-256, when the out-of-sample account ran out of money, and every metric. Deleted with its
 *   run by a trigger of its own (the delete trigger of schema 3 is left as it is).
 * - `walk_forwards`: one row per walk-forward (its definition as JSON, status, stitched run).
 * - `walk_forward_windows`: each window's training and test ranges, chosen parameters, and the
 *   chosen configuration's in-sample and out-of-sample metrics (`flat`: no configuration passed
 *   `--min-trades`, so the window stayed flat).
 * - `run_details` gains {@link WALK_FORWARD_COLUMNS}, and the ranking index gains
 *   `walk_forward_role` at its end, so hiding training runs still reads the index alone.
 */
function addOutOfSampleAndWalkForwards(db: Database.Database): void {
  const details = tableColumns(db, 'run_details');
  for (const [name, type] of WALK_FORWARD_COLUMNS) {
    if (!details.has(name)) db.exec(`ALTER TABLE run_details ADD COLUMN ${name} ${type}`);
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS run_oos_metrics (
      backtest_id INTEGER PRIMARY KEY,
      ${OOS_INFO_COLUMNS.map(([name, type]) => `${name} ${type}`).join(',\n      ')},
      ${OOS_METRIC_COLUMNS.map((c) => `${c} ${integerMetric(c) ? 'INTEGER' : 'REAL'}`).join(',\n      ')});
    CREATE TRIGGER IF NOT EXISTS trg_backtest_results_delete_oos AFTER DELETE ON backtest_results BEGIN
      DELETE FROM run_oos_metrics WHERE backtest_id = OLD.id;
    END;
    CREATE TABLE IF NOT EXISTS walk_forwards (
      group_id TEXT PRIMARY KEY,
      symbol TEXT NOT NULL,
      timeframe TEXT NOT NULL,
      strategy TEXT NOT NULL,
      status TEXT NOT NULL,
      window_count INTEGER NOT NULL,
      stitched_run_id INTEGER,
      created_ms INTEGER NOT NULL,
      updated_ms INTEGER NOT NULL,
      definition_json TEXT NOT NULL,
      summary_json TEXT);
    CREATE TABLE IF NOT EXISTS walk_forward_windows (
      group_id TEXT NOT NULL,
      window_index INTEGER NOT NULL,
      train_from_ms INTEGER NOT NULL,
      train_to_ms INTEGER NOT NULL,
      test_from_ms INTEGER NOT NULL,
      test_to_ms INTEGER NOT NULL,
      chosen_params_json TEXT,
      is_metrics_json TEXT,
      oos_metrics_json TEXT,
      flat INTEGER NOT NULL,
      PRIMARY KEY (group_id, window_index));
    CREATE INDEX IF NOT EXISTS idx_walk_forwards_created ON walk_forwards(created_ms);
    CREATE INDEX IF NOT EXISTS idx_run_walk_forward ON run_details(walk_forward_id) WHERE walk_forward_id IS NOT NULL;
  `);
  // A metric a later catalog has (a file created between two versions) gets its column too.
  const oosColumns = tableColumns(db, 'run_oos_metrics');
  for (const column of OOS_METRIC_COLUMNS) {
    if (!oosColumns.has(column)) {
      db.exec(`ALTER TABLE run_oos_metrics ADD COLUMN ${column} ${integerMetric(column) ? 'INTEGER' : 'REAL'}`);
    }
  }
  // The ranking index keeps whatever columns earlier versions gave it, plus the role at the end.
  const indexed = (
    db.prepare("SELECT name FROM pragma_index_info('idx_run_rank') ORDER BY seqno").all() as {
      name: string;
    }[]
  ).map((row) => row.name);
  if (indexed.length > 0 && !indexed.includes('walk_forward_role')) {
    db.exec('DROP INDEX idx_run_rank');
    db.exec(`CREATE INDEX idx_run_rank ON run_details(${[...indexed, 'walk_forward_role'].join(', ')})`);
  }
}

/**
 * Schema version 6's tables for the probability of backtest overfitting. `run_period_returns`:
 * each sweep run's returns on the sweep's period grid, one packed little-endian float64 BLOB per
 * run (about 16 kB for the most, 2,000 periods), so CSCV can run without the bars.
 * `sweep_overfit`: the last `backtest overfit` of each sweep, its figures and, per split, the
 * logit and the in-sample winner's in- and out-of-sample performance (float64 BLOBs). A trigger of
 * its own (the delete trigger of schema 3 is left as it is) deletes a run's period returns with it.
 */
const OVERFIT_TABLES_DDL = `
CREATE TABLE IF NOT EXISTS run_period_returns (
  backtest_id INTEGER PRIMARY KEY,
  period_count INTEGER NOT NULL,
  returns BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sweep_overfit (
  sweep_id TEXT PRIMARY KEY,
  computed_ms INTEGER NOT NULL,
  metric TEXT NOT NULL,
  blocks INTEGER NOT NULL,
  configurations INTEGER NOT NULL,
  periods INTEGER NOT NULL,
  splits INTEGER NOT NULL,
  pbo REAL NOT NULL,
  slope REAL,
  intercept REAL,
  r_squared REAL,
  probability_of_loss REAL NOT NULL,
  logits BLOB NOT NULL,
  in_sample BLOB NOT NULL,
  out_of_sample BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS trg_backtest_results_delete_period_returns AFTER DELETE ON backtest_results BEGIN
  DELETE FROM run_period_returns WHERE backtest_id = OLD.id;
END;
`;

/** The first version with `run_details` and the other side tables (see `row-source.ts`). */
export const SIDE_TABLES_SCHEMA_VERSION = 3;

/** Every schema step in order; the last one's version is {@link CURRENT_SCHEMA_VERSION}. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'the older tool’s backtest_results table',
    up: (db) => db.exec(LEGACY_DDL),
  },
  {
    // Earlier releases also added columns to backtest_results here; version 3 moves them out.
    version: 2,
    description: 'equity curves and bars',
    up: (db) =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS backtest_equity (
          backtest_id INTEGER PRIMARY KEY REFERENCES backtest_results(id) ON DELETE CASCADE,
          point_count INTEGER NOT NULL,
          source_point_count INTEGER NOT NULL,
          time_ms BLOB NOT NULL,
          equity BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS bars (
          symbol TEXT NOT NULL, timeframe TEXT NOT NULL, time_ms INTEGER NOT NULL,
          open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
          PRIMARY KEY (symbol, timeframe, time_ms)) WITHOUT ROWID;
      `),
  },
  {
    version: 3,
    description: 'side tables for run details, trades and sweeps; backtest_results back to the older tool’s 18 columns',
    notice: 'run details moved to side tables',
    up: migrateToSideTables,
  },
  {
    version: 4,
    description: 'bars as columnar chunks in bar_sets and bar_chunks',
    notice: 'bars moved to columnar chunks',
    up: migrateBarsToChunks,
  },
  {
    version: 5,
    description: 'skewness, kurtosis and count of each run’s per-bar returns in run_details',
    notice: 'returns’ skewness, kurtosis and count added to run details',
    up: addReturnShapeColumns,
  },
  {
    // Independent of version 5: it only adds tables and a trigger of its own.
    version: 6,
    description:
      'period returns of sweep runs in run_period_returns; each sweep’s probability of backtest overfitting in sweep_overfit',
    notice: 'period returns of sweep runs and the probability of backtest overfitting added',
    up: (db) => db.exec(OVERFIT_TABLES_DDL),
    // Version 7 was released first: a file at 7 may lack these tables.
    applied: (db) => tableColumns(db, 'run_period_returns').size > 0 && tableColumns(db, 'sweep_overfit').size > 0,
  },
  {
    version: 7,
    description:
      'out-of-sample metrics in run_oos_metrics; walk-forward groups in walk_forwards and walk_forward_windows',
    notice: 'out-of-sample metrics and walk-forward groups added',
    up: addOutOfSampleAndWalkForwards,
  },
];

/** The schema version this build writes and understands. */
export const CURRENT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
