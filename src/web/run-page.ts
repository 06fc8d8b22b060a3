import { describeDeflatedSharpe, type FamilyDeflatedSharpe } from '../app/family-deflated-sharpe.js';
import type { StoredRunDetails } from '../app/stored-run-details.js';
import { equityChartSpecs } from './chart-spec.js';
import { dashboardPage } from './dashboard-layout.js';
import { formatNumber } from '../app/format-values.js';
import { renderProvenance, storedRunSections } from './run-report.js';
import {
  renderConfig,
  renderEquityCharts,
  renderMetricsTable,
  renderRunHeader,
  renderSplitMetricsTable,
} from './run-sections.js';
import type { StoredOutOfSample } from '../store/index.js';
import { runViewFromRow } from './run-view.js';
import { html } from './safe-html.js';

/**
 * One stored run: header, metrics with the deflated Sharpe ratio over its family (when given),
 * equity and drawdown charts, the price chart with trades when the bar store has the run's bars,
 * monthly returns, the trade list, config and provenance.
 *
 * @example
 * renderRunPage(await loadStoredRunDetails(store, 7), await loadFamilyDeflatedSharpe(store, row));
 */
export function renderRunPage(
  details: StoredRunDetails,
  deflatedSharpe?: FamilyDeflatedSharpe,
  outOfSample?: StoredOutOfSample,
): string {
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
${row.walk_forward_id === null ? '' : html`<a href="/walk-forwards/${encodeURIComponent(row.walk_forward_id)}">Walk-forward ${row.walk_forward_id}${row.walk_forward_role === 'training' ? html` (a training run of window ${String(row.walk_forward_window ?? '?')})` : ''}</a>`}
<a href="/api/runs/${row.id}">JSON</a> <a href="/api/runs/${row.id}/equity">Equity JSON</a></p>
<h2>Metrics</h2>
${deflatedSharpe === undefined ? '' : html`<p class="note" id="deflated-sharpe">${describeDeflatedSharpe(deflatedSharpe)}. ${familyNote(row)}</p>`}
${outOfSample === undefined ? renderMetricsTable(view.metrics) : renderSplitMetricsTable(view.metrics, outOfSample)}
${equityCharts.length === 0 ? html`<h2>Equity</h2><p class="note">No equity curve is stored for this run.</p>` : renderEquityCharts('', note)}
${sections.body}
<h2>Config</h2>
${renderConfig(view.config)}
${renderProvenance(view)}`;
  return dashboardPage({ title: `Run ${row.id}`, body, charts: charts.length > 0, data: { runId: row.id, charts } });
}

/** Which runs the deflated Sharpe ratio counted as this run's trials. */
function familyNote(row: StoredRunDetails['row']): string {
  if (row.sweep_id !== null) return 'Trials: the runs of its sweep.';
  return `Trials: the saved runs of the same symbol, timeframe and strategy${row.model_path === null ? '' : ' and model file'}.`;
}
