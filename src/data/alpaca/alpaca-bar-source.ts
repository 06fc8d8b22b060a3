/**
 * Historical bars from Alpaca's market-data REST API: stocks from `GET /v2/stocks/bars`,
 * crypto pairs (`BTC/USD`) from `GET /v1beta3/crypto/us/bars`, page by page along
 * `next_page_token`, every answer checked with zod before use.
 *
 * Why plain `fetch` and not Alpaca's JavaScript SDK (`@alpacahq/alpaca-trade-api`): its data
 * client wraps every failed request in `new Error(err.message)`, which drops the HTTP status
 * and the `Retry-After` header, so 401/403 cannot be told from 422 or 429; it has no retries;
 * and it would add axios and a websocket stack as dependencies for two GET endpoints. Node's
 * `fetch` (Node 20) and zod, already a dependency, cover it, and `fetch` does nothing at import.
 *
 * Retries: a 429 waits as `Retry-After` (or `X-RateLimit-Reset`) says, else backs off
 * exponentially, and goes on; 5xx answers, timeouts and network errors are retried a bounded
 * number of times; 401/403 and other 4xx are not retried.
 */
import type { BarColumns } from '../../core/bars.js';
import { DataError } from '../../core/errors.js';
import type { BarRequest, BarSource } from '../bar-source.js';
import type { AlpacaConfig } from './alpaca-config.js';
import { AlpacaAuthenticationError, AlpacaNetworkError, AlpacaRequestError } from './alpaca-errors.js';
import { AlpacaBarsPageSchema, AlpacaErrorSchema } from './alpaca-schemas.js';

/** Stock data feeds: `iex` (the free plan's) and `sip` (all US exchanges). */
export const AlpacaFeed = { Iex: 'iex', Sip: 'sip' } as const;
export type AlpacaFeed = (typeof AlpacaFeed)[keyof typeof AlpacaFeed];

/** Corporate-action adjustment of stock prices; `raw` is unadjusted. */
export const AlpacaAdjustment = { Raw: 'raw', Split: 'split', Dividend: 'dividend', All: 'all' } as const;
export type AlpacaAdjustment = (typeof AlpacaAdjustment)[keyof typeof AlpacaAdjustment];

/** A bar request with Alpaca's stock options; a crypto pair (a symbol with `/`) takes neither. */
export interface AlpacaBarRequest extends BarRequest {
  /** Stocks only; Alpaca's default depends on the plan, so the fetch always names one. */
  readonly feed?: AlpacaFeed | undefined;
  /** Stocks only; default `raw`. */
  readonly adjustment?: AlpacaAdjustment | undefined;
}

/** Said before each wait for a retry. */
export interface AlpacaRetryNotice {
  /** Why, in words: `HTTP 429 rate limited`, `HTTP 503`, `ECONNRESET`. */
  readonly reason: string;
  /** How long the wait is, milliseconds. */
  readonly waitMs: number;
  /** 1 for the first retry of this request. */
  readonly attempt: number;
}

/** Settings of {@link AlpacaBarSource}; all but the config have defaults. */
export interface AlpacaBarSourceOptions extends AlpacaConfig {
  /** Bars per page (Alpaca's `limit`), 1 to 10,000; default 10,000. */
  readonly pageLimit?: number | undefined;
  /** Retries of one request after 5xx answers, timeouts or network errors; default 5. */
  readonly maxRetries?: number | undefined;
  /** Waits after 429 answers for one request before giving up; default 10. */
  readonly maxRateLimitWaits?: number | undefined;
  /** First backoff, doubled on each retry, milliseconds; default 1,000. */
  readonly retryBaseMs?: number | undefined;
  /** Longest backoff, milliseconds; default 60,000. A `Retry-After` is obeyed up to 10 minutes. */
  readonly maxBackoffMs?: number | undefined;
  /** A request with no complete answer after this long is retried, milliseconds; default 60,000. */
  readonly requestTimeoutMs?: number | undefined;
  /** The HTTP client; default the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch | undefined;
  /** Waits `ms`, or rejects when `signal` aborts; default a timer. */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Hears each retry before its wait. */
  readonly onRetry?: ((notice: AlpacaRetryNotice) => void) | undefined;
  /** Clock for `Retry-After` dates and `X-RateLimit-Reset`, unix milliseconds; default `Date.now`. */
  readonly now?: (() => number) | undefined;
}

