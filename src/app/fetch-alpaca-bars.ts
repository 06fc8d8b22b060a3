/**
 * Fetching bars from Alpaca into the bar store: the use case behind `backtest data fetch`.
 * It wires the Alpaca `BarSource` (data/) to the store (store/), which never meet otherwise.
 *
 * What gets asked for, per symbol (see {@link planFetch}):
 * - a new set: the whole requested range, oldest first;
 * - a stored raw set (crypto pairs are raw): only what is missing before its first bar (fetched
 *   newest first) and from its last bar on (oldest first; the last bar is fetched again, as it
 *   may have been incomplete). Either way the stored bars stay one unbroken range, so an
 *   interrupted fetch resumes from where it stopped by running it again;
 * - a stored adjusted set (split, dividend, all): everything again, since a new corporate
 *   action changes every earlier price. It is downloaded whole before the first write, so an
 *   interrupted download leaves the stored prices as they were, never half old and half new.
 *
 * Writes are committed per chunk of pages (by default 10,000 bars, one `importBars`
 * transaction each), so a long download never holds the database's write lock for long. Each
 * chunk is checked with `assertValidBars` first; a chunk that fails is not written at all.
 */
import { type BarColumns, createBarSeries } from '../core/bars.js';
import { AppError, ConfigError, DataError, StoreError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import {
  AlpacaAdjustment,
  AlpacaAssetClass,
  AlpacaAuthenticationError,
  type AlpacaBarRequest,
  AlpacaFeed,
  AlpacaNetworkError,
  type AlpacaSymbol,
} from '../data/alpaca/index.js';
import type { BarSource } from '../data/bar-source.js';
import { assertValidBars } from '../data/validate-bars.js';
import type { BarSetInfo, RunStore } from '../store/index.js';
import { formatTimeMs } from './format-values.js';
import { InterruptedError } from './sweep/interrupted-error.js';

/** Exit code when some symbols failed and the others were fetched and stored. */
export const PARTIAL_EXIT_CODE = 8;

/** The source name stored with Alpaca's bar sets. */
export const ALPACA_SOURCE = 'alpaca';

/** Bars per committed chunk by default. */
export const DEFAULT_CHUNK_BARS = 10_000;

/**
 * Some symbols could not be fetched while others were (exit 8); each failure was reported on
 * its own line before.
 *
 * @example
 * throw new PartialFetchError('1 of 3 symbols failed (MSFT); the others were stored');
 */
export class PartialFetchError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'partial', exitCode: PARTIAL_EXIT_CODE, ...options });
  }
}

/** What the fetch needs of the store: the bar-set part of the `RunStore` port. */
export type FetchBarStore = Pick<RunStore, 'location' | 'getBarSet' | 'importBars'>;

/** One time range to ask for, unix ms, both ends inclusive. */
export interface FetchRange {
  readonly startMs: number;
  /** `undefined`: up to now. */
  readonly endMs?: number | undefined;
  /** Fetched newest first: the history before a stored set, so what is stored stays unbroken. */
  readonly newestFirst: boolean;
}

/** What to ask for, and whether the stored set is replaced as a whole. */
export interface FetchPlan {
  readonly ranges: readonly FetchRange[];
  /** True for an adjusted set fetched again in full: downloaded whole, then written. */
  readonly whole: boolean;
}

/**
 * The ranges to fetch for one set, given what is stored (see the module header).
 *
 * @example
 * planFetch({ firstTimeMs: 100, lastTimeMs: 200 }, { startMs: 50, adjusted: false });
 * // { ranges: [{ startMs: 50, endMs: 99, newestFirst: true }, { startMs: 200, endMs: undefined, newestFirst: false }], whole: false }
 */
