import { html, jsonForScript, raw, type SafeHtml } from './safe-html.js';
import { chartScriptSource, inlineScript, lightweightChartsSource, styleSource } from './web-assets.js';

/** What {@link renderPage} puts around a page body. */
export interface PageOptions {
  /** The `<title>`. */
  readonly title: string;
  readonly body: SafeHtml;
  /** Data for the page's script (chart specs and facts), embedded as escaped JSON. */
  readonly data?: unknown;
  /**
   * How the chart library reaches the page: `inline` (reports: one file that works offline),
   * a URL (the dashboard serves it once and the browser caches it), or `none` (no charts).
   */
  readonly chartLibrary: 'inline' | 'none' | { readonly src: string };
  /** Top bar with links, for dashboard pages. */
  readonly nav?: SafeHtml;
  /** Extra inline script after the chart script (small page behaviour). */
  readonly script?: string;
}

/**
 * A complete HTML document: inline stylesheet, the body, the page data as a JSON script tag
 * and the chart scripts. Nothing is fetched from the network.
 *
 * @example
 * const page = renderPage({ title: 'Run 7', body: html`<h1>Run 7</h1>`, chartLibrary: 'none' });
 */
export function renderPage(options: PageOptions): string {
  const { chartLibrary } = options;
  const library =
    chartLibrary === 'none'
      ? ''
      : chartLibrary === 'inline'
        ? html`<script>${raw(inlineScript(lightweightChartsSource()))}</script>`
        : html`<script src="${chartLibrary.src}"></script>`;
  const charts = chartLibrary === 'none' ? '' : html`<script>${raw(inlineScript(chartScriptSource()))}</script>`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${options.title}</title>
<style>${raw(styleSource())}</style>
</head>
<body>
${options.nav ?? ''}
<main>
${options.body}
</main>
<script type="application/json" id="page-data">${raw(jsonForScript(options.data ?? {}))}</script>
${library}
${charts}
${options.script === undefined ? '' : html`<script>${raw(inlineScript(options.script))}</script>`}
</body>
</html>
`;
  return page.value;
}
