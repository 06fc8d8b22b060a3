/**
 * The library surface of backtest-ledger: load bars, run backtests and parameter sweeps, save and
 * query results. Every name here is documented; anything not exported here is internal.
 *
 * @example
 * import { loadBarsCsv, runBacktest } from 'backtest-ledger';
 * const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: '1Day' });
 * const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
 * const id = await result.saveToDb();
 */
// Domain types, the strategy contract and the errors (src/core). Listed by name, so a helper
// added to core for internal use does not become public by accident.
export { type BarColumns, type BarSeries, createBarSeries } from './core/bars.js';
export { type BacktestConfig, type BacktestConfigInput, DEFAULT_CONFIG, FillTiming } from './core/config.js';
export {
  AppError,
  ConfigError,
  DataError,
  type DataIssue,
  InternalError,
  StoreError,
  StrategyError,
  UsageError,
} from './core/errors.js';
export {
  findMetric,
  METRIC_CATALOG,
  type MetricInfo,
  type MetricName,
  RANKABLE_METRICS,
  type RankDirection,
} from './core/metric-catalog.js';
export {
  type BarsFingerprint,
  type EquityCurve,
  type Metrics,
  type ModelFingerprint,
  type OutOfSampleData,
  type Trade,
  TradeSide,
} from './core/result.js';
export type {
  Direction,
  ParamSpec,
  ParamValue,
  Strategy,
  StrategyContext,
  StrategyDefinition,
} from './core/strategy.js';
export {
  canonicalTimeframe,
  isTimeframe,
  TIMEFRAMES,
  Timeframe,
  timeframeAliases,
  timeframeMs,
} from './core/timeframe.js';
export {
  type BarFileOptions,
  type CsvBarsOptions,
  type CsvFileOptions,
  fingerprintBars,
  generateSyntheticBars,
  loadBarsCsv,
  loadBarsCsvBySymbol,
  loadBarsFromFile,
  loadBarsFromFileBySymbol,
  loadBarsParquet,
  loadBarsParquetBySymbol,
  type ParquetBarsOptions,
  type ParquetFileOptions,
  parseBarsCsv,
  parseBarsCsvBySymbol,
  parseBarsParquet,
  parseBarsParquetBySymbol,
  type SyntheticBarsOptions,
  writeBarsCsv,
} from './data/index.js';
export { inferTimeframe } from './data/infer-timeframe.js';
export {
  computeMetrics,
  type DeflatedSharpeInput,
  deflatedSharpeRatio,
  type ExpectedMaxSharpeInput,
  expectedMaxSharpe,
  type MetricsInput,
  normalCdf,
  normalQuantile,
  type ProbabilisticSharpeInput,
  probabilisticSharpeRatio,
} from './metrics/index.js';
export {
  type CscvInput,
  CscvMetric,
  type CscvResult,
  cscv,
  type PeriodGrid,
  periodGridFor,
  periodReturns,
} from './metrics/index.js';
export {
  BUILTIN_STRATEGIES,
  defineStrategy,
  findStrategy,
  getStrategy,
  loadStrategyModule,
} from './strategies/index.js';
export { BacktestResult, type SaveToDbOptions } from './app/backtest-result.js';
export { type BestRunReport, type BestRunRequest, findBestRun } from './app/best-run-report.js';
export { compareRuns, type ConfigDifference, type MetricComparison, type RunComparison } from './app/compare-runs.js';
export {
  describeDeflatedSharpe,
  type FamilyDeflatedSharpe,
  familyDeflatedSharpe,
  loadFamilyDeflatedSharpe,
  runFamilyFilter,
} from './app/family-deflated-sharpe.js';
export { runBacktest, type RunBacktestOptions } from './app/run-backtest.js';
export { evaluateFrom, type OutOfSampleSplit, outOfSampleIndex } from './app/out-of-sample.js';
export { type Duration, parseDuration } from './app/walk-forward/durations.js';
export { type PlannedWindow, planWindows, type WindowSpec } from './app/walk-forward/plan-windows.js';
export {
  type RunWalkForwardHooks,
  type RunWalkForwardOptions,
  runWalkForward,
  type WalkForwardOutcome,
  type WalkForwardProgress,
  type WalkForwardStart,
  type WindowResult,
} from './app/walk-forward/run-walk-forward.js';
export { runFromConfig } from './app/run-from-config.js';
export { type InputChange, type MetricCheck, type RerunReport, rerunStoredBacktest } from './app/rerun-stored.js';
export { loadStoredRunDetails, type StoredRunDetails } from './app/stored-run-details.js';
export { runModelBacktest, type RunModelOptions } from './app/run-model.js';
export { type ModelRunOutcome, runAllModels, type RunAllModelsOptions } from './app/run-all-models.js';
export {
  type GridAxis,
  type RunSweepHooks,
  type RunSweepOptions,
  runSweep,
  type SweepFailure,
  type SweepProgress,
  type SweepRow,
  type SweepStart,
  type SweepSummary,
} from './app/sweep/index.js';
export {
  assessSweepOverfit,
  type InSampleChoice,
  storeSweepOverfit,
  type SweepOverfitOptions,
  type SweepOverfitReport,
} from './app/sweep-overfit.js';
export {
  type BacktestFilter,
  type BacktestInput,
  type BacktestQuery,
  type BacktestRow,
  type BarImportOptions,
  type BarImportSummary,
  type BarSetInfo,
  type BarTimeRange,
  type BestRun,
  DATABASE_PATH_ENV,
  DEFAULT_DATABASE_PATH,
  formatRuns,
  type ImportSummary,
  type ModelFilter,
  openStore,
  type OpenStoreOptions,
  parseRuns,
  resolveDatabasePath,
  type RunStore,
  type MetricSample,
  type SharpeFamilyMember,
  type StoredEquityCurve,
  type StoredOutOfSample,
  type SweepDefinition,
  type SweepRecord,
  SweepStatus,
  type RunPeriodReturns,
  type SweepOverfit,
  type TransferFormat,
  type TransferRecord,
  type WalkForwardDefinition,
  type WalkForwardRecord,
  WalkForwardStatus,
  type WalkForwardSummary,
  type WalkForwardWindowRecord,
} from './store/index.js';
// The synchronous SQLite API (the older tool's vocabulary); importing it loads better-sqlite3.
export { type OpenDatabaseOptions, SqliteRunStore, TradingDatabase } from './store/sqlite/index.js';