export function planFetch(
  stored: Pick<BarSetInfo, 'firstTimeMs' | 'lastTimeMs'> | undefined,
  wanted: { readonly startMs: number; readonly endMs?: number | undefined; readonly adjusted: boolean },
): FetchPlan {
  const { startMs, endMs } = wanted;
  if (stored === undefined) return { ranges: [{ startMs, endMs, newestFirst: false }], whole: false };
  if (wanted.adjusted) {
    return {
      ranges: [
        {
          startMs: Math.min(startMs, stored.firstTimeMs),
          endMs: endMs === undefined ? undefined : Math.max(endMs, stored.lastTimeMs),
          newestFirst: false,
        },
      ],
      whole: true,
    };
  }
  const ranges: FetchRange[] = [];
  if (startMs < stored.firstTimeMs) ranges.push({ startMs, endMs: stored.firstTimeMs - 1, newestFirst: true });
  if (endMs === undefined || endMs > stored.lastTimeMs) {
    ranges.push({ startMs: stored.lastTimeMs, endMs, newestFirst: false });
  }
  return { ranges, whole: false };
}

/** Progress of a fetch, after each page. */
export interface FetchProgress {
  /** The symbol being fetched. */
  readonly symbol: string;
  /** Bars received so far, all symbols together. */
  readonly bars: number;
  /** Share of the planned time ranges covered so far, 0 to 1. */
  readonly fraction: number;
}

/** What happened to one symbol. */
export type SymbolFetchOutcome =
  | {
      readonly status: 'stored';
      /** As stored and as Alpaca writes it (`BTC/USD`). */
      readonly symbol: string;
      readonly timeframe: Timeframe;
      /** Stock feed; `null` for crypto pairs. */
      readonly feed: AlpacaFeed | null;
      /** Stock adjustment; `null` for crypto pairs. */
      readonly adjustment: AlpacaAdjustment | null;
      /** The ranges asked for. */
      readonly ranges: readonly FetchRange[];
      /** Bars received from Alpaca. */
      readonly fetched: number;
      /** Bars written. */
      readonly inserted: number;
      /** Stored bars those replaced (the refetched last bar; a whole adjusted set). */
      readonly replaced: number;
      /** The stored set afterwards. */
      readonly set: BarSetInfo | undefined;
    }
  | {
      readonly status: 'failed';
      readonly symbol: string;
      readonly timeframe: Timeframe;
      /** Why, as one line; its exit code is the one to use when every symbol failed. */
      readonly error: AppError;
      /** Bars of this symbol stored before the failure (in whole chunks). */
      readonly inserted: number;
    };

/** What to fetch and how. */
export interface FetchAlpacaBarsOptions {
  /** Symbols in Alpaca's spelling (`parseAlpacaSymbols`), each once. */
  readonly symbols: readonly AlpacaSymbol[];
  readonly timeframe: Timeframe;
  /** First bar time wanted, unix ms, inclusive. */
  readonly startMs: number;
  /** Last bar time wanted, unix ms, inclusive; `undefined`: up to now. */
  readonly endMs?: number | undefined;
  /** Stocks: the feed; default the stored set's, else `iex`. Ignored for crypto pairs. */
  readonly feed?: AlpacaFeed | undefined;
  /** Stocks: the adjustment; default the stored set's, else `raw`. Ignored for crypto pairs. */
  readonly adjustment?: AlpacaAdjustment | undefined;
  /** Bars per committed chunk; default {@link DEFAULT_CHUNK_BARS}. */
  readonly chunkBars?: number | undefined;
  /** Stops the fetch (Ctrl-C): whole chunks already written stay, an {@link InterruptedError} is thrown. */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: FetchProgress) => void) | undefined;
  /** Hears each symbol's outcome as soon as it is known. */
  readonly onSymbol?: ((outcome: SymbolFetchOutcome) => void) | undefined;
  /** Clock for open-ended ranges in progress, unix ms; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** One symbol's set key and plan, decided before anything is fetched. */
interface SymbolPlan {
  readonly symbol: string;
  readonly feed: AlpacaFeed | null;
  readonly adjustment: AlpacaAdjustment | null;
  readonly plan: FetchPlan;
}

