import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BarColumns } from '../../core/bars.js';
import { DataError } from '../../core/errors.js';
import type { Timeframe } from '../../core/timeframe.js';
import { type AlpacaBarRequest, AlpacaBarSource, type AlpacaRetryNotice, retryAfterMs } from './alpaca-bar-source.js';
import { AlpacaAuthenticationError, AlpacaNetworkError, AlpacaRequestError } from './alpaca-errors.js';
import { type FakeAlpacaServer, hourlyBars, startFakeAlpacaServer } from './fake-alpaca-server.test-support.js';

let server: FakeAlpacaServer;
const JAN_2 = Date.UTC(2024, 0, 2);

beforeAll(async () => {
  server = await startFakeAlpacaServer({
    AAPL: hourlyBars('2024-01-02T14:00:00Z', 25),
    'BTC/USD': hourlyBars('2024-01-02T00:00:00Z', 5, 42_000),
  });
});

afterAll(() => server.close());

beforeEach(() => {
  server.requests.length = 0;
});

/** A source against the fake whose waits are recorded instead of slept. */
function sourceFor(overrides: Partial<ConstructorParameters<typeof AlpacaBarSource>[0]> = {}): {
  source: AlpacaBarSource;
  waits: number[];
  notices: AlpacaRetryNotice[];
} {
  const waits: number[] = [];
  const notices: AlpacaRetryNotice[] = [];
  const source = new AlpacaBarSource({
    keyId: server.keyId,
    secretKey: server.secretKey,
    baseUrl: `${server.url}/`,
    pageLimit: 10,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onRetry: (notice) => notices.push(notice),
    ...overrides,
  });
  return { source, waits, notices };
}

async function collect(source: AlpacaBarSource, request: AlpacaBarRequest): Promise<BarColumns[]> {
  const pages: BarColumns[] = [];
  for await (const page of source.fetchBars(request)) pages.push(page);
  return pages;
}

const aapl: AlpacaBarRequest = { symbol: 'AAPL', timeframe: '1Hour', startMs: JAN_2, feed: 'iex', adjustment: 'raw' };

