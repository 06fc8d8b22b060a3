/**
 * Self-contained HTML reports of one run: everything inlined (styles, chart library, data), so
 * the file opens offline and can be mailed or archived.
 */
import type { BacktestResult } from '../app/backtest-result.js';
import type { BarSeries } from '../core/bars.js';
import type { Trade } from '../core/result.js';
import type { StoredRunDetails } from '../app/stored-run-details.js';
import { type ChartSpec, equityChartSpecs, priceChartSpec } from './chart-spec.js';
import { MAX_CANDLES } from './downsample-candles.js';
import { formatNumber, formatTimeMs, formatUnitValue } from '../app/format-values.js';
import { monthlyReturns } from './monthly-returns.js';
import { renderPage } from './page-layout.js';
import {
  renderConfig,
  renderEquityCharts,
  renderMetricsTable,
  renderMonthlyReturns,
  renderRunHeader,
} from './run-sections.js';
import { type RunView, runViewFromResult, runViewFromRow } from './run-view.js';
import { html, type SafeHtml } from './safe-html.js';

/** Most trades listed in a report's table; the rest are counted (they are all in the metrics). */
export const MAX_REPORT_TRADES = 5000;

function footer(): SafeHtml {
  return html`<footer>Generated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by backtest-ledger. Times are UTC.</footer>`;
}

function title(view: RunView): string {
  return `${view.symbol} ${view.timeframe} ${view.strategyName ?? ''} — backtest report`.replace(/\s+/g, ' ');
}

function renderTrades(trades: readonly Trade[]): SafeHtml {
  if (trades.length === 0) return html`<p class="note">No trades.</p>`;
  const shown = trades.slice(0, MAX_REPORT_TRADES);
  const money = (v: number) => formatUnitValue(v, 'money');
  const signed = (v: number) => (v > 0 ? 'num pos' : v < 0 ? 'num neg' : 'num');
  return html`${
    trades.length > shown.length
      ? html`<p class="note">The first ${formatNumber(shown.length, 0)} of ${formatNumber(trades.length, 0)} trades.</p>`
      : ''
  }<div class="scroll"><table class="data trades">
<thead><tr><th class="num">#</th><th>Side</th><th class="num">Quantity</th><th>Entry</th><th class="num">Entry price</th><th>Exit</th><th class="num">Exit price</th><th class="num">P&amp;L [money]</th><th class="num">Return [%]</th><th class="num">Costs [money]</th><th class="num">Bars held</th></tr></thead>
<tbody>${shown.map(
    (t, i) =>
      html`<tr><td class="num">${i + 1}</td><td>${t.side}</td><td class="num">${formatNumber(t.quantity, 6)}</td><td>${formatTimeMs(t.entryTimeMs)}</td><td class="num">${money(t.entryPrice)}</td><td>${formatTimeMs(t.exitTimeMs)}</td><td class="num">${money(t.exitPrice)}</td><td class="${signed(t.pnl)}">${money(t.pnl)}</td><td class="${signed(t.returnPct)}">${formatUnitValue(t.returnPct, '%')}</td><td class="num">${money(t.costs)}</td><td class="num">${t.exitIndex - t.entryIndex}</td></tr>`,
  )}</tbody></table></div>`;
}

/**
 * The report of a fresh run (`backtest run --report FILE`): header, metrics, equity and
 * drawdown, the price chart with entry and exit markers (candles merged to at most 3,000), the
 * monthly returns and the trades.
 *
 * @example
 * const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: '1Day' });
 * const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
 * writeFileAtomically('goog.html', renderRunReport(result, bars));
 */
export function renderRunReport(result: BacktestResult, bars: BarSeries): string {
  const view = runViewFromResult(result);
  const [equity, drawdown] = equityChartSpecs(result.equityCurve);
  const price = priceChartSpec(bars, result.trades, MAX_CANDLES);
  const merged = price.type === 'candles' && price.t.length < bars.length;
  const body = html`${renderRunHeader(view, 'Backtest report')}
<h2>Metrics</h2>
${renderMetricsTable(view.metrics)}
${renderEquityCharts('')}
<h2>Price and trades</h2>
<p class="note">${merged ? `${formatNumber(bars.length, 0)} bars merged into ${formatNumber(price.t.length, 0)} candles. ` : ''}▲ entry, ▼ exit (long: Buy/Sell; short: Short/Cover).</p>
<div class="chart price" id="chart-price"></div>
<h2>Monthly returns</h2>
<p class="note">Percent change of equity from one month end to the next (UTC); the first month starts from the initial capital.</p>
${renderMonthlyReturns(monthlyReturns(result.equityCurve, result.config.initialCash))}
<h2>Trades</h2>
${renderTrades(result.trades)}
<h2>Config</h2>
${renderConfig(view.config)}
${footer()}`;
  return renderPage({
    title: title(view),
    body,
    chartLibrary: 'inline',
    data: { run: summaryData(view), charts: [equity, drawdown, price] },
  });
}

