import Table from 'cli-table3';
import { formatMetricValue, metricHeader } from '../app/format-values.js';
import { METRIC_CATALOG } from '../core/metric-catalog.js';
import type { Metrics } from '../core/result.js';

/** Renders rows as a boxed table for terminals; columns from `alignRightFrom` on are right-aligned. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[], alignRightFrom = 1): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], compact: true },
    colAligns: head.map((_, i) => (i >= alignRightFrom ? 'right' : 'left')),
  });
  for (const row of rows) table.push([...row]);
  return `${table.toString()}\n`;
}

/** The metrics of one run as a two-column table: label with its unit, value. */
export function renderMetricsTable(metrics: Metrics): string {
  return renderTable(
    ['Metric', 'Value'],
    METRIC_CATALOG.map((m) => [metricHeader(m.name), formatMetricValue(m.name, metrics[m.name])]),
  );
}