/** Alpaca's largest page. */
export const ALPACA_MAX_PAGE_LIMIT = 10_000;
/** The longest `Retry-After` obeyed as given; a larger one is cut to this. */
const MAX_RETRY_AFTER_MS = 600_000;
/** How much of an unexpected answer an error message quotes. */
const QUOTED_CHARS = 120;

/**
 * Alpaca's market-data API as a {@link BarSource}. Construct it with keys from
 * `alpacaConfigFromEnv`; requests send them as the `APCA-API-KEY-ID` and `APCA-API-SECRET-KEY`
 * headers and nowhere else.
 *
 * Errors: {@link AlpacaAuthenticationError} (401/403, exit 6), {@link AlpacaNetworkError}
 * (retries exhausted, exit 7), {@link AlpacaRequestError} (422 and other 4xx, exit 2) and
 * `DataError` (an answer that is not the documented JSON, exit 3).
 *
 * @example
 * const source = new AlpacaBarSource(alpacaConfigFromEnv(process.env));
 * for await (const page of source.fetchBars({ symbol: 'AAPL', timeframe: '1Hour', startMs: Date.UTC(2024, 0, 1) })) {
 *   console.log(page.timeMs.length);
 * }
 */
export class AlpacaBarSource implements BarSource<AlpacaBarRequest> {
  readonly name = 'alpaca';
  private readonly config: AlpacaConfig;
  private readonly pageLimit: number;
  private readonly maxRetries: number;
  private readonly maxRateLimitWaits: number;
  private readonly retryBaseMs: number;
  private readonly maxBackoffMs: number;
  private readonly requestTimeoutMs: number;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onRetry: (notice: AlpacaRetryNotice) => void;
  private readonly now: () => number;

