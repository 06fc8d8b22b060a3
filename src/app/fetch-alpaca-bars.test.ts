import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../core/errors.js';
import {
  AlpacaAuthenticationError,
  AlpacaBarSource,
  AlpacaNetworkError,
  parseAlpacaSymbols,
} from '../data/alpaca/index.js';
import {
  type FakeAlpacaServer,
  type FakeBar,
  hourlyBars,
  startFakeAlpacaServer,
} from '../data/alpaca/fake-alpaca-server.test-support.js';
import type { RunStore } from '../store/index.js';
import {
  type FetchAlpacaBarsOptions,
  fetchAlpacaBars,
  planFetch,
  type SymbolFetchOutcome,
} from './fetch-alpaca-bars.js';
import { openHistoryForWriting } from './open-history.js';
import { InterruptedError } from './sweep/interrupted-error.js';

const HOUR = 3_600_000;
const JAN_2 = Date.UTC(2024, 0, 2);
const FIRST_BAR = '2024-01-02T14:00:00Z';

describe('planFetch', () => {
  const stored = { firstTimeMs: 1_000, lastTimeMs: 2_000 };

  it('asks for the whole range of a new set, oldest first', () => {
    expect(planFetch(undefined, { startMs: 500, endMs: 900, adjusted: true })).toEqual({
      ranges: [{ startMs: 500, endMs: 900, newestFirst: false }],
      whole: false,
    });
  });

  it('asks a raw set only for what is missing before (newest first) and from its last bar on', () => {
    expect(planFetch(stored, { startMs: 500, adjusted: false }).ranges).toEqual([
      { startMs: 500, endMs: 999, newestFirst: true },
      { startMs: 2_000, endMs: undefined, newestFirst: false },
    ]);
    expect(planFetch(stored, { startMs: 1_500, endMs: 1_800, adjusted: false }).ranges).toEqual([]);
    expect(planFetch(stored, { startMs: 1_500, endMs: 3_000, adjusted: false }).ranges).toEqual([
      { startMs: 2_000, endMs: 3_000, newestFirst: false },
    ]);
    // A range after the stored one is joined to it, so what is stored stays unbroken.
    expect(planFetch(stored, { startMs: 5_000, endMs: 6_000, adjusted: false }).ranges).toEqual([
      { startMs: 2_000, endMs: 6_000, newestFirst: false },
    ]);
  });

  it('asks an adjusted set for everything again, stored range included', () => {
    expect(planFetch(stored, { startMs: 1_500, endMs: 1_800, adjusted: true })).toEqual({
      ranges: [{ startMs: 1_000, endMs: 2_000, newestFirst: false }],
      whole: true,
    });
    expect(planFetch(stored, { startMs: 500, adjusted: true }).ranges).toEqual([
      { startMs: 500, endMs: undefined, newestFirst: false },
    ]);
  });
});

