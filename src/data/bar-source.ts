/**
 * The port every remote bar provider implements: ask for one symbol's bars in a time range and
 * receive them page by page, so a caller can store each chunk as it arrives instead of holding
 * a whole download in memory. The Alpaca adapter (`alpaca/`) is the first; CSV files are read
 * whole and do not need it.
 */
import type { BarColumns } from '../core/bars.js';
import type { Timeframe } from '../core/timeframe.js';

/** One symbol's bars in `[startMs, endMs]`, both ends inclusive. */
export interface BarRequest {
  /** The symbol as the provider writes it (`AAPL`, `BTC/USD`). */
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** First bar open time wanted, unix milliseconds UTC, inclusive. */
  readonly startMs: number;
  /** Last bar open time wanted, unix milliseconds UTC, inclusive; `undefined` is "up to now". */
  readonly endMs?: number | undefined;
  /** Pages newest first (each page's bars too), for filling in history before stored bars. */
  readonly newestFirst?: boolean | undefined;
}

/**
 * A provider of bars. Pages come in the order asked for; their bars are not yet checked
 * against the bar invariants (`assertValidBars`), which the caller does per chunk.
 *
 * @example
 * for await (const page of source.fetchBars({ symbol: 'AAPL', timeframe: '1Hour', startMs })) {
 *   console.log(page.timeMs.length);
 * }
 */
export interface BarSource<Request extends BarRequest = BarRequest> {
  /** Short name stored with the bars, e.g. `alpaca`. */
  readonly name: string;
  /** The pages of bars for `request`; an empty range gives no bars, not an error. */
  fetchBars(request: Request, options?: { readonly signal?: AbortSignal | undefined }): AsyncIterable<BarColumns>;
}
