/**
 * Pure statistics over an equity curve and closed trades; {@link computeMetrics} fills the
 * whole `Metrics` record of src/core/result.ts.
 *
 * @example
 * import { computeMetrics, maxDrawdown } from './metrics/index.js';
 */
export { computeMetrics, type MetricsInput } from './compute-metrics.js';
export {
  type DeflatedSharpeInput,
  deflatedSharpeRatio,
  EULER_MASCHERONI,
  type ExpectedMaxSharpeInput,
  expectedMaxSharpe,
  type ProbabilisticSharpeInput,
  probabilisticSharpeRatio,
} from './deflated-sharpe.js';
export { calmarRatio, type Drawdown, maxDrawdown } from './drawdown.js';
export { type EquityScan, scanEquity } from './equity-scan.js';
export { normalCdf, normalQuantile } from './normal-distribution.js';
export { equityReturnShape, type ReturnShape, returnShape } from './return-shape.js';
export {
  barReturns,
  buyAndHoldReturnPct,
  cagrPct,
  nanToNull,
  periodsPerYear,
  type ReturnSummary,
  riskFreePerBar,
  sharpeRatio,
  sharpeRatioFromSummary,
  sortinoRatio,
  sortinoRatioFromSummary,
  spanYears,
  summarizeEquityReturns,
  summarizeReturns,
  summarizeScan,
  totalReturnPct,
  volatilityPct,
  volatilityPctFromSummary,
  YEAR_MS,
} from './returns-risk.js';
export {
  avgTradeDurationBars,
  avgTradePnl,
  bestTradePct,
  expectancyPct,
  exposurePct,
  profitFactor,
  systemQualityNumber,
  winRatePct,
  worstTradePct,
} from './trade-stats.js';
export {
  CscvMetric,
  type CscvInput,
  type CscvResult,
  cscv,
  DEFAULT_CSCV_BLOCKS,
  MAX_CSCV_BLOCKS,
} from './cscv.js';
export { MAX_GRID_PERIODS, type PeriodGrid, periodGridFor, periodReturns } from './period-returns.js';
