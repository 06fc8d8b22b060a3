/**
 * The result store: backtest runs, equity curves and bars in one SQLite file.
 *
 * @example
 * const db = TradingDatabase.open(resolveDatabasePath());
 * const best = db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio');
 * db.close();
 */
export { canonicalJson, sha256Hex } from './canonical-json.js';
export { downsampleEquity, MAX_EQUITY_POINTS } from './downsample-equity.js';
export { DATABASE_PATH_ENV, DEFAULT_DATABASE_PATH, resolveDatabasePath } from './resolve-database-path.js';
export {
  BACKTEST_COLUMNS,
  type BacktestRow,
  type BacktestRowValues,
  type ColumnKind,
  type ColumnSpec,
} from './sqlite/backtest-columns.js';
export { type BacktestInput, type BacktestInputExtras, backtestInputFromResult } from './sqlite/backtest-input.js';
export { type BacktestFilter, type BacktestQuery, type BacktestSortKey, MAX_LIMIT } from './sqlite/backtest-query.js';
export { csvField, formatBacktests, parseBacktests, type TransferFormat } from './sqlite/backtest-transfer.js';
export { CURRENT_SCHEMA_VERSION, LEGACY_DDL } from './sqlite/migrations.js';
export {
  type BarSetInfo,
  type OpenDatabaseOptions,
  parseConfigJson,
  type StoredEquityCurve,
  type SynchronousMode,
  TradingDatabase,
} from './sqlite/trading-database.js';
