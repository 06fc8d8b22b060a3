import { findMetric, type MetricName } from '../core/metric-catalog.js';
import { TIMEFRAMES } from '../core/timeframe.js';
import type { BacktestRow, StoredOutOfSample } from '../store/index.js';
import { dashboardPage } from './dashboard-layout.js';
import { type LeaderboardQuery, SORT_KEYS, type SortKey } from './dashboard-params.js';
import {
  formatMetricValue,
  formatNumber,
  formatTimeMs,
  formatUnixSeconds,
  metricHeader,
} from '../app/format-values.js';
import { valueClass } from './run-sections.js';
import { rowMetrics, strategyLabel } from './run-view.js';
import { rowParams } from '../app/stored-run.js';
import { html, type SafeHtml } from './safe-html.js';

/** Metric columns the leaderboard always shows; the sorted metric is added when not among them. */
export const LEADERBOARD_METRICS: readonly MetricName[] = [
  'total_return',
  'cagr',
  'sharpe_ratio',
  'sortino_ratio',
  'max_drawdown',
  'win_rate',
  'profit_factor',
  'total_trades',
];

// Short headers keep the table narrow; the full label is the header's tooltip.
const SHORT_HEADERS: Partial<Record<MetricName, string>> = {
  total_return: 'Return [%]',
  final_equity: 'Final equity',
  cagr: 'CAGR [%/yr]',
  volatility: 'Volatility [%]',
  sharpe_ratio: 'Sharpe',
  sortino_ratio: 'Sortino',
  calmar_ratio: 'Calmar',
  max_drawdown: 'Max DD [%]',
  max_drawdown_duration: 'Max DD [bars]',
  win_rate: 'Win rate [%]',
  profit_factor: 'Profit factor',
  total_trades: 'Trades',
  avg_trade_pnl: 'Avg P&L',
  avg_trade_duration: 'Avg bars held',
  expectancy: 'Expectancy [%]',
};

/** One page of the leaderboard, as the route has loaded it. */
export interface LeaderboardData {
  readonly rows: readonly BacktestRow[];
  /** Runs matching the filter, on all pages. */
  readonly total: number;
  readonly query: LeaderboardQuery;
  readonly page: number;
  readonly per: number;
  /** The out-of-sample parts of the split runs on this page, by id. */
  readonly outOfSample?: ReadonlyMap<number, StoredOutOfSample> | undefined;
}

/** The link for the same list with some parameters changed (undefined removes one). */
function listUrl(
  query: LeaderboardQuery,
  change: Partial<Record<keyof LeaderboardQuery, string | number | undefined>>,
): string {
  const merged: Record<string, unknown> = { ...query, ...change };
  const params = new URLSearchParams();
  for (const key of [
    'symbol',
    'timeframe',
    'model',
    'sweep',
    'strategy',
    'sort',
    'order',
    'page',
    'per',
    'sample',
  ] as const) {
    const value = merged[key];
    if (value === undefined || value === '') continue;
    if (key === 'sort' && value === 'run_timestamp') continue;
    if (key === 'sample' && value === 'is') continue;
    if (key === 'page' && value === 1) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '/' : `/?${text}`;
}

/** The direction a sort key is listed in when its header is clicked first: best first. */
function defaultOrder(sort: SortKey): 'asc' | 'desc' {
  if (sort === 'run_timestamp' || sort === 'id') return 'desc';
  return findMetric(sort)?.better === 'lower' ? 'asc' : 'desc';
}

/**
 * A header label on at most two lines, which keeps the column narrow: the unit under the name
 * (`Return` / `[%]`), else the last word under the rest (`Profit` / `factor`). The sort arrow, if
 * any, ends the last line.
 */
function headerLabel(label: string, arrow: string): SafeHtml {
  const unit = /^(.*) (\[[^\]]+\])$/.exec(label);
  if (unit !== null) return html`${unit[1] ?? ''}<span class="unit">${unit[2] ?? ''}${arrow}</span>`;
  const words = /^(.*) (\S+)$/.exec(label);
  if (words !== null) return html`${words[1] ?? ''}<span class="line">${words[2] ?? ''}${arrow}</span>`;
  return html`${label}${arrow}`;
}