/**
 * Fetches every symbol's missing bars from `source` into `store` and returns one outcome per
 * symbol, in order. Every set's feed and adjustment are checked before anything is fetched: a
 * set stored with another feed, adjustment or source is refused with a `ConfigError`.
 *
 * Failures of one symbol (Alpaca rejecting the request, bad data, no bars at all) are outcomes
 * and the other symbols go on. Failures that would hit every symbol end the fetch at once:
 * `AlpacaAuthenticationError` (exit 6), `AlpacaNetworkError` (exit 7), a `StoreError`, and
 * `InterruptedError` (Ctrl-C, exit 130). Whole chunks written before stay either way.
 *
 * @example
 * const outcomes = await fetchAlpacaBars(new AlpacaBarSource(config), store, {
 *   symbols: parseAlpacaSymbols('AAPL,BTC/USD'), timeframe: '1Hour', startMs: Date.UTC(2024, 0, 1),
 * });
 */
export async function fetchAlpacaBars(
  source: BarSource<AlpacaBarRequest>,
  store: FetchBarStore,
  options: FetchAlpacaBarsOptions,
): Promise<SymbolFetchOutcome[]> {
  const now = options.now ?? Date.now;
  const chunkBars = options.chunkBars ?? DEFAULT_CHUNK_BARS;
  if (!Number.isInteger(chunkBars) || chunkBars < 1)
    throw new ConfigError('chunkBars must be a whole number of 1 or more');
  const plans: SymbolPlan[] = [];
  for (const symbol of options.symbols) plans.push(await planSymbol(store, symbol, options));

  const spanOf = (range: FetchRange): number => Math.max(1, (range.endMs ?? now()) - range.startMs);
  const plannedMs = plans.reduce((sum, p) => sum + p.plan.ranges.reduce((s, r) => s + spanOf(r), 0), 0);
  let doneMs = 0;
  let barsReceived = 0;
  const outcomes: SymbolFetchOutcome[] = [];

  for (const { symbol, feed, adjustment, plan } of plans) {
    const key = { source: ALPACA_SOURCE, feed, adjustment };
    const where = `${ALPACA_SOURCE} ${symbol} ${options.timeframe}`;
    let fetched = 0;
    let inserted = 0;
    let replaced = 0;
    const write = async (columns: BarColumns): Promise<void> => {
      if (columns.timeMs.length === 0) return;
      const counts = await store.importBars(createBarSeries(symbol, options.timeframe, columns), key);
      inserted += counts.inserted;
      replaced += counts.replaced;
    };
    try {
      const whole: BarColumns[] = [];
      for (const range of plan.ranges) {
        const span = spanOf(range);
        let pending: BarColumns[] = [];
        let pendingCount = 0;
        // The time written chunks reach: the next chunk must lie beyond it.
        let boundaryMs: number | undefined;
        const flush = async (): Promise<void> => {
          if (pendingCount === 0) return;
          const columns = joinPages(pending, range.newestFirst);
          pending = [];
          pendingCount = 0;
          assertValidBars(columns, where);
          checkContinues(columns, boundaryMs, range.newestFirst, where);
          boundaryMs = range.newestFirst ? (columns.timeMs[0] as number) : lastTime(columns);
          if (plan.whole) whole.push(columns);
          else await write(columns);
        };
        const request: AlpacaBarRequest = {
          symbol,
          timeframe: options.timeframe,
          startMs: range.startMs,
          endMs: range.endMs,
          newestFirst: range.newestFirst,
          ...(feed === null ? {} : { feed }),
          ...(adjustment === null ? {} : { adjustment }),
        };
        for await (const page of source.fetchBars(request, { signal: options.signal })) {
          const count = page.timeMs.length;
          fetched += count;
          barsReceived += count;
          pending.push(page);
          pendingCount += count;
          if (count > 0) {
            const reachedMs = page.timeMs[count - 1] as number;
            const coveredMs = range.newestFirst ? (range.endMs ?? now()) - reachedMs : reachedMs - range.startMs;
            options.onProgress?.({
              symbol,
              bars: barsReceived,
              fraction: Math.min(1, (doneMs + Math.min(span, Math.max(0, coveredMs))) / plannedMs),
            });
          }
          if (pendingCount >= chunkBars) await flush();
        }
        await flush();
        doneMs += span;
        options.onProgress?.({ symbol, bars: barsReceived, fraction: Math.min(1, doneMs / plannedMs) });
      }
      if (plan.whole) {
        // Written only once complete, chunk after chunk, so old and new adjustments meet only
        // for the moments the writes take.
        for (const columns of whole) {
          for (let start = 0; start < columns.timeMs.length; start += chunkBars) {
            await write(sliceColumns(columns, start, start + chunkBars));
          }
        }
      }
      const set = await store.getBarSet(symbol, options.timeframe);
      if (set === undefined || set.count === 0) {
        throw new DataError({
          source: `${symbol} ${options.timeframe}`,
          reason: `Alpaca has no bars from ${describeRanges(plan.ranges)}${
            feed === null ? '' : ` on the ${feed} feed`
          }; check the symbol, the dates${feed === AlpacaFeed.Iex ? ' and the feed (iex has less history than sip)' : ''}`,
        });
      }
      const outcome: SymbolFetchOutcome = {
        status: 'stored',
        symbol,
        timeframe: options.timeframe,
        feed,
        adjustment,
        ranges: plan.ranges,
        fetched,
        inserted,
        replaced,
        set,
      };
      outcomes.push(outcome);
      options.onSymbol?.(outcome);
    } catch (error) {
      const failure = classifyFailure(error, symbol, options, inserted);
      if (failure === undefined) throw error;
      if (failure.fatal) throw failure.error;
      const outcome: SymbolFetchOutcome = {
        status: 'failed',
        symbol,
        timeframe: options.timeframe,
        error: failure.error,
        inserted,
      };
      outcomes.push(outcome);
      options.onSymbol?.(outcome);
      // Whatever was left of this symbol's ranges will not be covered.
      doneMs = plans
        .slice(0, outcomes.length)
        .reduce((sum, p) => sum + p.plan.ranges.reduce((s, r) => s + spanOf(r), 0), 0);
    }
  }
  return outcomes;
}

