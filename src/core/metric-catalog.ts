import type { Metrics } from './result.js';

/** The name of one metric, as stored in the database and printed by `--json`. */
export type MetricName = keyof Metrics;

/** Which way is better when runs are ranked by a metric. */
export type RankDirection = 'higher' | 'lower';

/** How a metric is described to users and how runs are ranked by it. */
export interface MetricInfo {
  readonly name: MetricName;
  /** Short label for tables. */
  readonly label: string;
  /** Unit as shown to users: '%', '% per year', 'money', 'bars', 'ratio', 'count'. */
  readonly unit: string;
  /**
   * Better direction for ranking, or `undefined` for metrics that are not a measure of
   * quality (trade count, exposure, buy-and-hold return, which is the same for every run on
   * the same bars, and the skewness, kurtosis and count of the returns) and so cannot be "best".
   */
  readonly better: RankDirection | undefined;
}

/**
 * Every metric in display order. `max_drawdown` is negative or zero, so "higher" means
 * closer to zero, which is what "best" means for a drawdown.
 */
export const METRIC_CATALOG: readonly MetricInfo[] = [
  { name: 'total_return', label: 'Total return', unit: '%', better: 'higher' },
  { name: 'final_equity', label: 'Final equity', unit: 'money', better: 'higher' },
  { name: 'cagr', label: 'CAGR', unit: '% per year', better: 'higher' },
  { name: 'volatility', label: 'Volatility (annualized)', unit: '%', better: 'lower' },
  { name: 'sharpe_ratio', label: 'Sharpe ratio (annualized)', unit: 'ratio', better: 'higher' },
  { name: 'sortino_ratio', label: 'Sortino ratio (annualized)', unit: 'ratio', better: 'higher' },
  { name: 'calmar_ratio', label: 'Calmar ratio', unit: 'ratio', better: 'higher' },
  { name: 'max_drawdown', label: 'Max drawdown', unit: '%', better: 'higher' },
  { name: 'max_drawdown_duration', label: 'Max drawdown duration', unit: 'bars', better: 'lower' },
  { name: 'win_rate', label: 'Win rate', unit: '%', better: 'higher' },
  { name: 'profit_factor', label: 'Profit factor', unit: 'ratio', better: 'higher' },
  { name: 'total_trades', label: 'Trades', unit: 'count', better: undefined },
  { name: 'avg_trade_pnl', label: 'Average trade P&L', unit: 'money', better: 'higher' },
  { name: 'best_trade', label: 'Best trade', unit: '%', better: 'higher' },
  { name: 'worst_trade', label: 'Worst trade', unit: '%', better: 'higher' },
  { name: 'avg_trade_duration', label: 'Average trade duration', unit: 'bars', better: undefined },
  { name: 'exposure', label: 'Exposure', unit: '%', better: undefined },
  { name: 'buy_and_hold_return', label: 'Buy & hold return', unit: '%', better: undefined },
  { name: 'expectancy', label: 'Expectancy', unit: '% per trade', better: 'higher' },
  { name: 'sqn', label: 'SQN', unit: 'ratio', better: 'higher' },
  // The shape of the returns: inputs to the deflated Sharpe ratio, not measures of quality.
  { name: 'returns_skewness', label: 'Return skewness', unit: 'ratio', better: undefined },
  { name: 'returns_kurtosis', label: 'Return kurtosis (normal = 3)', unit: 'ratio', better: undefined },
  { name: 'returns_count', label: 'Per-bar returns', unit: 'count', better: undefined },
];

/** Metrics that runs can be ranked by. */
export const RANKABLE_METRICS: readonly MetricName[] = METRIC_CATALOG.filter((m) => m.better !== undefined).map(
  (m) => m.name,
);

/** Looks a metric up by name; `undefined` when the name is unknown. */
export function findMetric(name: string): MetricInfo | undefined {
  return METRIC_CATALOG.find((m) => m.name === name);
}
