/**
 * How `backtest overfit` and `backtest sweeps show` print a sweep's probability of backtest
 * overfitting: the same rows in both, and the same JSON summary (per-split values stay in the
 * database and on the dashboard's sweep page).
 */
import { formatNumber, formatUnixSeconds } from '../app/format-values.js';
import type { SweepOverfit } from '../store/index.js';

/** The performance measure in words. */
export function overfitMetricName(metric: string): string {
  if (metric === 'sharpe_ratio') return 'Sharpe ratio per period';
  if (metric === 'total_return') return 'total return';
  return metric;
}

const optional = (value: number | null, digits: number): string =>
  value === null ? 'n/a' : formatNumber(value, digits);

const share = (value: number): string => `${formatNumber(value * 100, 1)} % of splits`;

/**
 * Field/value rows for a table.
 *
 * @example
 * io.out(renderTable(['Field', 'Value'], overfitRows(overfit), 2));
 */
export function overfitRows(overfit: SweepOverfit): [string, string][] {
  return [
    ['Probability of backtest overfitting (PBO)', `${formatNumber(overfit.pbo, 3)} (${share(overfit.pbo)})`],
    [
      'Out-of-sample on in-sample, best in-sample run',
      `slope ${optional(overfit.slope, 3)}, intercept ${optional(overfit.intercept, 4)}, R² ${optional(overfit.rSquared, 3)}`,
    ],
    [
      'Probability of out-of-sample loss',
      `${formatNumber(overfit.probabilityOfLoss, 3)} (${share(overfit.probabilityOfLoss)})`,
    ],
    [
      'Computed from',
      `${formatNumber(overfit.configurations, 0)} runs × ${formatNumber(overfit.periods, 0)} periods, ` +
        `${overfit.blocks} blocks: ${formatNumber(overfit.splits, 0)} splits, by ${overfitMetricName(overfit.metric)}`,
    ],
    ['Computed (UTC)', formatUnixSeconds(overfit.computedMs / 1000)],
  ];
}

/**
 * The figures as JSON (no per-split values).
 *
 * @example
 * io.out(toJsonText({ overfit: overfitJson(overfit) }));
 */
export function overfitJson(overfit: SweepOverfit): Record<string, unknown> {
  const { logits: _logits, inSample: _inSample, outOfSample: _outOfSample, ...figures } = overfit;
  return figures;
}
