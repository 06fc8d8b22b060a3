import Table from 'cli-table3';
import { findMetric, METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import type { Metrics } from '../core/result.js';

/** How an undefined value (no trades, zero variance) is shown in tables. */
export const NOT_DEFINED = 'n/a';

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ratio = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * Formats a value for people, by unit: percentages with two decimals and a `%`, money with
 * two decimals and thousands separators, ratios with three decimals. Rounds only here.
 *
 * @example
 * formatValue(12.3456, '%'); // '12.35 %'
 */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return NOT_DEFINED;
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  switch (unit) {
    case '%':
    case '% per year':
    case '% per trade':
      return `${money.format(value)} %`;
    case 'money':
      return money.format(value);
    case 'count':
      return whole.format(value);
    case 'bars':
      return oneDecimal.format(value);
    default:
      return ratio.format(value);
  }
}

/** Formats one metric by its catalogued unit. */
export function formatMetric(name: MetricName, value: number | null | undefined): string {
  return formatValue(value, findMetric(name)?.unit ?? 'ratio');
}

/** A label with its unit, e.g. `Volatility (annualized) [%]`. */
export function metricLabel(name: MetricName): string {
  const info = findMetric(name);
  if (info === undefined) return name;
  const unit = info.unit === 'ratio' || info.unit === 'count' ? '' : ` [${info.unit}]`;
  return `${info.label}${unit}`;
}

/** Renders rows as a boxed table for terminals. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], alignRightFrom = 1): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], compact: true },
    colAligns: head.map((_, i) => (i >= alignRightFrom ? 'right' : 'left')),
  });
  for (const row of rows) table.push([...row]);
  return `${table.toString()}\n`;
}

/** The metrics of one run as a two-column table: label with unit, value. */
export function renderMetricsTable(metrics: Metrics): string {
  return renderTable(
    ['Metric', 'Value'],
    METRIC_CATALOG.map((m) => [metricLabel(m.name), formatMetric(m.name, metrics[m.name])]),
  );
}

/** A unix-ms time as `YYYY-MM-DD` (daily and slower) or `YYYY-MM-DD HH:MM` (intraday). */
export function formatBarTime(timeMs: number): string {
  const iso = new Date(timeMs).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}