  constructor(options: AlpacaBarSourceOptions) {
    this.config = { keyId: options.keyId, secretKey: options.secretKey, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    this.pageLimit = options.pageLimit ?? ALPACA_MAX_PAGE_LIMIT;
    if (!Number.isInteger(this.pageLimit) || this.pageLimit < 1 || this.pageLimit > ALPACA_MAX_PAGE_LIMIT) {
      throw new RangeError(`pageLimit must be a whole number from 1 to ${ALPACA_MAX_PAGE_LIMIT}`);
    }
    this.maxRetries = options.maxRetries ?? 5;
    this.maxRateLimitWaits = options.maxRateLimitWaits ?? 10;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? sleepFor;
    this.onRetry = options.onRetry ?? (() => {});
    this.now = options.now ?? Date.now;
  }

  /** Where requests go, e.g. `https://data.alpaca.markets`. */
  get baseUrl(): string {
    return this.config.baseUrl;
  }

  /**
   * The pages of `request`, following `next_page_token` until Alpaca sends none. Each page's
   * bars are in the order asked for (oldest first unless `newestFirst`).
   */
  async *fetchBars(
    request: AlpacaBarRequest,
    options: { readonly signal?: AbortSignal | undefined } = {},
  ): AsyncGenerator<BarColumns> {
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    do {
      const url = this.pageUrl(request, pageToken);
      const body = await this.getJson(url, request, options.signal);
      const page = AlpacaBarsPageSchema.safeParse(body);
      if (!page.success) {
        const issue = page.error.issues[0];
        const where = issue === undefined || issue.path.length === 0 ? 'the answer' : issue.path.join('.');
        throw new DataError({
          source: describeRequest(url),
          field: where,
          reason: `is not what Alpaca documents for bars (${issue?.message ?? 'unexpected shape'})`,
        });
      }
      const bars = page.data.bars?.[request.symbol] ?? [];
      const count = bars.length;
      const columns: BarColumns = {
        timeMs: new Float64Array(count),
        open: new Float64Array(count),
        high: new Float64Array(count),
        low: new Float64Array(count),
        close: new Float64Array(count),
        volume: new Float64Array(count),
      };
      for (let i = 0; i < count; i++) {
        const bar = bars[i] as (typeof bars)[number];
        columns.timeMs[i] = Date.parse(bar.t);
        columns.open[i] = bar.o;
        columns.high[i] = bar.h;
        columns.low[i] = bar.l;
        columns.close[i] = bar.c;
        columns.volume[i] = bar.v;
      }
      yield columns;
      pageToken = page.data.next_page_token ?? undefined;
      if (pageToken === '') pageToken = undefined;
      if (pageToken !== undefined) {
        // A token seen before would page forever; Alpaca never sends one twice.
        if (seenTokens.has(pageToken)) {
          throw new DataError({
            source: describeRequest(url),
            field: 'next_page_token',
            reason: 'repeats an earlier page token, so paging would never end',
          });
        }
        seenTokens.add(pageToken);
      }
    } while (pageToken !== undefined);
  }

  /**
   * The URL of one page of `request`.
   *
   * @example
   * source.pageUrl({ symbol: 'AAPL', timeframe: '1Hour', startMs: 0, feed: 'iex' }).pathname; // '/v2/stocks/bars'
   */
  pageUrl(request: AlpacaBarRequest, pageToken?: string): URL {
    const crypto = request.symbol.includes('/');
    const url = new URL(`${this.config.baseUrl}${crypto ? '/v1beta3/crypto/us/bars' : '/v2/stocks/bars'}`);
    const query = url.searchParams;
    query.set('symbols', request.symbol);
    // Our timeframes are spelled as Alpaca spells them (core/timeframe.ts), so they pass as they are.
    query.set('timeframe', request.timeframe);
    query.set('start', new Date(request.startMs).toISOString());
    if (request.endMs !== undefined) query.set('end', new Date(request.endMs).toISOString());
    query.set('limit', String(this.pageLimit));
    if (!crypto) {
      if (request.feed !== undefined) query.set('feed', request.feed);
      query.set('adjustment', request.adjustment ?? AlpacaAdjustment.Raw);
    }
    query.set('sort', request.newestFirst === true ? 'desc' : 'asc');
    if (pageToken !== undefined) query.set('page_token', pageToken);
    return url;
  }

  /** One GET answered with JSON, retried as the module header says. */
  private async getJson(url: URL, request: AlpacaBarRequest, signal: AbortSignal | undefined): Promise<unknown> {
    let failures = 0;
    let rateLimitWaits = 0;
    for (;;) {
      signal?.throwIfAborted();
      let answer: { status: number; statusText: string; headers: Headers; text: string };
      try {
        answer = await this.send(url, signal);
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        failures++;
        const reason = describeNetworkError(error, this.requestTimeoutMs);
        if (failures > this.maxRetries) {
          throw new AlpacaNetworkError(
            `could not reach Alpaca at ${this.config.baseUrl} after ${failures} attempts (${reason})`,
            { cause: error },
          );
        }
        await this.wait({ reason, waitMs: this.backoffMs(failures), attempt: failures }, signal);
        continue;
      }
      const { status } = answer;
      if (status >= 200 && status < 300) return parseJson(answer.text, url);
      const said = errorText(answer);
      if (status === 401 || status === 403) {
        throw new AlpacaAuthenticationError(
          `Alpaca refused the request for ${request.symbol} (HTTP ${status}: ${said}); check APCA_API_KEY_ID and APCA_API_SECRET_KEY${
            request.feed === AlpacaFeed.Sip
              ? ', and that your plan includes the sip feed (--feed iex does not need one)'
              : ''
          }`,
        );
      }
      if (status === 429) {
        rateLimitWaits++;
        if (rateLimitWaits > this.maxRateLimitWaits) {
          throw new AlpacaNetworkError(
            `Alpaca kept rate limiting the requests for ${request.symbol} (HTTP 429 after ${rateLimitWaits} waits)`,
          );
        }
        const told = retryAfterMs(answer.headers, this.now());
        const waitMs = told ?? this.backoffMs(rateLimitWaits);
        await this.wait({ reason: 'HTTP 429 rate limited', waitMs, attempt: rateLimitWaits }, signal);
        continue;
      }
      if (status >= 500) {
        failures++;
        if (failures > this.maxRetries) {
          throw new AlpacaNetworkError(
            `Alpaca kept failing for ${request.symbol} (HTTP ${status}: ${said}) after ${failures} attempts`,
          );
        }
        await this.wait({ reason: `HTTP ${status}`, waitMs: this.backoffMs(failures), attempt: failures }, signal);
        continue;
      }
      throw new AlpacaRequestError(
        status === 404
          ? `Alpaca has no ${url.pathname} at ${this.config.baseUrl} (HTTP 404: ${said}); check APCA_API_DATA_URL`
          : `Alpaca rejected the request for ${request.symbol} ${request.timeframe} (HTTP ${status}: ${said})`,
        status,
      );
    }
  }

  /** Sends one GET and reads the whole body, within the request timeout. */
  private async send(
    url: URL,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; statusText: string; headers: Headers; text: string }> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new RequestTimeoutError()), this.requestTimeoutMs);
    const onAbort = (): void => timeout.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.fetchFn(url, {
        headers: {
          'APCA-API-KEY-ID': this.config.keyId,
          'APCA-API-SECRET-KEY': this.config.secretKey,
          Accept: 'application/json',
        },
        signal: timeout.signal,
      });
      // The body is read here so a connection lost mid-answer counts as a network error.
      const text = await response.text();
      return { status: response.status, statusText: response.statusText, headers: response.headers, text };
    } catch (error) {
      throw timeout.signal.reason instanceof RequestTimeoutError && signal?.aborted !== true
        ? timeout.signal.reason
        : error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async wait(notice: AlpacaRetryNotice, signal: AbortSignal | undefined): Promise<void> {
    this.onRetry(notice);
    await this.sleep(notice.waitMs, signal);
  }

  /** `retryBaseMs`, doubled for each earlier attempt, at most `maxBackoffMs`. */
  private backoffMs(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.retryBaseMs * 2 ** (attempt - 1));
  }
}