describe('AlpacaBarSource', () => {
  it('follows next_page_token, sends the keys as headers and the documented query', async () => {
    const { source } = sourceFor();
    const pages = await collect(source, { ...aapl, endMs: Date.UTC(2024, 0, 4) });
    expect(pages.map((p) => p.timeMs.length)).toEqual([10, 10, 5]);
    const times = pages.flatMap((p) => [...p.timeMs]);
    expect(times[0]).toBe(Date.parse('2024-01-02T14:00:00Z'));
    expect(times.every((t, i) => i === 0 || t - (times[i - 1] as number) === 3_600_000)).toBe(true);
    expect(pages[0]?.close[0]).toBe(100.25);
    expect(server.requests).toHaveLength(3);
    const [first, second] = server.requests;
    expect(first?.path).toBe('/v2/stocks/bars');
    expect(first?.query).toEqual({
      symbols: 'AAPL',
      timeframe: '1Hour',
      start: '2024-01-02T00:00:00.000Z',
      end: '2024-01-04T00:00:00.000Z',
      limit: '10',
      feed: 'iex',
      adjustment: 'raw',
      sort: 'asc',
    });
    expect(second?.query.page_token).toBeDefined();
    expect(server.requests.every((r) => r.keyId === server.keyId && r.secretKey === server.secretKey)).toBe(true);
  });

  it('asks the crypto endpoint for pairs, without feed or adjustment', async () => {
    const { source } = sourceFor();
    const pages = await collect(source, { symbol: 'BTC/USD', timeframe: '1Hour', startMs: JAN_2 });
    expect(pages.flatMap((p) => [...p.open])).toEqual([42_000, 42_000.5, 42_001, 42_001.5, 42_002]);
    expect(server.requests[0]?.path).toBe('/v1beta3/crypto/us/bars');
    expect(server.requests[0]?.query.symbols).toBe('BTC/USD');
    expect(server.requests[0]?.query).not.toHaveProperty('feed');
  });

  it('pages newest first when asked', async () => {
    const { source } = sourceFor();
    const pages = await collect(source, { ...aapl, newestFirst: true });
    const times = pages.flatMap((p) => [...p.timeMs]);
    expect(times).toHaveLength(25);
    expect(times[0]).toBeGreaterThan(times[24] as number);
    expect(server.requests[0]?.query.sort).toBe('desc');
  });

  it('gives no pages of bars for a range without any', async () => {
    const { source } = sourceFor();
    const pages = await collect(source, { ...aapl, startMs: Date.UTC(2030, 0, 1) });
    expect(pages.map((p) => p.timeMs.length)).toEqual([0]);
  });

  it('accepts every timeframe the toolkit has, as Alpaca spells them', async () => {
    const timeframes: Timeframe[] = [
      ...Array.from({ length: 59 }, (_, i) => `${i + 1}Min` as Timeframe),
      ...Array.from({ length: 23 }, (_, i) => `${i + 1}Hour` as Timeframe),
      '1Day',
      '1Week',
      ...([1, 2, 3, 4, 6, 12] as const).map((n) => `${n}Month` as const),
    ];
    const { source } = sourceFor({ pageLimit: 10_000 });
    for (const timeframe of timeframes) await collect(source, { ...aapl, timeframe });
    expect(server.requests.map((r) => r.query.timeframe)).toEqual(timeframes);
  });

  it('waits as Retry-After says on 429 and goes on', async () => {
    server.script({ status: 429, headers: { 'Retry-After': '3' }, body: '{"message":"too many requests."}' });
    const { source, waits, notices } = sourceFor();
    const pages = await collect(source, aapl);
    expect(pages.flatMap((p) => [...p.timeMs])).toHaveLength(25);
    expect(waits).toEqual([3000]);
    expect(notices).toEqual([{ reason: 'HTTP 429 rate limited', waitMs: 3000, attempt: 1 }]);
  });

  it('backs off exponentially on 429 without Retry-After, and gives up after the bounded number', async () => {
    server.script({ status: 429 }, { status: 429 });
    const { source, waits } = sourceFor({ retryBaseMs: 100 });
    await collect(source, aapl);
    expect(waits).toEqual([100, 200]);

    server.script({ status: 429 }, { status: 429 }, { status: 429 });
    const limited = sourceFor({ maxRateLimitWaits: 2 });
    const error = await collect(limited.source, aapl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaNetworkError);
    expect((error as AlpacaNetworkError).exitCode).toBe(7);
    expect((error as Error).message).toContain('HTTP 429 after 3 waits');
  });

  it('retries a 500 and a dropped connection, then goes on', async () => {
    server.script({ status: 500, body: '{"message":"internal server error"}' }, { hangUp: true });
    const { source, waits, notices } = sourceFor({ retryBaseMs: 50 });
    const pages = await collect(source, aapl);
    expect(pages.flatMap((p) => [...p.timeMs])).toHaveLength(25);
    expect(waits).toEqual([50, 100]);
    expect(notices[0]?.reason).toBe('HTTP 500');
  });

  it('gives up with a network error after the bounded retries of 5xx', async () => {
    server.script(...Array.from({ length: 4 }, () => ({ status: 503, body: 'upstream unavailable' })));
    const { source, waits } = sourceFor({ maxRetries: 3 });
    const error = await collect(source, aapl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaNetworkError);
    expect((error as Error).message).toBe(
      'Alpaca kept failing for AAPL (HTTP 503: upstream unavailable) after 4 attempts',
    );
    expect(waits).toHaveLength(3);
  });

  it('says which host it could not reach when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { source } = sourceFor({ baseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 });
    const error = await collect(source, aapl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaNetworkError);
    expect((error as Error).message).toBe(
      `could not reach Alpaca at http://127.0.0.1:${port} after 2 attempts (ECONNREFUSED)`,
    );
  });

  it('retries a request that gets no answer in time', async () => {
    server.script({ stall: true });
    const { source, notices } = sourceFor({ requestTimeoutMs: 200 });
    const pages = await collect(source, aapl);
    expect(pages.flatMap((p) => [...p.timeMs])).toHaveLength(25);
    expect(notices[0]?.reason).toBe('no complete answer within 0.2 s');
  });

  it('refuses wrong keys with an authentication error that does not show them (403)', async () => {
    const { source, waits } = sourceFor({ secretKey: 'wrong-secret' });
    const error = await collect(source, aapl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaAuthenticationError);
    expect((error as AlpacaAuthenticationError).exitCode).toBe(6);
    expect((error as Error).message).toBe(
      'Alpaca refused the request for AAPL (HTTP 403: forbidden.); check APCA_API_KEY_ID and APCA_API_SECRET_KEY',
    );
    expect((error as Error).message).not.toContain('wrong-secret');
    expect(waits).toEqual([]);
  });

  it('treats 401 as authentication too, and names the sip plan for --feed sip', async () => {
    server.script({ status: 401, body: '{"code":40110000,"message":"request is not authorized"}' });
    const { source } = sourceFor();
    const error = await collect(source, { ...aapl, feed: 'sip' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaAuthenticationError);
    expect((error as Error).message).toContain('HTTP 401: request is not authorized [code 40110000]');
    expect((error as Error).message).toContain('your plan includes the sip feed');
  });

  it("reports a 422 with Alpaca's message and code, without retrying", async () => {
    const { source, waits } = sourceFor();
    const error = await collect(source, { ...aapl, symbol: 'AA PL' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaRequestError);
    expect((error as AlpacaRequestError).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      'Alpaca rejected the request for AA PL 1Hour (HTTP 422: invalid symbol: AA PL [code 42210000])',
    );
    expect(waits).toEqual([]);
  });

  it('points at APCA_API_DATA_URL on a 404', async () => {
    const { source } = sourceFor({ baseUrl: `${server.url}/wrong` });
    await expect(collect(source, aapl)).rejects.toThrow(
      `Alpaca has no /wrong/v2/stocks/bars at ${server.url}/wrong (HTTP 404: Not Found); check APCA_API_DATA_URL`,
    );
  });

  it('refuses malformed JSON and answers of another shape as bad data', async () => {
    server.script({ status: 200, body: '{"bars": {"AAPL": [' });
    const { source } = sourceFor();
    const error = await collect(source, aapl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(
      /^Alpaca GET \/v2\/stocks\/bars\?symbols=AAPL: the answer is not JSON \(.+\); it starts with "\{\\"bars\\": \{\\"AAPL\\": \["$/,
    );

    server.script({
      status: 200,
      body: JSON.stringify({ bars: { AAPL: [{ t: '2024-01-02T14:00:00Z', o: 1, h: 2, l: 0.5, v: 10 }] } }),
    });
    await expect(collect(source, aapl)).rejects.toThrow(
      /^Alpaca GET \/v2\/stocks\/bars\?symbols=AAPL column bars\.AAPL\.0\.c: is not what Alpaca documents for bars/,
    );

    server.script({
      status: 200,
      body: JSON.stringify({ bars: { AAPL: [{ t: '2024-01-02 14:00', o: 1, h: 2, l: 0.5, c: 1, v: 10 }] } }),
    });
    await expect(collect(source, aapl)).rejects.toThrow(/column bars\.AAPL\.0\.t:/);
  });

  it('stops waiting at once when aborted', async () => {
    server.script({ status: 429, headers: { 'Retry-After': '600' } });
    const stop = new AbortController();
    const source = new AlpacaBarSource({
      keyId: server.keyId,
      secretKey: server.secretKey,
      baseUrl: server.url,
      onRetry: () => stop.abort(new Error('stopped')),
    });
    const started = Date.now();
    const pages = source.fetchBars(aapl, { signal: stop.signal });
    await expect(pages.next()).rejects.toThrow('stopped');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2024, 0, 2, 12);
  it('reads seconds, an HTTP date, or X-RateLimit-Reset', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(now + 5000).toUTCString() }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': String((now + 7000) / 1000) }), now)).toBe(7000);
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '86400' }), now)).toBe(600_000);
  });
});