/** Decides a symbol's set key (stored feed and adjustment unless given) and plan; refuses mismatches. */
async function planSymbol(
  store: FetchBarStore,
  { symbol, assetClass }: AlpacaSymbol,
  options: FetchAlpacaBarsOptions,
): Promise<SymbolPlan> {
  const stored = await store.getBarSet(symbol, options.timeframe);
  const stock = assetClass === AlpacaAssetClass.Stock;
  const feed = stock ? (options.feed ?? storedAs(stored?.feed, AlpacaFeed) ?? AlpacaFeed.Iex) : null;
  const adjustment = stock
    ? (options.adjustment ?? storedAs(stored?.adjustment, AlpacaAdjustment) ?? AlpacaAdjustment.Raw)
    : null;
  const name = `${stored?.symbol ?? symbol} ${options.timeframe}`;
  if (stored !== undefined && stored.source !== ALPACA_SOURCE) {
    throw new ConfigError(
      `${name} holds bars from ${stored.source === 'file' ? 'a file (backtest data import)' : stored.source}; Alpaca bars are not mixed into it: delete that set first (backtest data delete ${stored.symbol} ${options.timeframe}) or fetch into another database (--db)`,
    );
  }
  if (stored !== undefined && (stored.feed !== feed || stored.adjustment !== adjustment)) {
    throw new ConfigError(
      `${name} is stored with ${describeKey(stored.feed, stored.adjustment)}; refusing to add bars with ${describeKey(feed, adjustment)}: fetch with${
        stored.feed === null ? '' : ` --feed ${stored.feed}`
      }${stored.adjustment === null ? '' : ` --adjustment ${stored.adjustment}`}, delete that set first (backtest data delete ${stored.symbol} ${options.timeframe}) or use another database (--db)`,
    );
  }
  const adjusted = adjustment !== null && adjustment !== AlpacaAdjustment.Raw;
  // The set is named as Alpaca writes the symbol; a set stored under another spelling keeps its own.
  return {
    symbol: stored?.symbol ?? symbol,
    feed,
    adjustment,
    plan: planFetch(stored, { startMs: options.startMs, endMs: options.endMs, adjusted }),
  };
}

