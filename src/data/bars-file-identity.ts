import { basename, extname } from 'node:path';
import { canonicalTimeframe, type Timeframe } from '../core/timeframe.js';

/** What a bar file's name says about its bars. */
export interface BarsFileIdentity {
  /** The symbol, upper-case. */
  readonly symbol: string;
  /** Present when the name ends in `_TIMEFRAME`. */
  readonly timeframe?: Timeframe;
}

/**
 * Reads the symbol, and the timeframe when there is one, from a bar file's name: a name
 * `SYMBOL_TIMEFRAME.csv` (the layout of model files, `GOOGL_1Hour.csv`) gives both, the
 * timeframe in any spelling {@link canonicalTimeframe} accepts; any other name is all symbol.
 * Folders and the extension are ignored, and the symbol is upper-cased (`btc-usd` →
 * `BTC-USD`; pairs keep their separator).
 *
 * @example
 * barsFileIdentity('data/GOOGL_1Hour.csv'); // { symbol: 'GOOGL', timeframe: '1Hour' }
 * barsFileIdentity('data/btc-usd_1h.csv'); // { symbol: 'BTC-USD', timeframe: '1Hour' }
 * barsFileIdentity('data/GOOG.csv'); // { symbol: 'GOOG' }
 */
export function barsFileIdentity(path: string): BarsFileIdentity {
  const name = basename(path, extname(path));
  const split = name.lastIndexOf('_');
  if (split > 0) {
    const timeframe = canonicalTimeframe(name.slice(split + 1));
    if (timeframe !== undefined) return { symbol: name.slice(0, split).toUpperCase(), timeframe };
  }
  return { symbol: name.toUpperCase() };
}
