export * from './canonical-json.js';
export * from './downsample-equity.js';
export * from './resolve-database-path.js';
export * from './sqlite/backtest-columns.js';
export { type BacktestInput, type BacktestInputExtras, backtestInputFromResult } from './sqlite/backtest-input.js';
export * from './sqlite/backtest-query.js';
export { csvField, formatBacktests, parseBacktests, type TransferFormat } from './sqlite/backtest-transfer.js';
export { CURRENT_SCHEMA_VERSION, LEGACY_DDL } from './sqlite/migrations.js';
export * from './sqlite/trading-database.js';