function sortHeader(query: LeaderboardQuery, key: SortKey, label: string, numeric: boolean, tooltip = label): SafeHtml {
  const active = query.sort === key;
  const current = query.order ?? defaultOrder(key);
  const next = active ? (current === 'asc' ? 'desc' : 'asc') : defaultOrder(key);
  const arrow = active ? (current === 'asc' ? ' ▲' : ' ▼') : '';
  const url = listUrl(query, { sort: key, order: next === defaultOrder(key) ? undefined : next, page: undefined });
  return html`<th class="${numeric ? 'num' : ''}" data-sort-key="${key}" title="${tooltip}"><a href="${url}" class="${active ? 'sorted' : ''}">${headerLabel(label, arrow)}</a></th>`;
}

function sortLabel(key: SortKey): string {
  if (key === 'run_timestamp') return 'Saved (newest)';
  if (key === 'id') return 'Run id';
  return findMetric(key)?.label ?? key;
}

function shortPath(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/**
 * The leaderboard: filters, sortable columns, paging and a compare button.
 *
 * @example
 * renderLeaderboardPage({ rows, total, query, page: 1, per: 50 });
 */
export function renderLeaderboardPage(data: LeaderboardData): string {
  const { rows, total, query, page, per } = data;
  const outOfSample = data.outOfSample ?? new Map<number, StoredOutOfSample>();
  const sort = query.sort;
  const metricColumns =
    sort !== 'run_timestamp' && sort !== 'id' && !LEADERBOARD_METRICS.includes(sort)
      ? [...LEADERBOARD_METRICS, sort]
      : LEADERBOARD_METRICS;
  // Split runs on the page: the sorted metric (else the Sharpe ratio) gets its out-of-sample value beside it.
  const oosMetric: MetricName | undefined =
    outOfSample.size === 0 ? undefined : sort === 'run_timestamp' || sort === 'id' ? 'sharpe_ratio' : sort;
  const pages = Math.max(1, Math.ceil(total / per));
  const showModel = rows.some((r) => r.model_path !== null);
  const showSweep = rows.some((r) => r.sweep_id !== null);
  const first = total === 0 ? 0 : Math.min(total, (page - 1) * per + 1);
  const last = Math.min(total, page * per);
  const text = (name: string, label: string, value: string | undefined, placeholder: string) =>
    html`<label>${label}<input type="text" name="${name}" value="${value ?? ''}" placeholder="${placeholder}"></label>`;

  const filters = html`<form class="filters" method="get" action="/">
${text('symbol', 'Symbol', query.symbol, 'any')}
<label>Timeframe<select name="timeframe"><option value="">any</option>${TIMEFRAMES.map(
    (tf) => html`<option value="${tf}"${query.timeframe === tf ? html` selected` : ''}>${tf}</option>`,
  )}${
    query.timeframe !== undefined && !(TIMEFRAMES as readonly string[]).includes(query.timeframe)
      ? html`<option value="${query.timeframe}" selected>${query.timeframe}</option>`
      : ''
  }</select></label>
${text('strategy', 'Strategy', query.strategy, 'any')}
${text('model', 'Model file', query.model, 'any')}
${text('sweep', 'Sweep', query.sweep, 'any')}
<label>Sort by<select name="sort">${SORT_KEYS.map(
    (key) => html`<option value="${key}"${sort === key ? html` selected` : ''}>${sortLabel(key)}</option>`,
  )}</select></label>
<label>Rank split runs by<select name="sample"><option value="is">in-sample value</option><option value="oos"${query.sample === 'oos' ? html` selected` : ''}>out-of-sample value</option></select></label>
<label>Order<select name="order"><option value="">best first</option><option value="desc"${query.order === 'desc' ? html` selected` : ''}>descending</option><option value="asc"${query.order === 'asc' ? html` selected` : ''}>ascending</option></select></label>
<label>Per page<select name="per">${[20, 50, 100, 200, 500].map(
    (n) => html`<option value="${n}"${per === n ? html` selected` : ''}>${n}</option>`,
  )}</select></label>
<button type="submit">Apply</button> <a href="/">Clear</a>
</form>`;

  const pager = html`<div class="pager">
<span id="range">${total === 0 ? 'No runs' : `Runs ${formatNumber(first, 0)}–${formatNumber(last, 0)} of ${formatNumber(total, 0)}`}</span>
${page > 1 ? html`<a rel="prev" href="${listUrl(query, { page: page - 1 })}">← Previous</a>` : ''}
${page < pages ? html`<a rel="next" href="${listUrl(query, { page: page + 1 })}">Next →</a>` : ''}
<span>Page ${formatNumber(page, 0)} of ${formatNumber(pages, 0)}</span>
</div>`;

  const body = html`<h1>Saved runs</h1>
<p class="sub">Every backtest saved to the database. Refresh to see new runs. Times are UTC.</p>
${filters}
<form method="get" action="/compare" id="compare-form">
<div class="toolbar"><button type="submit" id="compare-button" disabled>Compare selected</button><span class="note" id="compare-hint">Tick 2 to 6 runs to compare them.</span></div>
${pager}
${
  rows.length === 0
    ? html`<p class="note">${total === 0 ? 'No saved runs match these filters.' : 'This page is past the last run.'}</p>`
    : html`<div class="scroll"><table class="data runs" id="runs">
<thead><tr><th></th>${sortHeader(query, 'id', 'Run', true)}${sortHeader(query, 'run_timestamp', 'Saved [UTC]', false)}<th>Symbol</th><th>Timeframe</th><th>${showModel ? html`Strategy<span class="unit">or model file</span>` : 'Strategy'}</th>${showSweep ? html`<th>Sweep</th>` : ''}${metricColumns.map(
        (m) => {
          const header = sortHeader(
            query,
            m,
            SHORT_HEADERS[m] ?? metricHeader(m),
            true,
            `${metricHeader(m)}: click to sort`,
          );
          if (m !== oosMetric) return header;
          return html`${header}<th class="num" data-oos-metric="${m}" title="${metricHeader(m)} out of sample (runs split with --oos-from or --oos-fraction)">${headerLabel(`${SHORT_HEADERS[m] ?? metricHeader(m)} OOS`, '')}</th>`;
        },
      )}</tr></thead>
<tbody>${rows.map((row) => {
        const metrics = rowMetrics(row);
        const label = strategyLabel({
          strategyName: row.strategy_name ?? undefined,
          params: rowParams(row),
          modelPath: row.model_path ?? undefined,
        });
        return html`<tr data-run-id="${row.id}">
<td><input type="checkbox" name="ids" value="${row.id}" aria-label="Select run ${row.id}"></td>
<td class="num"><a href="/runs/${row.id}">${row.id}</a>${row.out_of_money_time_ms === null ? '' : html`<span class="out-of-money" title="the account ran out of money on ${formatTimeMs(row.out_of_money_time_ms)}: positions closed, no trading after that bar" data-out-of-money>!</span>`}</td>
<td class="saved">${formatUnixSeconds(row.run_timestamp)}</td>
<td>${row.symbol}</td>
<td>${row.timeframe}</td>
<td class="strategy" title="${label}"><span class="clamp">${label}</span>${row.model_path === null ? '' : html`<span class="model clamp" title="${row.model_path}">${shortPath(row.model_path)}</span>`}</td>
${showSweep ? html`<td>${row.sweep_id === null ? '' : html`<a href="/sweeps/${encodeURIComponent(row.sweep_id)}" title="${row.sweep_id}">${row.sweep_id.length > 14 ? `${row.sweep_id.slice(0, 13)}…` : row.sweep_id}</a>`}</td>` : ''}
${metricColumns.map((m) => {
  const cell = html`<td class="${valueClass(m, metrics[m])}" data-metric="${m}">${formatMetricValue(m, metrics[m])}</td>`;
  if (m !== oosMetric) return cell;
  const value = outOfSample.get(row.id)?.metrics[m] ?? null;
  return html`${cell}<td class="${valueClass(m, value)}" data-oos-metric="${m}">${formatMetricValue(m, value)}</td>`;
})}
</tr>`;
      })}</tbody></table></div>${pager}`
}
</form>`;

  return dashboardPage({ title: 'Saved runs', body, script: COMPARE_SCRIPT });
}

// Enables the compare button only for 2 to 6 ticked runs (the server checks again).
const COMPARE_SCRIPT = `(() => {
  const form = document.getElementById('compare-form');
  const button = document.getElementById('compare-button');
  if (form === null || button === null) return;
  const update = () => {
    const n = form.querySelectorAll('input[name="ids"]:checked').length;
    button.disabled = n < 2 || n > 6;
    button.textContent = n === 0 ? 'Compare selected' : 'Compare ' + n + ' runs';
  };
  form.addEventListener('change', update);
  update();
})();`;
