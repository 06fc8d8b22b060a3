/**
 * The library surface of backtest-ledger: load bars, run backtests, save and query results.
 *
 * @example
 * import { loadBarsCsv, runBacktest } from 'backtest-ledger';
 * const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: '1Day' });
 * const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
 * const id = await result.saveToDb();
 */
export * from './core/index.js';
export {
  fingerprintBars,
  generateSyntheticBars,
  loadBarsCsv,
  parseBarsCsv,
  type SyntheticBarsOptions,
  writeBarsCsv,
} from './data/index.js';
export { inferTimeframe } from './data/infer-timeframe.js';
export { type EngineOutput, runEngine } from './engine/run-engine.js';
export { computeMetrics, type MetricsInput } from './metrics/index.js';
export {
  BUILTIN_STRATEGIES,
  findStrategy,
  getStrategy,
  loadStrategyModule,
  parseParamFlags,
  resolveParams,
} from './strategies/index.js';
export { BacktestResult, type SaveToDbOptions } from './app/backtest-result.js';
export { compareRuns, type ConfigDifference, type MetricComparison, type RunComparison } from './app/compare-runs.js';
export { toJsonText } from './app/json-text.js';
export { runBacktest, type RunBacktestOptions, runPrepared, type RunExtras } from './app/run-backtest.js';
export { runFromConfig } from './app/run-from-config.js';
export { type MetricCheck, type RerunReport, rerunStoredBacktest } from './app/rerun-stored.js';
export { runModelBacktest, type RunModelOptions } from './app/run-model.js';
export { findModelFiles, type ModelRunOutcome, runAllModels, type RunAllModelsOptions } from './app/run-all-models.js';
export {
  type BacktestFilter,
  type BacktestInput,
  type BacktestQuery,
  type BacktestRow,
  type BarSetInfo,
  DATABASE_PATH_ENV,
  DEFAULT_DATABASE_PATH,
  resolveDatabasePath,
  TradingDatabase,
} from './store/index.js';
