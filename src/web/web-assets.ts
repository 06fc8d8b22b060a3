/**
 * The static files pages need, read from disk once: the lightweight-charts standalone bundle
 * (from the installed package, never fetched), our chart script and our stylesheet.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InternalError } from '../core/errors.js';

const cache = new Map<string, string>();

function readOnce(key: string, path: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    const file = path();
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InternalError(`cannot read the web asset ${file}: ${(error as Error).message}`, { cause: error });
    }
    cache.set(key, text);
  }
  return text;
}

/**
 * The lightweight-charts standalone bundle (defines the global `LightweightCharts`). The
 * package's export map hides `dist/`, so the file is found next to its `package.json`.
 *
 * @example
 * const js = lightweightChartsSource(); // ~200 kB of JavaScript
 */
export function lightweightChartsSource(): string {
  return readOnce('lightweight-charts', () => {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('lightweight-charts/package.json'));
    return join(root, 'dist', 'lightweight-charts.standalone.production.js');
  });
}

/**
 * Our chart script: draws the charts described in the page's `page-data` JSON.
 *
 * @example
 * const js = chartScriptSource();
 */
export function chartScriptSource(): string {
  return readOnce('charts', () => fileURLToPath(new URL('./assets/charts.js', import.meta.url)));
}

/**
 * The stylesheet shared by reports and the dashboard.
 *
 * @example
 * const css = styleSource();
 */
export function styleSource(): string {
  return readOnce('style', () => fileURLToPath(new URL('./assets/style.css', import.meta.url)));
}

/**
 * Makes JavaScript safe to place inside an inline `<script>` element: a literal `</script` in a
 * string, regex or comment would end the element early; `<\/script` means the same to JavaScript.
 *
 * @example
 * inlineScript('s = "</script>"'); // 's = "<\/script>"'
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}
