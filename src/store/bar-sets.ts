/**
 * Database-neutral rules of the bar store: which series may be stored, how a set is named and
 * keyed, and when an import into an existing set is refused. Each store implementation applies
 * them the same way.
 */
import type { BarSeries } from '../core/bars.js';
import { ConfigError, DataError } from '../core/errors.js';
import { symbolKey } from '../core/symbol-key.js';
import { canonicalTimeframe, type Timeframe } from '../core/timeframe.js';
import { BAR_COLUMN_NAMES } from './bar-chunks.js';
import type { BarImportOptions, BarTimeRange } from './run-store.js';

/** The identity of a set as stored: symbol upper-cased as written, its key, canonical timeframe. */
export interface BarSetKey {
  readonly symbol: string;
  readonly symbolKey: string;
  readonly timeframe: Timeframe;
}

/**
 * How a series is filed: its symbol trimmed and upper-cased (a `ConfigError` when nothing is
 * left), its `symbolKey`, and its timeframe in canonical spelling.
 *
 * @example
 * barSetKey('btc/usd', '1h'); // { symbol: 'BTC/USD', symbolKey: 'BTCUSD', timeframe: '1Hour' }
 */
export function barSetKey(symbol: string, timeframe: string): BarSetKey {
  const stored = symbol.trim().toUpperCase();
  const key = symbolKey(stored);
  if (key === '') throw new ConfigError(`bar set symbol "${symbol}" is empty; name the bars' symbol, e.g. GOOG`);
  const canonical = canonicalTimeframe(timeframe.trim());
  if (canonical === undefined) throw new ConfigError(`bar set timeframe "${timeframe}" is not a timeframe, e.g. 1Day`);
  return { symbol: stored, symbolKey: key, timeframe: canonical };
}

/** The provenance an import records: `source` (default `file`), `feed` and `adjustment` (default `null`). */
export interface BarProvenance {
  readonly source: string;
  readonly feed: string | null;
  readonly adjustment: string | null;
}

/**
 * Import options with their defaults, checked: each given value is a non-empty string.
 *
 * @example
 * barProvenance({ source: 'alpaca', feed: 'iex' }); // { source: 'alpaca', feed: 'iex', adjustment: null }
 */
export function barProvenance(options: BarImportOptions = {}): BarProvenance {
  const text = (name: string, value: unknown): void => {
    if (typeof value !== 'string' || value.trim() === '' || value !== value.trim()) {
      throw new ConfigError(`bar import ${name} ${JSON.stringify(value)} must be a non-empty word such as iex`);
    }
  };
  const source = options.source ?? 'file';
  text('source', source);
  const feed = options.feed ?? null;
  if (feed !== null) text('feed', feed);
  const adjustment = options.adjustment ?? null;
  if (adjustment !== null) text('adjustment', adjustment);
  return { source, feed, adjustment };
}

/**
 * Refuses, with a one-line `ConfigError`, bars whose feed or adjustment differ from those of
 * the set they would join: one set never mixes bars of two feeds or two adjustments.
 *
 * @example
 * refuseMixedBars({ symbol: 'GOOG', timeframe: '1Day', feed: 'iex', adjustment: 'raw' }, { feed: 'sip', adjustment: 'raw' });
 * // ConfigError: GOOG 1Day holds bars of feed iex; refusing bars of feed sip (delete the set first: backtest data delete GOOG 1Day)
 */
export function refuseMixedBars(
  set: {
    readonly symbol: string;
    readonly timeframe: string;
    readonly feed: string | null;
    readonly adjustment: string | null;
  },
  incoming: Pick<BarProvenance, 'feed' | 'adjustment'>,
): void {
  for (const field of ['feed', 'adjustment'] as const) {
    if (set[field] === incoming[field]) continue;
    const describe = (value: string | null) =>
      value === null ? `without ${field === 'feed' ? 'a feed' : 'an adjustment'}` : `of ${field} ${value}`;
    throw new ConfigError(
      `${set.symbol} ${set.timeframe} holds bars ${describe(set[field])}; refusing bars ${describe(incoming[field])} (delete the set first: backtest data delete ${set.symbol} ${set.timeframe})`,
    );
  }
}

/**
 * A range with its open ends filled in (`-Infinity`/`Infinity` are fine for SQL comparisons);
 * a `ConfigError` for NaN or an end before the start.
 */
export function checkBarTimeRange(range: BarTimeRange): { fromMs: number; toMs: number } {
  const fromMs = range.fromMs ?? -Number.MAX_VALUE;
  const toMs = range.toMs ?? Number.MAX_VALUE;
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new ConfigError('loadBars: fromMs and toMs must be numbers');
  return { fromMs, toMs };
}

/**
 * Checks a series before anything is stored: equal column lengths, whole-millisecond times
 * that strictly increase, finite values. A `DataError` naming the bar otherwise.
 */
export function checkBarSeries(bars: BarSeries): void {
  const source = `bars ${bars.symbol} ${bars.timeframe}`;
  for (const name of BAR_COLUMN_NAMES) {
    if (bars[name].length !== bars.length) {
      throw new DataError({
        source,
        field: name,
        reason: `has ${bars[name].length} values but the series has ${bars.length} bars`,
      });
    }
  }
  for (let i = 0; i < bars.length; i++) {
    const t = bars.timeMs[i] as number;
    if (!Number.isSafeInteger(t) || (i > 0 && t <= (bars.timeMs[i - 1] as number))) {
      throw new DataError({
        source,
        field: 'timeMs',
        reason: `bar ${i} time ${t} is not a whole number of ms after the previous bar`,
      });
    }
    for (const name of BAR_COLUMN_NAMES) {
      if (!Number.isFinite(bars[name][i] as number)) {
        throw new DataError({ source, field: name, reason: `bar ${i} is ${bars[name][i]}, not a finite number` });
      }
    }
  }
}
