import { findMetric, METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import { type BacktestRow, isPartialSweep, type SweepOverfit, type SweepRecord } from '../store/index.js';
import { dashboardPage } from './dashboard-layout.js';
import { formatMetricValue, formatNumber, metricHeader } from '../app/format-values.js';
import { rowMetrics } from './run-view.js';
import { rowParams } from '../app/stored-run.js';
import { renderOverfitSection } from './overfit-section.js';
import { html } from './safe-html.js';
import { buildHeatmap, heatColor, scalePosition, type SweepRun } from './sweep-heatmap.js';

/** What the sweep page shows: its runs, the metric and the two parameters. */
export interface SweepPageData {
  readonly sweepId: string;
  readonly rows: readonly BacktestRow[];
  /** The stored sweep, when it was recorded (sweeps saved by earlier versions were not). */
  readonly record?: SweepRecord | undefined;
  readonly metric: MetricName;
  /** Parameters that vary across the sweep's runs. */
  readonly params: readonly string[];
  readonly x: string | undefined;
  readonly y: string | undefined;
  /** The sweep's probability of backtest overfitting, when `backtest overfit` has computed it. */
  readonly overfit?: SweepOverfit | undefined;
}

/**
 * A sweep: a heatmap of one metric over two parameters, with pickers for all three.
 *
 * @example
 * renderSweepPage({ sweepId: 'abc', rows, metric: 'sharpe_ratio', params: ['fast', 'slow'], x: 'fast', y: 'slow' });
 */
export function renderSweepPage(data: SweepPageData): string {
  const { sweepId, rows, record, metric, params, x, y } = data;
  const info = findMetric(metric);
  const better = info?.better ?? 'higher';
  const runs: SweepRun[] = rows.map((row) => ({ id: row.id, params: rowParams(row), value: rowMetrics(row)[metric] }));
  const first = rows[0];
  const select = (
    name: string,
    label: string,
    value: string | undefined,
    options: readonly string[],
    allowNone: boolean,
  ) =>
    html`<label>${label}<select name="${name}">${allowNone ? html`<option value="">(none)</option>` : ''}${options.map(
      (o) => html`<option value="${o}"${o === value ? html` selected` : ''}>${o}</option>`,
    )}</select></label>`;
  const form = html`<form class="filters" method="get">
<label>Metric<select name="metric">${METRIC_CATALOG.map(
    (m) => html`<option value="${m.name}"${m.name === metric ? html` selected` : ''}>${metricHeader(m.name)}</option>`,
  )}</select></label>
${select('x', 'Columns (parameter)', x, params, false)}
${select('y', 'Rows (parameter)', y, params, true)}
<button type="submit">Show</button>
</form>`;

  let grid = html`<p class="note">The runs of this sweep do not differ in any parameter, so there is nothing to map.</p>`;
  if (x !== undefined) {
    const map = buildHeatmap(runs, x, y, better);
    const { min, max } = map;
    const low = heatColor(0).background;
    const mid = heatColor(0.5).background;
    const high = heatColor(1).background;
    grid = html`<div class="scale"><span>${better === 'lower' ? 'worse (higher)' : 'worse (lower)'}</span><span class="bar" style="background:linear-gradient(to right, ${low}, ${mid}, ${high})"></span><span>${better === 'lower' ? 'better (lower)' : 'better (higher)'}</span>
<span>range ${min === undefined ? 'n/a' : formatMetricValue(metric, min)} … ${max === undefined ? 'n/a' : formatMetricValue(metric, max)}</span></div>
<div class="scroll"><table class="heatmap" id="heatmap">
<thead><tr><th>${y === undefined ? '' : html`${y} ↓ / `}${x} →</th>${map.xValues.map((v) => html`<th>${v}</th>`)}</tr></thead>
<tbody>${map.yValues.map(
      (yv, r) =>
        html`<tr><th>${y === undefined ? '' : yv}</th>${map.xValues.map((xv, c) => {
          const cell = map.cells[r]?.[c];
          if (cell === undefined) return html`<td class="empty" title="no run">·</td>`;
          if (cell.value === null || min === undefined || max === undefined) {
            return html`<td class="empty"><a href="/runs/${cell.runId}" title="run ${cell.runId}: ${metric} is not defined">n/a</a></td>`;
          }
          const color = heatColor(scalePosition(cell.value, min, max, better));
          const title = `${x}=${xv}${y === undefined ? '' : `, ${y}=${yv}`}: ${formatMetricValue(metric, cell.value)} (run ${cell.runId}${cell.runCount > 1 ? `, best of ${cell.runCount}` : ''})`;
          return html`<td style="background:${color.background};color:${color.text}" data-value="${cell.value}" title="${title}"><a href="/runs/${cell.runId}">${formatMetricValue(metric, cell.value)}</a></td>`;
        })}</tr>`,
    )}</tbody></table></div>
<p class="note">Each cell links to its run. Where several runs share a cell (they differ in other parameters), the best is shown.</p>`;
  }

  const body = html`<p class="sub">Sweep</p>
<h1>${sweepId}</h1>
<ul class="facts"><li>Runs <b>${formatNumber(rows.length, 0)}</b></li>${
    first === undefined
      ? ''
      : html`<li>Symbol <b>${first.symbol}</b></li><li>Timeframe <b>${first.timeframe}</b></li><li>Strategy <b>${first.strategy_name ?? 'n/a'}</b></li>`
  }${
    record === undefined
      ? ''
      : html`<li>Status <b>${record.status}</b></li><li>Done <b>${formatNumber(record.done, 0)} of ${formatNumber(record.planned, 0)}</b>${record.failed > 0 ? html` (${formatNumber(record.failed, 0)} failed)` : ''}</li>`
  }<li><a href="/?sweep=${encodeURIComponent(sweepId)}">List these runs</a></li></ul>
${
  record !== undefined && isPartialSweep(record)
    ? html`<p class="error-box" data-partial-sweep="${sweepId}"><b>Partial sweep.</b> ${formatNumber(record.done - record.failed, 0)} of ${formatNumber(record.planned, 0)} combinations have a saved run${record.status === 'running' ? ' (still running, or stopped without saying so)' : ''}; finish it with <code>backtest sweeps resume ${sweepId}</code>.</p>`
    : ''
}
${form}
<h2>${metricHeader(metric)}${x === undefined ? '' : ` by ${x}${y === undefined ? '' : ` and ${y}`}`}</h2>
${grid}
${
  data.overfit === undefined
    ? html`<h2>Probability of backtest overfitting</h2><p class="note">Not computed yet: <code>backtest overfit ${sweepId}</code> computes it from the runs' period returns.</p>`
    : renderOverfitSection(data.overfit, sweepId)
}`;
  return dashboardPage({ title: `Sweep ${sweepId}`, body });
}