/**
 * The sections a stored run can show beyond its summary: the trade list when stored, the price
 * chart with entry and exit markers when the bar store still has the run's exact bars, and the
 * monthly returns when the month ends of its curve were stored. Shared by the stored-run report
 * and the dashboard's run page.
 *
 * @example
 * const { body, charts } = storedRunSections(await loadStoredRunDetails(store, 7));
 */
export function storedRunSections(details: StoredRunDetails): { body: SafeHtml; charts: ChartSpec[] } {
  const { row, curve, trades, bars } = details;
  const charts: ChartSpec[] = [];
  let priceSection: SafeHtml;
  if (bars !== undefined) {
    const price = priceChartSpec(bars, trades ?? [], MAX_CANDLES);
    charts.push(price);
    const merged = price.type === 'candles' && price.t.length < bars.length;
    priceSection = html`<h2>Price and trades</h2>
<p class="note">${merged ? `${formatNumber(bars.length, 0)} bars merged into ${formatNumber(price.t.length, 0)} candles. ` : ''}▲ entry, ▼ exit (long: Buy/Sell; short: Short/Cover). Bars from the bar store, matched by their SHA-256.</p>
<div class="chart price" id="chart-price"></div>`;
  } else {
    priceSection = html`<h2>Price and trades</h2><p class="note">The bar store does not hold this run's exact bars (matched by SHA-256), so there is no price chart; import them with <code>backtest data import</code>.</p>`;
  }
  const monthly =
    curve?.monthEnds === undefined
      ? html`<h2>Monthly returns</h2><p class="note">Not stored for this run.</p>`
      : html`<h2>Monthly returns</h2>
<p class="note">Percent change of equity from one month end to the next (UTC); the first month starts from the initial capital.</p>
${renderMonthlyReturns(monthlyReturns(curve.monthEnds, row.initial_capital))}`;
  const tradeList =
    trades === undefined
      ? html`<h2>Trades</h2><p class="note">No trade list is stored for this run (it was saved by another program).</p>`
      : html`<h2>Trades</h2>${renderTrades(trades)}`;
  return { body: html`${priceSection}${monthly}${tradeList}`, charts };
}

/**
 * The report of a stored run (`backtest report ID`): summary, metrics, the stored equity curve,
 * and the sections of {@link storedRunSections}.
 *
 * @example
 * const html = renderStoredReport(await loadStoredRunDetails(store, 7));
 */
export function renderStoredReport(details: StoredRunDetails): string {
  const { row, curve } = details;
  const view = runViewFromRow(row);
  const equityCharts = curve === undefined || curve.timeMs.length === 0 ? [] : equityChartSpecs(curve);
  const note =
    curve?.sourcePointCount !== undefined && curve.sourcePointCount > curve.timeMs.length
      ? `The stored curve: ${formatNumber(curve.timeMs.length, 0)} of ${formatNumber(curve.sourcePointCount, 0)} points, keeping every peak and trough.`
      : undefined;
  const sections = storedRunSections(details);
  const charts = [...equityCharts, ...sections.charts];
  const body = html`${renderRunHeader(view, 'Backtest report (stored run)')}
<h2>Metrics</h2>
${renderMetricsTable(view.metrics)}
${equityCharts.length === 0 ? html`<h2>Equity</h2><p class="note">No equity curve is stored for this run.</p>` : renderEquityCharts('', note)}
${sections.body}
<h2>Config</h2>
${renderConfig(view.config)}
${renderProvenance(view)}
${footer()}`;
  return renderPage({
    title: title(view),
    body,
    chartLibrary: charts.length === 0 ? 'none' : 'inline',
    data: { run: summaryData(view), charts },
  });
}

/**
 * Where a stored run came from: versions and hashes that make it reproducible.
 *
 * @example
 * renderProvenance(runViewFromRow(row));
 */
export function renderProvenance(view: RunView): SafeHtml {
  const items: [string, string | undefined][] = [
    ['Package version', view.packageVersion],
    ['Config hash (SHA-256)', view.configHash],
    ['Bars SHA-256', view.barsSha256],
    ['Model SHA-256', view.modelSha256],
  ];
  const present = items.filter((item): item is [string, string] => item[1] !== undefined);
  if (present.length === 0) return html``;
  return html`<h2>Provenance</h2><table class="data"><tbody>${present.map(
    ([k, v]) => html`<tr><td>${k}</td><td><code>${v}</code></td></tr>`,
  )}</tbody></table>`;
}

/** Facts about the run in the page data, for scripts that read the file. */
function summaryData(view: RunView): Record<string, unknown> {
  return {
    ...(view.id === undefined ? {} : { id: view.id }),
    symbol: view.symbol,
    timeframe: view.timeframe,
    strategy: view.strategyName ?? null,
    params: view.params ?? null,
    modelPath: view.modelPath ?? null,
    firstTimeMs: view.firstTimeMs,
    lastTimeMs: view.lastTimeMs,
    notes: view.notes ?? null,
    outOfMoney: view.outOfMoney,
    metrics: view.metrics,
  };
}
