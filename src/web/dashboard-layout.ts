import { renderPage } from './page-layout.js';
import { html, type SafeHtml } from './safe-html.js';

/** Where the dashboard serves the chart library (the installed package's standalone bundle). */
export const CHART_LIBRARY_PATH = '/assets/lightweight-charts.js';

const NAV = html`<header class="top"><a class="brand" href="/">Backtest ledger</a><nav><a href="/">Runs</a> <a href="/walk-forwards">Walk-forwards</a></nav></header>`;

/**
 * A dashboard page: the shared top bar, the body, and the chart scripts when `charts` is set.
 *
 * @example
 * dashboardPage({ title: 'Runs', body: html`<h1>Runs</h1>` });
 */
export function dashboardPage(options: {
  title: string;
  body: SafeHtml;
  data?: unknown;
  charts?: boolean;
  script?: string;
}): string {
  return renderPage({
    title: `${options.title} · Backtest ledger`,
    body: options.body,
    nav: NAV,
    data: options.data ?? {},
    chartLibrary: options.charts === true ? { src: CHART_LIBRARY_PATH } : 'none',
    ...(options.script === undefined ? {} : { script: options.script }),
  });
}

/**
 * An error page with one clear line.
 *
 * @example
 * errorPage(404, 'No run with id 7.');
 */
export function errorPage(status: number, message: string): string {
  const heading = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : 'Something went wrong';
  return dashboardPage({
    title: heading,
    body: html`<h1>${heading}</h1><p class="error-box">${message}</p><p><a href="/">Back to all runs</a></p>`,
  });
}
