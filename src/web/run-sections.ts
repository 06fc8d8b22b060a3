/**
 * Page parts shared by the report and the dashboard's run page.
 */
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import {
  describeOutOfMoney,
  type StoredOutOfMoney,
  formatMetricValue,
  formatNumber,
  formatTimeMs,
  formatUnitValue,
  formatUnixSeconds,
  metricHeader,
} from '../app/format-values.js';
import type { MonthlyReturnsRow } from './monthly-returns.js';
import type { RunView } from './run-view.js';
import { strategyLabel } from './run-view.js';
import { html, type SafeHtml } from './safe-html.js';

const SIGNED_METRICS: ReadonlySet<MetricName> = new Set([
  'total_return',
  'cagr',
  'max_drawdown',
  'avg_trade_pnl',
  'best_trade',
  'worst_trade',
  'buy_and_hold_return',
  'expectancy',
]);

/**
 * CSS class of a numeric cell: `na` for n/a, `pos`/`neg` for signed returns, plus `num`.
 *
 * @example
 * valueClass('total_return', -3); // 'num neg'
 */
export function valueClass(name: MetricName, value: number | null | undefined): string {
  if (value === null || value === undefined) return 'num na';
  if (!SIGNED_METRICS.has(name) || value === 0) return 'num';
  return value > 0 ? 'num pos' : 'num neg';
}

/**
 * The title block: symbol, timeframe, strategy with parameters, period and facts.
 *
 * @example
 * renderRunHeader(view, 'Backtest report');
 */
export function renderRunHeader(view: RunView, kicker: string): SafeHtml {
  const facts: SafeHtml[] = [
    html`<li>Period <b>${formatTimeMs(view.firstTimeMs)} → ${formatTimeMs(view.lastTimeMs)}</b></li>`,
  ];
  if (view.barCount !== undefined) facts.push(html`<li>Bars <b>${formatNumber(view.barCount, 0)}</b></li>`);
  facts.push(html`<li>Initial capital <b>${formatNumber(view.initialCapital, 2)}</b></li>`);
  if (view.modelPath !== undefined) facts.push(html`<li>Model <b><code>${view.modelPath}</code></b></li>`);
  if (view.savedAtSeconds !== undefined)
    facts.push(html`<li>Saved <b>${formatUnixSeconds(view.savedAtSeconds)} UTC</b></li>`);
  if (view.sweepId !== undefined) facts.push(html`<li>Sweep <b>${view.sweepId}</b></li>`);
  if (view.skippedOrders !== undefined && view.skippedOrders > 0) {
    facts.push(html`<li>Skipped orders (could not afford one unit) <b>${view.skippedOrders}</b></li>`);
  }
  return html`<p class="sub">${kicker}${view.id === undefined ? '' : ` · run ${view.id}`}</p>
<h1>${view.symbol} · ${view.timeframe} · ${strategyLabel(view)}</h1>
<ul class="facts">${facts}</ul>
${renderOutOfMoneyNotice(view.outOfMoney)}
${view.notes === undefined ? '' : html`<p class="note">Notes: ${view.notes}</p>`}`;
}

/**
 * The notice shown when a run ran out of money; empty otherwise. Takes only the result's
 * `outOfMoney` field, so fresh and stored runs show the same words.
 *
 * @example
 * renderOutOfMoneyNotice({ timeMs: Date.UTC(2021, 2, 4), barIndex: 812 });
 */
export function renderOutOfMoneyNotice(outOfMoney: StoredOutOfMoney | null): SafeHtml {
  if (outOfMoney === null) return html``;
  const sentence = describeOutOfMoney(outOfMoney);
  return html`<p class="error-box" data-out-of-money="${outOfMoney.barIndex ?? ''}"><b>Out of money.</b> ${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}; equity is 0 from that bar on.</p>`;
}

/**
 * Every catalog metric in two side-by-side tables: label with unit, value right-aligned.
 *
 * @example
 * renderMetricsTable(view.metrics);
 */
