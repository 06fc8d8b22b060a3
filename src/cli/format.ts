import Table from 'cli-table3';
import { formatMetricValue, metricHeader } from '../app/format-values.js';
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import type { Metrics } from '../core/result.js';
import { type FittedTable, fitTable, type TableToFit } from './fit-table.js';

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

/**
 * Renders a table fitted to `maxWidth` characters (see {@link fitTable}), followed by a line
 * naming the columns left out, if any. `maxWidth` undefined prints everything, as for `--wide`
 * or output that is not a terminal.
 *
 * @example
 * io.out(renderFittedTable({ columns, rows }, options.wide ? undefined : io.columns));
 */
export function renderFittedTable(table: TableToFit, maxWidth: number | undefined): string {
  const fitted = fitTable(table, maxWidth);
  return drawFitted(fitted) + hiddenNote(fitted);
}

function drawFitted(fitted: FittedTable): string {
  const table = new Table({
    head: fitted.columns.map((column) => column.header),
    style: { head: [], border: [], compact: true },
    colAligns: fitted.columns.map((column) => column.align ?? 'left'),
  });
  for (const row of fitted.rows) table.push([...row]);
  return `${table.toString()}\n`;
}

function hiddenNote(fitted: FittedTable): string {
  if (fitted.hidden.length === 0) return '';
  return `Hidden to fit: ${fitted.hidden.join(', ')} (--wide shows all)\n`;
}

/**
 * The in-sample and out-of-sample metrics of a split run side by side: label with its unit, then
 * one column each (`n/a` where a metric is undefined or the run was not split).
 *
 * @example
 * io.out(renderSplitMetricsTable(result.metrics, result.outOfSample?.metrics));
 */
export function renderSplitMetricsTable(
  inSample: Readonly<Partial<Record<MetricName, number | null>>>,
  outOfSample: Readonly<Partial<Record<MetricName, number | null>>> | undefined,
): string {
  return renderTable(
    ['Metric', 'In-sample', 'Out-of-sample'],
    METRIC_CATALOG.map((m) => [
      metricHeader(m.name),
      formatMetricValue(m.name, inSample[m.name] ?? null),
      formatMetricValue(m.name, outOfSample?.[m.name] ?? null),
    ]),
  );
}

/** The metrics of one run as a two-column table: label with its unit, value. */
export function renderMetricsTable(metrics: Metrics): string {
  return renderTable(
    ['Metric', 'Value'],
    METRIC_CATALOG.map((m) => [metricHeader(m.name), formatMetricValue(m.name, metrics[m.name])]),
  );
}
