import type { BacktestRow, StoredEquityCurve } from '../store/index.js';
import { equityChartSpecs } from './chart-spec.js';
import { dashboardPage } from './dashboard-layout.js';
import { formatNumber } from '../app/format-values.js';
import { renderProvenance } from './run-report.js';
import { renderConfig, renderEquityCharts, renderMetricsTable, renderRunHeader } from './run-sections.js';
import { runViewFromRow } from './run-view.js';
import { html } from './safe-html.js';

/**
 * One stored run: header, metrics, equity and drawdown charts, config and provenance.
 *
 * @example
 * renderRunPage(db.getBacktestOrThrow(7), db.getEquityCurve(7));
 */
export function renderRunPage(row: BacktestRow, curve: StoredEquityCurve | undefined): string {
  const view = runViewFromRow(row);
  const charts = curve === undefined || curve.timeMs.length === 0 ? [] : equityChartSpecs(curve);
  const note =
    curve !== undefined && curve.sourcePointCount > curve.timeMs.length
      ? `Stored curve: ${formatNumber(curve.timeMs.length, 0)} of ${formatNumber(curve.sourcePointCount, 0)} points, keeping every peak and trough.`
      : undefined;
  const body = html`${renderRunHeader(view, 'Saved run')}
<p class="toolbar">${view.sweepId === undefined ? '' : html`<a href="/sweeps/${encodeURIComponent(view.sweepId)}">Sweep heatmap</a>`}
<a href="/api/runs/${row.id}">JSON</a> <a href="/api/runs/${row.id}/equity">Equity JSON</a></p>
<h2>Metrics</h2>
${renderMetricsTable(view.metrics)}
${charts.length === 0 ? html`<h2>Equity</h2><p class="note">No equity curve is stored for this run.</p>` : renderEquityCharts('', note)}
<h2>Config</h2>
${renderConfig(view.config)}
${renderProvenance(view)}`;
  return dashboardPage({ title: `Run ${row.id}`, body, charts: charts.length > 0, data: { runId: row.id, charts } });
}