export function renderMetricsTable(metrics: Readonly<Record<MetricName, number | null>>): SafeHtml {
  const half = Math.ceil(METRIC_CATALOG.length / 2);
  const table = (part: typeof METRIC_CATALOG) => html`<table class="data metrics">
<thead><tr><th>Metric</th><th class="num">Value</th></tr></thead>
<tbody>${part.map(
    (m) =>
      html`<tr data-metric="${m.name}"><td>${metricHeader(m.name)}</td><td class="${valueClass(m.name, metrics[m.name])}">${formatMetricValue(m.name, metrics[m.name])}</td></tr>`,
  )}</tbody></table>`;
  return html`<div class="metrics-grid">${table(METRIC_CATALOG.slice(0, half))}${table(METRIC_CATALOG.slice(half))}</div>`;
}

/**
 * The metrics of a split run: every catalog metric on a row, in-sample and out-of-sample values
 * side by side (`null` where undefined), and where the out-of-sample part lies.
 *
 * @example
 * renderSplitMetricsTable(view.metrics, oos);
 */
export function renderSplitMetricsTable(
  inSample: Readonly<Record<MetricName, number | null>>,
  oos: {
    readonly fromMs: number;
    readonly toMs: number;
    readonly barsCount: number;
    readonly metrics: Readonly<Record<MetricName, number | null>>;
  },
): SafeHtml {
  return html`<p class="note" id="out-of-sample">Split run: in sample up to the out-of-sample part, which runs from
<b>${formatTimeMs(oos.fromMs)}</b> to <b>${formatTimeMs(oos.toMs)}</b> (${formatNumber(oos.barsCount, 0)} bars) and started
flat with the initial capital after a warm-up over the bars before it. Charts, trades and the other sections are the in-sample part's.</p>
<div class="scroll"><table class="data metrics split" id="split-metrics">
<thead><tr><th>Metric</th><th class="num">In-sample</th><th class="num">Out-of-sample</th></tr></thead>
<tbody>${METRIC_CATALOG.map(
    (m) =>
      html`<tr data-metric="${m.name}"><td>${metricHeader(m.name)}</td><td class="${valueClass(m.name, inSample[m.name])}">${formatMetricValue(m.name, inSample[m.name])}</td><td class="${valueClass(m.name, oos.metrics[m.name])}">${formatMetricValue(m.name, oos.metrics[m.name])}</td></tr>`,
  )}</tbody></table></div>`;
}

/**
 * The equity chart with its drawdown chart below (elements the chart script fills).
 *
 * @example
 * renderEquityCharts('', 'Equity (downsampled to 300 points)');
 */
export function renderEquityCharts(idPrefix: string, note?: string): SafeHtml {
  return html`<h2>Equity</h2>
${note === undefined ? '' : html`<p class="note">${note}</p>`}
<div class="chart-title">Equity [account currency]</div>
<div class="chart tall" id="chart-${idPrefix}equity"></div>
<div class="chart-title">Drawdown [%]</div>
<div class="chart short" id="chart-${idPrefix}drawdown"></div>`;
}

/**
 * The config as indented JSON.
 *
 * @example
 * renderConfig(view.config);
 */
export function renderConfig(config: unknown): SafeHtml {
  if (config === undefined) return html`<p class="note">No config was stored for this run.</p>`;
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  return html`<pre class="config">${text}</pre>`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pctCell(value: number | null): SafeHtml {
  // A month without bars stays blank: it is not a zero return.
  if (value === null) return html`<td class="num na"></td>`;
  const cls = value > 0 ? 'num pos' : value < 0 ? 'num neg' : 'num';
  return html`<td class="${cls}">${formatUnitValue(value, '%')}</td>`;
}

/**
 * Years as rows, months as columns, percent returns, with the year's total at the end.
 *
 * @example
 * renderMonthlyReturns(monthlyReturns(curve, 10_000));
 */
export function renderMonthlyReturns(rows: readonly MonthlyReturnsRow[]): SafeHtml {
  if (rows.length === 0) return html`<p class="note">No equity points.</p>`;
  return html`<div class="scroll"><table class="data monthly">
<thead><tr><th>Year</th>${MONTHS.map((m) => html`<th class="num">${m} [%]</th>`)}<th class="num">Year [%]</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${r.year}</td>${r.monthsPct.map(pctCell)}${pctCell(r.yearPct)}</tr>`)}</tbody>
</table></div>`;
}
