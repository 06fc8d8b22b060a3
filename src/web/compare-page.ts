import { METRIC_CATALOG, type MetricInfo } from '../core/metric-catalog.js';
import type { BacktestRow, StoredEquityCurve } from '../store/index.js';
import { type ChartSpec, isIntraday, lineSeries, SERIES_COLORS } from './chart-spec.js';
import { dashboardPage } from './dashboard-layout.js';
import { formatMetricValue, formatTimeMs, metricHeader } from './format-web.js';
import { valueClass } from './run-sections.js';
import { rowMetrics, runViewFromRow, strategyLabel } from './run-view.js';
import { html } from './safe-html.js';

/**
 * Which of `values` are best for `metric` (all ties), by the catalog's better direction;
 * none for metrics without one, or when fewer than two runs have a value. `max_drawdown` is
 * compared by closeness to zero, as the store ranks it, so older files with positive drawdowns
 * rank the same way.
 *
 * @example
 * bestIndexes(findMetric('volatility')!, [12, 9, null]); // [1]
 */
export function bestIndexes(metric: MetricInfo, values: readonly (number | null)[]): number[] {
  if (metric.better === undefined) return [];
  const key = (v: number) => (metric.name === 'max_drawdown' ? -Math.abs(v) : v);
  const present = values.flatMap((v, i) => (v === null ? [] : [{ i, k: key(v) }]));
  if (present.length < 2) return [];
  const target = metric.better === 'lower' ? Math.min(...present.map((p) => p.k)) : Math.max(...present.map((p) => p.k));
  const best = present.filter((p) => p.k === target).map((p) => p.i);
  // When every run ties there is nothing to point out.
  return best.length === present.length ? [] : best;
}

/** Flattens nested objects to dotted keys, so configs can be compared key by key. */
export function flattenConfig(value: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort()) {
      flattenConfig((value as Record<string, unknown>)[key], prefix === '' ? key : `${prefix}.${key}`, out);
    }
  } else if (prefix !== '') {
    out.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return out;
}

/**
 * Keys whose values differ between the runs, with each run's value (`—` where a run lacks
 * the key): the run's data (symbol, timeframe, model, period) and its config.
 *
 * @example
 * differingKeys([rowA, rowB]); // [['strategy.params.fast', ['10', '20']]]
 */
export function differingKeys(rows: readonly BacktestRow[]): [string, string[]][] {
  const flat = rows.map((row) => {
    const view = runViewFromRow(row);
    const map = new Map<string, string>([
      ['symbol', row.symbol],
      ['timeframe', row.timeframe],
      ['model', row.model_path ?? '—'],
      ['period', `${formatTimeMs(view.firstTimeMs)} → ${formatTimeMs(view.lastTimeMs)}`],
    ]);
    for (const [k, v] of flattenConfig(view.config)) map.set(k, v);
    return map;
  });
  const keys = [...new Set(flat.flatMap((m) => [...m.keys()]))];
  const out: [string, string[]][] = [];
  for (const key of keys) {
    const values = flat.map((m) => m.get(key) ?? '—');
    if (new Set(values).size > 1) out.push([key, values]);
  }
  return out;
}

/**
 * Runs side by side: metrics with the best per row marked, equity curves overlaid, and the
 * config keys that differ.
 *
 * @example
 * renderComparePage(rows, rows.map((r) => db.getEquityCurve(r.id)));
 */
export function renderComparePage(rows: readonly BacktestRow[], curves: readonly (StoredEquityCurve | undefined)[]): string {
  const metrics = rows.map(rowMetrics);
  const series = rows.flatMap((row, i) => {
    const curve = curves[i];
    if (curve === undefined || curve.timeMs.length === 0) return [];
    return [lineSeries(`Run ${row.id}`, SERIES_COLORS[i % SERIES_COLORS.length] as string, curve.timeMs, curve.equity)];
  });
  const intraday = curves.some((c) => c !== undefined && isIntraday(c.timeMs));
  const charts: ChartSpec[] = series.length === 0 ? [] : [{ id: 'compare', type: 'lines', format: 'money', series, intraday }];
  const diffs = differingKeys(rows);
  const head = html`<tr><th>Metric</th>${rows.map(
    (row, i) =>
      html`<th class="num"><a href="/runs/${row.id}">Run ${row.id}</a><br><span class="note">${row.symbol} ${row.timeframe}</span><br><i style="display:inline-block;width:14px;height:3px;background:${SERIES_COLORS[i % SERIES_COLORS.length]}"></i></th>`,
  )}</tr>`;
  const body = html`<h1>Compare ${rows.length} runs</h1>
<p class="sub">${rows.map((row) => html`<span>Run ${row.id}: ${strategyLabel(runViewFromRow(row))}</span><br>`)}</p>
<p class="note">★ marks the best value per row (by each metric's better direction; rows without one, like trade count, are not marked).</p>
<div class="scroll"><table class="data compare" id="compare-metrics">
<thead>${head}</thead>
<tbody>${METRIC_CATALOG.map((m) => {
    const values = metrics.map((x) => x[m.name]);
    const best = new Set(bestIndexes(m, values));
    return html`<tr data-metric="${m.name}"><td>${metricHeader(m.name)}</td>${values.map(
      (v, i) => html`<td class="${valueClass(m.name, v)}${best.has(i) ? ' best' : ''}">${formatMetricValue(m.name, v)}</td>`,
    )}</tr>`;
  })}</tbody></table></div>
<h2>Equity [account currency]</h2>
${
  series.length === 0
    ? html`<p class="note">None of these runs has a stored equity curve.</p>`
    : html`<div class="legend">${series.map((s) => html`<span><i style="background:${s.color}"></i>${s.name}</span>`)}</div>
<div class="chart tall" id="chart-compare"></div>${
        series.length < rows.length ? html`<p class="note">Runs without a stored equity curve are not drawn.</p>` : ''
      }`
}
<h2>Differences</h2>
${
  diffs.length === 0
    ? html`<p class="note">The runs have the same data and config.</p>`
    : html`<div class="scroll"><table class="data" id="compare-diffs"><thead>${html`<tr><th>Key</th>${rows.map((row) => html`<th>Run ${row.id}</th>`)}</tr>`}</thead>
<tbody>${diffs.map(([key, values]) => html`<tr><td><code>${key}</code></td>${values.map((v) => html`<td><code>${v}</code></td>`)}</tr>`)}</tbody></table></div>`
}`;
  return dashboardPage({ title: `Compare runs ${rows.map((r) => r.id).join(', ')}`, body, charts: charts.length > 0, data: { runIds: rows.map((r) => r.id), charts } });
}