/** A request that got no complete answer in time. */
class RequestTimeoutError extends Error {}

/** Waits `ms`; rejects with the signal's reason when it aborts first. */
function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * How long a 429 asks to wait: `Retry-After` in seconds or as an HTTP date, else Alpaca's
 * `X-RateLimit-Reset` (unix seconds); `undefined` when neither is usable.
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+(?:\.\d+)?$/.test(retryAfter)) return Math.min(MAX_RETRY_AFTER_MS, Number(retryAfter) * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs));
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset !== undefined && /^\d+$/.test(reset)) {
    return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Number(reset) * 1000 - nowMs));
  }
  return undefined;
}

/** `GET /v2/stocks/bars?symbols=AAPL&...` for messages; the URL carries no secrets. */
function describeRequest(url: URL): string {
  return `Alpaca GET ${url.pathname}?symbols=${url.searchParams.get('symbols') ?? ''}`;
}

function parseJson(text: string, url: URL): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DataError(
      {
        source: describeRequest(url),
        reason: `the answer is not JSON (${(error as Error).message}); it starts with ${JSON.stringify(text.slice(0, QUOTED_CHARS))}`,
      },
      { cause: error },
    );
  }
}

/** Alpaca's error message from an error answer, else the start of its text, else the status text. */
function errorText(answer: { statusText: string; text: string }): string {
  try {
    const parsed = AlpacaErrorSchema.safeParse(JSON.parse(answer.text));
    if (parsed.success) {
      return parsed.data.code === undefined ? parsed.data.message : `${parsed.data.message} [code ${parsed.data.code}]`;
    }
  } catch {
    // Not JSON: quote the text instead.
  }
  const text = answer.text.trim().replace(/\s+/g, ' ');
  if (text !== '') return text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text;
  return answer.statusText || 'no message';
}

/** `ECONNREFUSED`, `no complete answer within 60 s`, or the error's message. */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof RequestTimeoutError) return `no complete answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
