import { basename, extname } from 'node:path';
import { type BarSeries, createBarSeries } from '../core/bars.js';
import { UsageError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import { loadBarsCsv } from '../data/index.js';
import { inferTimeframe } from '../data/infer-timeframe.js';

/**
 * Bars from a CSV named on the command line. The symbol defaults to the file name
 * (`GOOG.csv` → `GOOG`) and the timeframe to the one the bar spacing shows; when the spacing
 * matches no timeframe the user is asked for `--timeframe`.
 *
 * @example
 * const bars = loadBarsFile('/data/GOOG.csv', 'GOOG.csv', {});
 */
export function loadBarsFile(
  path: string,
  shownAs: string,
  options: { readonly symbol?: string | undefined; readonly timeframe?: Timeframe | undefined },
): BarSeries {
  const symbol = options.symbol ?? basename(path, extname(path)).toUpperCase();
  // Any timeframe parses the same; it is replaced below when the user gave none.
  const loaded = loadBarsCsv(path, { symbol, timeframe: options.timeframe ?? '1Day' });
  if (options.timeframe !== undefined) return loaded;
  const inferred = inferTimeframe(loaded);
  if (inferred === undefined) {
    throw new UsageError(`cannot tell the timeframe of ${shownAs} from its bar spacing; pass --timeframe`);
  }
  return createBarSeries(symbol, inferred, loaded);
}