/** A stored value as a member of `values`, or `undefined` when it is none of them. */
function storedAs<T extends string>(value: string | null | undefined, values: Record<string, T>): T | undefined {
  return (Object.values(values) as string[]).includes(value ?? '') ? (value as T) : undefined;
}

function describeKey(feed: string | null, adjustment: string | null): string {
  if (feed === null && adjustment === null) return 'no feed or adjustment (a crypto pair)';
  return `feed ${feed ?? 'none'} and adjustment ${adjustment ?? 'none'}`;
}

function describeRanges(ranges: readonly FetchRange[]): string {
  return ranges
    .map((r) => `${formatTimeMs(r.startMs)} to ${r.endMs === undefined ? 'now' : formatTimeMs(r.endMs)}`)
    .join(' and ');
}

/**
 * Whether an error ends this symbol only (`fatal: false`), the whole fetch (`fatal: true`, with
 * the error to throw), or is a bug (`undefined`: rethrown as it is).
 */
function classifyFailure(
  error: unknown,
  symbol: string,
  options: FetchAlpacaBarsOptions,
  inserted: number,
): { fatal: boolean; error: AppError } | undefined {
  const kept =
    inserted > 0
      ? `${inserted.toLocaleString('en-US')} bars of ${symbol} were stored before it`
      : 'bars already stored are kept';
  if (options.signal?.aborted === true) {
    return {
      fatal: true,
      error: new InterruptedError(`fetch stopped by Ctrl-C; ${kept}: run the same command again to resume`, {
        cause: error,
      }),
    };
  }
  if (error instanceof AlpacaNetworkError) {
    return {
      fatal: true,
      error: new AlpacaNetworkError(`${error.message}; ${kept}: run the same command again to resume`, {
        cause: error,
      }),
    };
  }
  if (error instanceof AlpacaAuthenticationError || error instanceof StoreError) return { fatal: true, error };
  if (error instanceof AppError) return { fatal: false, error };
  return undefined;
}

/** Pages joined into one column set, oldest first (pages fetched newest first are reversed). */
function joinPages(pages: readonly BarColumns[], newestFirst: boolean): BarColumns {
  const count = pages.reduce((sum, page) => sum + page.timeMs.length, 0);
  const joined: BarColumns = {
    timeMs: new Float64Array(count),
    open: new Float64Array(count),
    high: new Float64Array(count),
    low: new Float64Array(count),
    close: new Float64Array(count),
    volume: new Float64Array(count),
  };
  const fields = ['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const;
  let offset = 0;
  for (const page of pages) {
    for (const field of fields) joined[field].set(page[field], offset);
    offset += page.timeMs.length;
  }
  if (newestFirst) for (const field of fields) joined[field].reverse();
  return joined;
}

function sliceColumns(columns: BarColumns, start: number, end: number): BarColumns {
  return {
    timeMs: columns.timeMs.subarray(start, end),
    open: columns.open.subarray(start, end),
    high: columns.high.subarray(start, end),
    low: columns.low.subarray(start, end),
    close: columns.close.subarray(start, end),
    volume: columns.volume.subarray(start, end),
  };
}

function lastTime(columns: BarColumns): number {
  return columns.timeMs[columns.timeMs.length - 1] as number;
}

/** A chunk must continue the chunks before it: later ones oldest first, earlier ones newest first. */
function checkContinues(
  columns: BarColumns,
  boundaryMs: number | undefined,
  newestFirst: boolean,
  source: string,
): void {
  if (boundaryMs === undefined || columns.timeMs.length === 0) return;
  const ok = newestFirst ? lastTime(columns) < boundaryMs : (columns.timeMs[0] as number) > boundaryMs;
  if (ok) return;
  throw new DataError({
    source,
    field: 'time',
    reason: `a page repeats or goes back in time: ${formatTimeMs(
      newestFirst ? lastTime(columns) : (columns.timeMs[0] as number),
    )} comes after bars up to ${formatTimeMs(boundaryMs)}`,
  });
}
