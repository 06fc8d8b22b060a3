/**
 * A walk-forward as a page: the dashboard's `/walk-forwards/:id` and the self-contained report
 * of `walk-forward --report`. Header and facts, the walk-forward efficiency, the stitched
 * out-of-sample equity against buy and hold, the windows table, the chosen parameters over time
 * and the stitched run's metrics.
 */
import {
  formatMetricValue,
  formatNumber,
  formatTimeMs,
  formatUnixSeconds,
  metricHeader,
} from '../app/format-values.js';
import type { WalkForwardOutcome } from '../app/walk-forward/run-walk-forward.js';
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import type { ParamValue } from '../core/strategy.js';
import {
  downsampleEquity,
  isPartialWalkForward,
  type StoredEquityCurve,
  type StoredMetricSet,
  type WalkForwardRecord,
} from '../store/index.js';
import { type ChartSpec, isIntraday, lineSeries, SERIES_COLORS } from './chart-spec.js';
import { dashboardPage } from './dashboard-layout.js';
import { renderPage } from './page-layout.js';
import { renderConfig, valueClass } from './run-sections.js';
import { html, type SafeHtml } from './safe-html.js';

/** One window as the page shows it. */
export interface WalkForwardWindowView {
  readonly index: number;
  readonly trainFromMs: number | null;
  readonly trainToMs: number | null;
  readonly testFromMs: number;
  readonly testToMs: number;
  readonly chosenParams: Readonly<Record<string, ParamValue>> | null;
  readonly inSampleMetrics: StoredMetricSet | null;
  readonly outOfSampleMetrics: StoredMetricSet | null;
  readonly flat: boolean;
}

/** Everything the page shows, from a stored group or from a walk-forward just run. */
export interface WalkForwardView {
  readonly groupId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategy: string;
  /** `completed`, `running` or `interrupted`. */
  readonly status: string;
  readonly partial: boolean;
  readonly train: string;
  readonly test: string;
  readonly step: string;
  readonly anchored: boolean;
  readonly metric: MetricName;
  readonly minTrades: number;
  readonly grid: readonly string[];
  readonly where: string | undefined;
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  readonly config: unknown;
  readonly windowCount: number;
  readonly windows: readonly WalkForwardWindowView[];
  readonly stitchedRunId: number | undefined;
  readonly stitchedMetrics: StoredMetricSet | undefined;
  readonly inSampleAnnualReturn: number | null;
  readonly outOfSampleAnnualReturn: number | null;
  readonly efficiency: number | null;
  /** The stitched curve (downsampled) and buy and hold at its times, from the initial cash. */
  readonly stitchedCurve: { readonly timeMs: Float64Array; readonly equity: Float64Array } | undefined;
  readonly buyAndHold: { readonly timeMs: Float64Array; readonly equity: Float64Array } | undefined;
  /** Unix ms. */
  readonly createdMs: number | undefined;
  readonly notes: string | undefined;
}

/** The names of the swept parameters, from `--grid` flags (`fast=5..50:5` is `fast`). */
export function sweptNames(grid: readonly string[]): string[] {
  return grid.map((flag) => (flag.split('=')[0] ?? flag).trim());
}

/**
 * A stored group as a {@link WalkForwardView}; `stitchedCurve` is the stitched run's stored curve.
 *
 * @example
 * walkForwardViewFromRecord(record, await store.equityCurve(record.stitchedRunId));
 */
export function walkForwardViewFromRecord(
  record: WalkForwardRecord,
  stitchedCurve: StoredEquityCurve | undefined,
): WalkForwardView {
  const { definition, summary } = record;
  return {
    groupId: definition.groupId,
    symbol: definition.symbol,
    timeframe: definition.timeframe,
    strategy: definition.strategy.module?.path ?? definition.strategy.name,
    status: record.status,
    partial: isPartialWalkForward(record),
    train: definition.train,
    test: definition.test,
    step: definition.step,
    anchored: definition.anchored,
    metric: definition.metric,
    minTrades: definition.minTrades,
    grid: definition.grid,
    where: definition.where,
    fixedParams: definition.fixedParams,
    config: definition.config,
    windowCount: record.windowCount,
    windows: record.windows,
    stitchedRunId: record.stitchedRunId ?? undefined,
    stitchedMetrics: summary?.stitchedMetrics,
    inSampleAnnualReturn: summary?.inSampleAnnualReturn ?? null,
    outOfSampleAnnualReturn: summary?.outOfSampleAnnualReturn ?? null,
    efficiency: summary?.efficiency ?? null,
    stitchedCurve:
      stitchedCurve === undefined ? undefined : { timeMs: stitchedCurve.timeMs, equity: stitchedCurve.equity },
    buyAndHold:
      summary === null
        ? undefined
        : {
            timeMs: Float64Array.from(summary.buyAndHold.timeMs),
            equity: Float64Array.from(summary.buyAndHold.equity),
          },
    createdMs: record.createdMs,
    notes: definition.notes,
  };
}

