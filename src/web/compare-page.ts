import { compareRuns, type MetricComparison } from '../app/compare-runs.js';
import type { BacktestRow, StoredEquityCurve, StoredOutOfSample } from '../store/index.js';
import { type ChartSpec, isIntraday, lineSeries, SERIES_COLORS } from './chart-spec.js';
import { dashboardPage } from './dashboard-layout.js';
import { formatMetricValue, metricHeader } from '../app/format-values.js';
import { valueClass } from './run-sections.js';
import { runViewFromRow, strategyLabel } from './run-view.js';
import { html } from './safe-html.js';

/**
 * Runs side by side: metrics with the best per row marked, equity curves overlaid, and the
 * config keys that differ.
 *
 * @example
 * renderComparePage(rows, rows.map((r) => db.getEquityCurve(r.id)));
 */
export function renderComparePage(
  rows: readonly BacktestRow[],
  curves: readonly (StoredEquityCurve | undefined)[],
  outOfSample: ReadonlyMap<number, StoredOutOfSample> = new Map(),
): string {
  // The same comparison as `backtest compare`, so the CLI and the dashboard mark the same bests.
  const comparison = compareRuns(rows, outOfSample);
  const split = comparison.oosMetrics.length > 0;
  const series = rows.flatMap((row, i) => {
    const curve = curves[i];
    if (curve === undefined || curve.timeMs.length === 0) return [];
    return [lineSeries(`Run ${row.id}`, SERIES_COLORS[i % SERIES_COLORS.length] as string, curve.timeMs, curve.equity)];
  });
  const intraday = curves.some((c) => c !== undefined && isIntraday(c.timeMs));
  const charts: ChartSpec[] =
    series.length === 0 ? [] : [{ id: 'compare', type: 'lines', format: 'money', series, intraday }];
  const diffs = comparison.configDifferences;
  const head = html`<tr><th>Metric</th>${rows.map(
    (row, i) =>
      html`<th class="num"><a href="/runs/${row.id}">Run ${row.id}</a><br><span class="note">${row.symbol} ${row.timeframe}</span><br><i style="display:inline-block;width:14px;height:3px;background:${SERIES_COLORS[i % SERIES_COLORS.length]}"></i></th>`,
  )}</tr>`;
  const body = html`<h1>Compare ${rows.length} runs</h1>
<p class="sub">${rows.map((row) => html`<span>Run ${row.id}: ${strategyLabel(runViewFromRow(row))}</span><br>`)}</p>
<p class="note">★ marks the best value per row by each metric's better direction; metrics that do not measure quality (trades, exposure, buy &amp; hold) are not marked.</p>
<div class="scroll"><table class="data compare" id="compare-metrics">
<thead>${head}</thead>
<tbody>${comparison.metrics.flatMap((m, k) => {
    const line = (c: MetricComparison, sample: 'is' | 'oos', label: string) => {
      const best = new Set(c.bestIds);
      // Out-of-sample rows are marked; in-sample rows keep the plain markup of runs that were not split.
      return html`<tr data-metric="${c.metric}"${sample === 'oos' ? html` data-sample="oos"` : ''}><td>${label}</td>${c.values.map(
        (v, i) =>
          html`<td class="${valueClass(c.metric, v)}${best.has(rows[i]?.id ?? -1) ? ' best' : ''}">${formatMetricValue(c.metric, v)}</td>`,
      )}</tr>`;
    };
    const oos = comparison.oosMetrics[k];
    if (!split || oos === undefined) return [line(m, 'is', metricHeader(m.metric))];
    return [
      line(m, 'is', `${metricHeader(m.metric)} · in-sample`),
      line(oos, 'oos', `${metricHeader(m.metric)} · out-of-sample`),
    ];
  })}</tbody></table></div>
${split ? html`<p class="note">Split runs (--oos-from, --oos-fraction) show their in-sample and out-of-sample values on two rows; runs that were not split have no out-of-sample value.</p>` : ''}
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
<tbody>${diffs.map(
        (d) =>
          html`<tr><td><code>${d.key}</code></td>${d.values.map((v) => html`<td><code>${v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v)}</code></td>`)}</tr>`,
      )}</tbody></table></div>`
}`;
  return dashboardPage({
    title: `Compare runs ${rows.map((r) => r.id).join(', ')}`,
    body,
    charts: charts.length > 0,
    data: { runIds: rows.map((r) => r.id), charts },
  });
}
