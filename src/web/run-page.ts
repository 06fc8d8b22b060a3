import type { StoredRunDetails } from '../app/stored-run-details.js';
import { equityChartSpecs } from './chart-spec.js';
import { dashboardPage } from './dashboard-layout.js';
import { formatNumber } from '../app/format-values.js';
import { renderProvenance, storedRunSections } from './run-report.js';
import { renderConfig, renderEquityCharts, renderMetricsTable, renderRunHeader } from './run-sections.js';
import { runViewFromRow } from './run-view.js';
import { html } from './safe-html.js';

/**
 * One stored run: header, metrics, equity and drawdown charts, the price chart with trades when
 * the bar store has the run's bars, monthly returns, the trade list, config and provenance.
 *
 * @example
 * renderRunPage(await loadStoredRunDetails(store, 7));
 */
export function renderRunPage(details: StoredRunDetails): string {
  const { row, curve } = details;
  const view = runViewFromRow(row);
  const equityCharts = curve === undefined || curve.timeMs.length === 0 ? [] : equityChartSpecs(curve);
  const sections = storedRunSections(details);
  const charts = [...equityCharts, ...sections.charts];
  const note =
    curve !== undefined && curve.sourcePointCount > curve.timeMs.length
      ? `Stored curve: ${formatNumber(curve.timeMs.length, 0)} of ${formatNumber(curve.sourcePointCount, 0)} points, keeping every peak and trough.`
      : undefined;
  const body = html`${renderRunHeader(view, 'Saved run')}
<p class="toolbar">${view.sweepId === undefined ? '' : html`<a href="/sweeps/${encodeURIComponent(view.sweepId)}">Sweep heatmap</a>`}
<a href="/api/runs/${row.id}">JSON</a> <a href="/api/runs/${row.id}/equity">Equity JSON</a></p>
<h2>Metrics</h2>
${renderMetricsTable(view.metrics)}
${equityCharts.length === 0 ? html`<h2>Equity</h2><p class="note">No equity curve is stored for this run.</p>` : renderEquityCharts('', note)}
${sections.body}
<h2>Config</h2>
${renderConfig(view.config)}
${renderProvenance(view)}`;
  return dashboardPage({ title: `Run ${row.id}`, body, charts: charts.length > 0, data: { runId: row.id, charts } });
}