/**
 * A walk-forward just run as a {@link WalkForwardView} (not saved unless it was).
 *
 * @example
 * walkForwardViewFromOutcome(outcome, options);
 */
export function walkForwardViewFromOutcome(outcome: WalkForwardOutcome, layout: WalkForwardLayout): WalkForwardView {
  const stitched = outcome.stitched;
  const curve = stitched === undefined ? undefined : downsampleEquity(stitched.equityCurve);
  return {
    groupId: outcome.groupId,
    symbol: stitched?.symbol ?? '',
    timeframe: stitched?.timeframe ?? '',
    strategy: outcome.strategy,
    status: outcome.interrupted ? 'interrupted' : 'completed',
    partial: outcome.interrupted,
    train: layout.train,
    test: layout.test,
    step: layout.step,
    anchored: layout.anchored,
    grid: layout.grid,
    metric: outcome.metric,
    minTrades: outcome.minTrades,
    where: layout.where,
    fixedParams: layout.fixedParams ?? {},
    config: stitched?.config,
    windowCount: outcome.windows.length,
    windows: outcome.results,
    stitchedRunId: outcome.stitchedRunId,
    stitchedMetrics: stitched?.metrics,
    inSampleAnnualReturn: outcome.inSampleAnnualReturn,
    outOfSampleAnnualReturn: outcome.outOfSampleAnnualReturn,
    efficiency: outcome.efficiency,
    stitchedCurve: curve,
    buyAndHold:
      outcome.summary === undefined
        ? undefined
        : {
            timeMs: Float64Array.from(outcome.summary.buyAndHold.timeMs),
            equity: Float64Array.from(outcome.summary.buyAndHold.equity),
          },
    createdMs: undefined,
    notes: layout.notes,
  };
}

/** How a walk-forward was asked for, as the command line gave it (for a report of one just run). */
export interface WalkForwardLayout {
  readonly train: string;
  readonly test: string;
  readonly step: string;
  readonly anchored: boolean;
  readonly grid: readonly string[];
  readonly where?: string | undefined;
  readonly fixedParams?: Readonly<Record<string, ParamValue>> | undefined;
  readonly notes?: string | undefined;
}

/** The dashboard's page of one walk-forward group. */
export function renderWalkForwardPage(view: WalkForwardView): string {
  const { body, charts } = walkForwardBody(view, 'Walk-forward');
  return dashboardPage({
    title: `Walk-forward ${view.groupId}`,
    body,
    charts: charts.length > 0,
    data: { walkForward: view.groupId, charts },
  });
}

/**
 * The self-contained HTML report of a walk-forward just run (`walk-forward --report FILE`):
 * opens offline, the chart library inlined.
 */
export function renderWalkForwardReport(outcome: WalkForwardOutcome, layout: WalkForwardLayout): string {
  const view = walkForwardViewFromOutcome(outcome, layout);
  const { body, charts } = walkForwardBody(view, 'Walk-forward report');
  return renderPage({
    title: `Walk-forward ${view.groupId} · ${view.symbol} ${view.timeframe}`,
    body,
    chartLibrary: 'inline',
    data: { walkForward: view.groupId, charts },
  });
}