describe('fetchAlpacaBars', () => {
  let server: FakeAlpacaServer;
  let dir: string;
  let store: RunStore;

  beforeAll(async () => {
    server = await startFakeAlpacaServer();
  });
  afterAll(() => server.close());

  beforeEach(async () => {
    server.bars.clear();
    server.bars.set('AAPL', hourlyBars(FIRST_BAR, 25));
    server.bars.set('MSFT', hourlyBars(FIRST_BAR, 7, 300));
    server.bars.set('BTC/USD', hourlyBars('2024-01-02T00:00:00Z', 12, 42_000));
    server.requests.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'fetch-alpaca-'));
    store = await openHistoryForWriting({ db: join(dir, 'bars.db'), cwd: dir, env: {} });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function source(overrides: Partial<ConstructorParameters<typeof AlpacaBarSource>[0]> = {}): AlpacaBarSource {
    return new AlpacaBarSource({
      keyId: server.keyId,
      secretKey: server.secretKey,
      baseUrl: server.url,
      pageLimit: 10,
      retryBaseMs: 0,
      ...overrides,
    });
  }

  function fetch(
    symbols: string,
    options: Partial<FetchAlpacaBarsOptions> = {},
    from: AlpacaBarSource = source(),
  ): Promise<SymbolFetchOutcome[]> {
    return fetchAlpacaBars(from, store, {
      symbols: parseAlpacaSymbols(symbols),
      timeframe: '1Hour',
      startMs: JAN_2,
      chunkBars: 10,
      ...options,
    });
  }

  /** Bars Alpaca sent, as the store should hold them: [time, open, close]. */
  function expected(bars: readonly FakeBar[]): number[][] {
    return bars.map((b) => [Date.parse(b.t), b.o, b.c]);
  }

  async function storedRows(symbol: string): Promise<number[][]> {
    const bars = await store.loadBars(symbol, '1Hour');
    if (bars === undefined) return [];
    return [...bars.timeMs].map((t, i) => [t, bars.open[i] as number, bars.close[i] as number]);
  }

  it('stores a new set page by page, keyed by source, feed and adjustment', async () => {
    const progress: number[] = [];
    const [outcome] = await fetch('aapl', { onProgress: (p) => progress.push(p.bars) });
    expect(outcome).toMatchObject({
      status: 'stored',
      symbol: 'AAPL',
      feed: 'iex',
      adjustment: 'raw',
      fetched: 25,
      inserted: 25,
      replaced: 0,
    });
    expect(await storedRows('AAPL')).toEqual(expected(server.bars.get('AAPL') ?? []));
    expect(await store.getBarSet('AAPL', '1Hour')).toMatchObject({
      source: 'alpaca',
      feed: 'iex',
      adjustment: 'raw',
      count: 25,
    });
    expect(server.requests.map((r) => r.query.page_token === undefined)).toEqual([true, false, false]);
    expect(progress).toEqual([10, 20, 25, 25]);
  });

  it('asks a second time only for what is missing before and after the stored bars', async () => {
    await fetch('AAPL');
    server.requests.length = 0;
    const aapl = server.bars.get('AAPL') ?? [];
    // Two earlier bars and three later ones appeared.
    server.bars.set('AAPL', [
      ...hourlyBars('2024-01-02T12:00:00Z', 2, 90),
      ...aapl,
      ...hourlyBars(new Date(Date.parse(FIRST_BAR) + 25 * HOUR).toISOString(), 3, 200),
    ]);
    const [outcome] = await fetch('AAPL');
    expect(server.requests.map((r) => [r.query.start, r.query.end, r.query.sort])).toEqual([
      ['2024-01-02T00:00:00.000Z', '2024-01-02T13:59:59.999Z', 'desc'],
      [new Date(Date.parse(FIRST_BAR) + 24 * HOUR).toISOString(), undefined, 'asc'],
    ]);
    // The last stored bar is fetched again (it may have been incomplete) and replaces itself.
    expect(outcome).toMatchObject({ status: 'stored', fetched: 2 + 1 + 3, inserted: 6, replaced: 1 });
    expect(await storedRows('AAPL')).toEqual(expected(server.bars.get('AAPL') ?? []));
    expect(outcome?.status === 'stored' && outcome.set?.count).toBe(30);
  });

  it('fills in a long history before the stored bars newest first, committing chunk by chunk', async () => {
    const all = hourlyBars('2024-01-02T00:00:00Z', 40);
    server.bars.set('AAPL', all.slice(35));
    await fetch('AAPL', { startMs: Date.parse('2024-01-03T11:00:00Z') });
    server.bars.set('AAPL', all);
    const [outcome] = await fetch('AAPL', { endMs: Date.parse('2024-01-03T15:00:00Z') });
    expect(outcome).toMatchObject({ fetched: 35, inserted: 35, replaced: 0 });
    expect(server.requests.filter((r) => r.query.sort === 'desc')).toHaveLength(4);
    expect(await storedRows('AAPL')).toEqual(expected(all));
  });

  it('resumes an interrupted fetch where it stopped, with whole chunks kept', async () => {
    let failed = false;
    const error = await fetch(
      'AAPL',
      {
        onProgress: () => {
          // After the first page: Alpaca fails from now on, past the one retry.
          if (!failed) server.script({ status: 502 }, { status: 502 });
          failed = true;
        },
      },
      source({ maxRetries: 1 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaNetworkError);
    expect((error as Error).message).toBe(
      'Alpaca kept failing for AAPL (HTTP 502: Bad Gateway) after 2 attempts; 10 bars of AAPL were stored before it: run the same command again to resume',
    );
    expect((await store.getBarSet('AAPL', '1Hour'))?.count).toBe(10);
    server.requests.length = 0;
    const [outcome] = await fetch('AAPL');
    expect(server.requests.at(-1)?.query.start).toBe(new Date(Date.parse(FIRST_BAR) + 9 * HOUR).toISOString());
    expect(outcome).toMatchObject({ status: 'stored', inserted: 16, replaced: 1 });
    expect(await storedRows('AAPL')).toEqual(expected(server.bars.get('AAPL') ?? []));
  });

  it('refuses a set stored with another feed or adjustment before fetching anything', async () => {
    await fetch('AAPL', { feed: 'sip' });
    server.requests.length = 0;
    await expect(fetch('MSFT,AAPL', { feed: 'iex' })).rejects.toThrow(
      new ConfigError(
        'AAPL 1Hour is stored with feed sip and adjustment raw; refusing to add bars with feed iex and adjustment raw: fetch with --feed sip --adjustment raw, delete that set first (backtest data delete AAPL 1Hour) or use another database (--db)',
      ),
    );
    expect(server.requests).toEqual([]);
    expect(await store.getBarSet('MSFT', '1Hour')).toBeUndefined();
    await expect(fetch('AAPL', { adjustment: 'split' })).rejects.toThrow(
      /refusing to add bars with feed sip and adjustment split/,
    );
  });

  it("keeps the stored set's feed and adjustment when none is given", async () => {
    await fetch('AAPL', { feed: 'sip', adjustment: 'raw' });
    server.requests.length = 0;
    await fetch('AAPL');
    expect(new Set(server.requests.map((r) => `${r.query.feed} ${r.query.adjustment}`))).toEqual(new Set(['sip raw']));
  });

  it('refuses to mix Alpaca bars into a set imported from a file', async () => {
    const bars = await (async () => {
      await fetch('AAPL');
      return store.loadBars('AAPL', '1Hour');
    })();
    if (bars === undefined) throw new Error('no bars');
    await store.importBars({ ...bars, symbol: 'MSFT' });
    await expect(fetch('MSFT')).rejects.toThrow(
      'MSFT 1Hour holds bars from a file (backtest data import); Alpaca bars are not mixed into it',
    );
  });

  it('fetches an adjusted set again in full, and an interrupted refetch leaves the old prices', async () => {
    await fetch('AAPL', { adjustment: 'split', endMs: Date.UTC(2024, 0, 3, 12) });
    const before = await storedRows('AAPL');
    // A 2-for-1 split: every earlier price is halved.
    const halved = (server.bars.get('AAPL') ?? []).map((b) => ({
      ...b,
      o: b.o / 2,
      h: b.h / 2,
      l: b.l / 2,
      c: b.c / 2,
    }));
    server.bars.set('AAPL', halved);
    let scripted = false;
    const error = await fetch(
      'AAPL',
      {
        startMs: Date.parse(FIRST_BAR) + 5 * HOUR,
        onProgress: () => {
          if (!scripted) server.script({ status: 500 }, { status: 500 });
          scripted = true;
        },
      },
      source({ maxRetries: 1 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaNetworkError);
    expect(await storedRows('AAPL')).toEqual(before);

    server.requests.length = 0;
    const [outcome] = await fetch('AAPL', { startMs: Date.parse(FIRST_BAR) + 5 * HOUR });
    expect(server.requests[0]?.query).toMatchObject({
      start: new Date(Date.parse(FIRST_BAR)).toISOString(),
      adjustment: 'split',
    });
    expect(outcome).toMatchObject({ status: 'stored', adjustment: 'split', inserted: 25, replaced: 23 });
    expect(await storedRows('AAPL')).toEqual(expected(halved));
  });

  it('stores crypto pairs as Alpaca writes them, found by every spelling', async () => {
    const [outcome] = await fetch('BTCUSD');
    expect(outcome).toMatchObject({ status: 'stored', symbol: 'BTC/USD', feed: null, adjustment: null, inserted: 12 });
    expect(server.requests[0]?.path).toBe('/v1beta3/crypto/us/bars');
    for (const spelling of ['BTC/USD', 'BTCUSD', 'BTC-USD']) {
      expect((await store.getBarSet(spelling, '1Hour'))?.symbol).toBe('BTC/USD');
      expect((await store.loadBars(spelling, '1Hour'))?.length).toBe(12);
    }
    server.requests.length = 0;
    const [again] = await fetch('BTC-USD', { feed: 'sip' });
    expect(again).toMatchObject({ status: 'stored', symbol: 'BTC/USD', replaced: 1 });
    expect(server.requests.every((r) => r.query.feed === undefined)).toBe(true);
  });

  it('goes on after a symbol fails and reports it as an outcome', async () => {
    const seen: string[] = [];
    const outcomes = await fetch('AAPL,NOPE,MSFT', { onSymbol: (o) => seen.push(`${o.symbol} ${o.status}`) });
    expect(seen).toEqual(['AAPL stored', 'NOPE failed', 'MSFT stored']);
    const failed = outcomes[1];
    expect(failed?.status === 'failed' && failed.error).toBeInstanceOf(DataError);
    expect(failed?.status === 'failed' && failed.error.message).toBe(
      'NOPE 1Hour: Alpaca has no bars from 2024-01-02 to now on the iex feed; check the symbol, the dates and the feed (iex has less history than sip)',
    );
    expect(await store.getBarSet('NOPE', '1Hour')).toBeUndefined();
  });

  it('writes no chunk whose bars are broken, keeping the chunks before it', async () => {
    const bars = [...(server.bars.get('AAPL') ?? [])];
    bars[14] = { ...(bars[14] as FakeBar), h: 1, l: 2 };
    server.bars.set('AAPL', bars);
    const [outcome] = await fetch('AAPL');
    expect(outcome?.status).toBe('failed');
    expect(outcome?.status === 'failed' && outcome.error.message).toBe(
      'alpaca AAPL 1Hour column high: bar 4 at 2024-01-03T04:00:00Z: high 1 is below low 2',
    );
    expect(outcome?.status === 'failed' && outcome.inserted).toBe(10);
    expect((await store.getBarSet('AAPL', '1Hour'))?.count).toBe(10);
  });

  it('ends the whole fetch on refused keys, storing nothing', async () => {
    const error = await fetch('AAPL,MSFT', {}, source({ secretKey: 'wrong' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlpacaAuthenticationError);
    expect(server.requests).toHaveLength(1);
    expect(await store.listBarSets()).toEqual([]);
  });

  it('stops on abort with an InterruptedError, keeping whole chunks', async () => {
    const stop = new AbortController();
    const error = await fetch('AAPL', {
      signal: stop.signal,
      onProgress: (p) => {
        if (p.bars >= 10) stop.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
    expect((error as Error).message).toBe(
      'fetch stopped by Ctrl-C; 10 bars of AAPL were stored before it: run the same command again to resume',
    );
    expect((await store.getBarSet('AAPL', '1Hour'))?.count).toBe(10);
  });
});
