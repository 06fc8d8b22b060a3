import type { BarSeries } from '../core/bars.js';
import type { Timeframe } from '../core/timeframe.js';
import { loadBarsCsv, loadBarsCsvBySymbol } from '../data/index.js';

/** `--symbol` and `--timeframe`, either left out. */
export interface BarsFileFlags {
  readonly symbol?: string | undefined;
  readonly timeframe?: Timeframe | undefined;
}

/**
 * Bars from a CSV named on the command line, one symbol's. The symbol is `--symbol`, else the
 * file's `symbol` column, else its name (`GOOGL_1Hour.csv` and `GOOGL.csv` → `GOOGL`); the
 * timeframe is `--timeframe`, else the name's, else the bar spacing's. A file holding several
 * symbols needs `--symbol`, and a `--timeframe` the spacing contradicts is refused (see
 * `loadBarsCsv`). Messages name the file as `shownAs`.
 *
 * @example
 * const bars = loadBarsFile('/data/GOOG.csv', 'GOOG.csv', {});
 */
export function loadBarsFile(path: string, shownAs: string, flags: BarsFileFlags): BarSeries {
  return loadBarsCsv(path, { symbol: flags.symbol, timeframe: flags.timeframe, shownAs });
}

/**
 * Every symbol's bars from a CSV named on the command line, one series per symbol (one for a
 * file without a `symbol` column); otherwise as {@link loadBarsFile}.
 *
 * @example
 * const series = loadBarsFileBySymbol('/data/universe.csv', 'universe.csv', {});
 */
export function loadBarsFileBySymbol(path: string, shownAs: string, flags: BarsFileFlags): BarSeries[] {
  return loadBarsCsvBySymbol(path, { symbol: flags.symbol, timeframe: flags.timeframe, shownAs });
}