function walkForwardBody(view: WalkForwardView, kicker: string): { body: SafeHtml; charts: ChartSpec[] } {
  const swept = sweptNames(view.grid);
  const charts: ChartSpec[] = [];
  const curve = view.stitchedCurve;
  if (curve !== undefined && curve.timeMs.length > 0) {
    const series = [lineSeries('Stitched out of sample', SERIES_COLORS[0] as string, curve.timeMs, curve.equity)];
    if (view.buyAndHold !== undefined && view.buyAndHold.timeMs.length > 0) {
      series.push(
        lineSeries('Buy and hold', SERIES_COLORS[1] as string, view.buyAndHold.timeMs, view.buyAndHold.equity),
      );
    }
    charts.push({ id: 'stitched', type: 'lines', format: 'money', series, intraday: isIntraday(curve.timeMs) });
  }
  const paramsChart = chosenParamsChart(view, swept);
  if (paramsChart !== undefined) charts.push(paramsChart);
  const flat = view.windows.filter((w) => w.flat).length;
  const facts: SafeHtml[] = [
    html`<li>Status <b>${view.partial ? `${view.status} (partial: ${view.windows.length} of ${view.windowCount} windows)` : view.status}</b></li>`,
    html`<li>Windows <b>${view.windows.length}${flat > 0 ? ` (${flat} flat)` : ''}</b></li>`,
    html`<li>${view.anchored ? 'Anchored' : 'Rolling'} <b>train ${view.train}, test ${view.test}, step ${view.step}</b></li>`,
    html`<li>Chosen by <b>${metricHeader(view.metric)}</b>, at least <b>${view.minTrades}</b> training trade${view.minTrades === 1 ? '' : 's'}</li>`,
    html`<li>Grid <b><code>${view.grid.join(' ')}</code></b>${view.where === undefined ? '' : html` where <code>${view.where}</code>`}</li>`,
  ];
  if (view.createdMs !== undefined)
    facts.push(html`<li>Saved <b>${formatUnixSeconds(Math.floor(view.createdMs / 1000))} UTC</b></li>`);
  const stitchedLink =
    view.stitchedRunId === undefined
      ? html`<p class="note">${view.partial ? 'No stitched run: the walk-forward stopped before every window finished.' : 'The stitched run was not saved.'}</p>`
      : html`<p class="toolbar"><a href="/runs/${view.stitchedRunId}">Stitched out-of-sample run ${view.stitchedRunId}</a></p>`;
  const body = html`<p class="sub">${kicker} · ${view.groupId}</p>
<h1>${view.symbol} · ${view.timeframe} · ${view.strategy}</h1>
<ul class="facts">${facts}</ul>
${view.notes === undefined ? '' : html`<p class="note">Notes: ${view.notes}</p>`}
${stitchedLink}
<p class="note" id="efficiency">${describeEfficiency(view)}</p>
<h2>Stitched out-of-sample equity against buy and hold</h2>
${
  charts.some((c) => c.id === 'stitched')
    ? html`<p class="note">Each test window starts flat after a warm-up over every earlier bar; the windows are chained from the initial capital. Buy and hold: the same bars, from the same capital.</p><div class="chart tall" id="chart-stitched"></div>`
    : html`<p class="note">No stitched curve.</p>`
}
<h2>Windows</h2>
${renderWindowsTable(view, swept)}
<h2>Chosen parameters over time</h2>
${
  paramsChart === undefined
    ? html`<p class="note">No numeric parameter was chosen in any window (see the table above).</p>`
    : html`<p class="note">The value chosen for each window, at the start of its test span.</p><div class="chart" id="chart-params"></div>`
}
<h2>Stitched metrics</h2>
${view.stitchedMetrics === undefined ? html`<p class="note">None yet.</p>` : renderStitchedMetrics(view.stitchedMetrics)}
<h2>Config</h2>
${renderConfig({ config: view.config, fixedParams: view.fixedParams })}`;
  return { body, charts };
}

function describeEfficiency(view: WalkForwardView): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${formatMetricValue('cagr', v)} %`);
  const from = `out-of-sample CAGR ${pct(view.outOfSampleAnnualReturn)} over the mean in-sample CAGR of the chosen configurations ${pct(view.inSampleAnnualReturn)}`;
  return view.efficiency === null
    ? `Walk-forward efficiency: n/a (${from}; it needs both, and an in-sample CAGR above 0).`
    : `Walk-forward efficiency: ${view.efficiency.toFixed(3)} (${from}).`;
}

function renderWindowsTable(view: WalkForwardView, swept: readonly string[]): SafeHtml {
  const m = view.metric;
  const cell = (name: MetricName, metrics: StoredMetricSet | null) => {
    const value = metrics?.[name] ?? null;
    return html`<td class="${valueClass(name, value)}">${formatMetricValue(name, value)}</td>`;
  };
  const efficiency = (w: WalkForwardWindowView): string => {
    const oos = w.outOfSampleMetrics?.cagr ?? null;
    const is = w.inSampleMetrics?.cagr ?? null;
    return oos === null || is === null || !(is > 0) ? 'n/a' : (oos / is).toFixed(2);
  };
  return html`<div class="scroll"><table class="data" id="walk-forward-windows">
