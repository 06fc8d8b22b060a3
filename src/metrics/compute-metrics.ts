import { InternalError } from '../core/errors.js';
import type { Metrics, Trade } from '../core/result.js';
import { calmarRatio } from './drawdown.js';
import { scanEquity } from './equity-scan.js';
import { equityReturnShape } from './return-shape.js';
import {
  buyAndHoldReturnPct,
  cagrPct,
  nanToNull,
  periodsPerYear,
  riskFreePerBar,
  sharpeRatioFromSummary,
  sortinoRatioFromSummary,
  spanYears,
  summarizeScan,
  totalReturnPct,
  volatilityPctFromSummary,
} from './returns-risk.js';
import {
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

/** Everything {@link computeMetrics} needs: the equity curve, the closed trades and a few scalars. */
export interface MetricsInput {
  /** Bar times, unix epoch milliseconds, strictly increasing. */
  readonly timeMs: Float64Array;
  /** Equity at each bar close, account currency; same length as `timeMs`, at least 1. */
  readonly equity: Float64Array;
  /** Closed trades. */
  readonly trades: readonly Trade[];
  /** Starting cash, account currency, above 0. */
  readonly initialCash: number;
  /** Bars that closed with a position open. */
  readonly barsInMarket: number;
  /** First bar's close, above 0. */
  readonly firstClose: number;
  /** Last bar's close. */
  readonly lastClose: number;
  /** Annual risk-free rate, fraction (0.02 = 2 %). */
  readonly riskFreeRate: number;
}

function definedNumber(value: number, name: keyof Metrics): number {
  if (Number.isNaN(value)) {
    throw new InternalError(`metrics: ${name} came out as NaN; the equity curve or closes passed in are not valid`);
  }
  return value;
}

/**
 * Computes every summary statistic of a run (see {@link Metrics} for names and units).
 * The bar-level work is one pass over the equity curve ({@link scanEquity}) plus one for the
 * skewness and kurtosis of the returns around their mean ({@link equityReturnShape}), with no
 * per-bar allocation. Undefined statistics are `null`, never NaN.
 *
 * @throws {InternalError} when the input breaks its contract (lengths differ, no bars, initial
 * cash, first equity point or first close not above 0) — the engine never produces such input.
 *
 * @example
 * const metrics = computeMetrics({
 *   timeMs: new Float64Array([0, 86_400_000]), equity: new Float64Array([100, 110]), trades: [],
 *   initialCash: 100, barsInMarket: 1, firstClose: 50, lastClose: 55, riskFreeRate: 0,
 * });
 * metrics.total_return; // 10
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { timeMs, equity, trades, initialCash } = input;
  const n = equity.length;
  if (n < 1 || timeMs.length !== n) {
    throw new InternalError(
      `metrics: the equity curve has ${n} points and ${timeMs.length} times; they must match and be at least 1`,
    );
  }
  if (!(initialCash > 0) || !((equity[0] as number) > 0)) {
    throw new InternalError(
      `metrics: initial cash (${initialCash}) and first equity point (${equity[0]}) must both be above 0`,
    );
  }

  const final = equity[n - 1] as number;
  const ppy = periodsPerYear(timeMs);
  const rfPerBar = ppy === null ? 0 : riskFreePerBar(input.riskFreeRate, ppy);
  const scan = scanEquity(equity, rfPerBar);
  const returns = summarizeScan(scan);
  const cagr = nanToNull(cagrPct(initialCash, final, spanYears(timeMs)));
  // A second pass for the third and fourth moments, around the mean the scan found.
  const shape = returns === null ? null : equityReturnShape(equity, returns.mean);

  return {
    total_return: definedNumber(totalReturnPct(initialCash, final), 'total_return'),
    final_equity: definedNumber(final, 'final_equity'),
    cagr,
    volatility: volatilityPctFromSummary(returns, ppy),
    sharpe_ratio: sharpeRatioFromSummary(returns, ppy),
    sortino_ratio: sortinoRatioFromSummary(returns, ppy),
    calmar_ratio: calmarRatio(cagr, scan.maxDrawdownPct),
    max_drawdown: definedNumber(scan.maxDrawdownPct, 'max_drawdown'),
    max_drawdown_duration: scan.maxDrawdownDurationBars,
    win_rate: winRatePct(trades),
    profit_factor: profitFactor(trades),
    total_trades: trades.length,
    avg_trade_pnl: avgTradePnl(trades),
    best_trade: bestTradePct(trades),
    worst_trade: worstTradePct(trades),
    avg_trade_duration: avgTradeDurationBars(trades),
    exposure: definedNumber(exposurePct(input.barsInMarket, n), 'exposure'),
    buy_and_hold_return: buyAndHoldReturnPct(input.firstClose, input.lastClose),
    expectancy: expectancyPct(trades),
    sqn: systemQualityNumber(trades),
    returns_skewness: shape?.skewness ?? null,
    returns_kurtosis: shape?.kurtosis ?? null,
    returns_count: scan.returnCount,
  };
}