<thead><tr><th class="num">#</th><th>Train</th><th>Test</th>${swept.map((name) => html`<th class="num">${name}</th>`)}<th class="num">${metricHeader(m)} in sample</th><th class="num">${metricHeader(m)} out of sample</th><th class="num">Return out of sample [%]</th><th class="num">Trades out of sample</th><th class="num">Efficiency</th></tr></thead>
<tbody>${view.windows.map(
    (w) => html`<tr data-window="${w.index}"${w.flat ? html` class="flat"` : ''}><td class="num">${w.index + 1}</td>
<td>${w.trainFromMs === null ? '(no bars)' : `${formatTimeMs(w.trainFromMs)} → ${formatTimeMs(w.trainToMs as number)}`}</td>
<td>${formatTimeMs(w.testFromMs)} → ${formatTimeMs(w.testToMs)}</td>
${
  w.flat
    ? html`<td colspan="${Math.max(1, swept.length)}">flat: no configuration with ≥ ${view.minTrades} trade${view.minTrades === 1 ? '' : 's'}</td>`
    : swept.map((name) => html`<td class="num">${String(w.chosenParams?.[name] ?? '')}</td>`)
}
${cell(m, w.inSampleMetrics)}${cell(m, w.outOfSampleMetrics)}${cell('total_return', w.outOfSampleMetrics)}${cell('total_trades', w.outOfSampleMetrics)}<td class="num">${efficiency(w)}</td></tr>`,
  )}</tbody></table></div>`;
}

function chosenParamsChart(view: WalkForwardView, swept: readonly string[]): ChartSpec | undefined {
  const chosen = view.windows.filter((w) => !w.flat && w.chosenParams !== null);
  const series = swept.flatMap((name, i) => {
    const points = chosen.filter((w) => typeof w.chosenParams?.[name] === 'number');
    if (points.length === 0) return [];
    return [
      lineSeries(
        name,
        SERIES_COLORS[i % SERIES_COLORS.length] as string,
        Float64Array.from(points, (w) => w.testFromMs),
        Float64Array.from(points, (w) => w.chosenParams?.[name] as number),
      ),
    ];
  });
  if (series.length === 0) return undefined;
  const times = Float64Array.from(chosen, (w) => w.testFromMs);
  return { id: 'params', type: 'lines', format: 'money', series, intraday: isIntraday(times) };
}

function renderStitchedMetrics(metrics: StoredMetricSet): SafeHtml {
  return html`<div class="scroll"><table class="data metrics" id="stitched-metrics">
<thead><tr><th>Metric</th><th class="num">Value</th></tr></thead>
<tbody>${METRIC_CATALOG.map((m) => {
    const value = metrics[m.name] ?? null;
    return html`<tr data-metric="${m.name}"><td>${metricHeader(m.name)}</td><td class="${valueClass(m.name, value)}">${formatMetricValue(m.name, value)}</td></tr>`;
  })}</tbody></table></div>`;
}

/** The dashboard's list of walk-forward groups. */
export function renderWalkForwardsPage(records: readonly WalkForwardRecord[]): string {
  const body = html`<h1>Walk-forwards</h1>
${
  records.length === 0
    ? html`<p class="note">No walk-forward is saved (backtest walk-forward ... --save-to-db).</p>`
    : html`<div class="scroll"><table class="data" id="walk-forwards">
<thead><tr><th>Group</th><th>Saved [UTC]</th><th>Symbol</th><th>Timeframe</th><th>Strategy</th><th class="num">Windows</th><th>Status</th><th class="num">Efficiency</th><th class="num">Stitched run</th></tr></thead>
<tbody>${records.map(
        (
          r,
        ) => html`<tr data-group="${r.definition.groupId}"><td><a href="/walk-forwards/${encodeURIComponent(r.definition.groupId)}">${r.definition.groupId}</a></td>
<td>${formatUnixSeconds(Math.floor(r.createdMs / 1000))}</td><td>${r.definition.symbol}</td><td>${r.definition.timeframe}</td><td>${r.definition.strategy.name}</td>
<td class="num">${formatNumber(r.windows.length, 0)} / ${formatNumber(r.windowCount, 0)}</td><td>${isPartialWalkForward(r) ? `${r.status} *` : r.status}</td>
<td class="num">${r.summary?.efficiency === null || r.summary === null ? 'n/a' : r.summary.efficiency.toFixed(3)}</td>
<td class="num">${r.stitchedRunId === null ? '' : html`<a href="/runs/${r.stitchedRunId}">${r.stitchedRunId}</a>`}</td></tr>`,
      )}</tbody></table></div><p class="note">* partial: stopped before every window finished.</p>`
}`;
  return dashboardPage({ title: 'Walk-forwards', body });
}
