/** `backtest data fetch` end to end, against the local stand-in for Alpaca's API. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dataFetchCommand } from '../src/cli/commands/data-fetch.js';
import {
  type FakeAlpacaServer,
  hourlyBars,
  startFakeAlpacaServer,
} from '../src/data/alpaca/fake-alpaca-server.test-support.js';
import { runCli } from './cli-harness.js';

let server: FakeAlpacaServer;
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startFakeAlpacaServer();
});
afterAll(() => server.close());

beforeEach(() => {
  server.bars.clear();
  server.bars.set('AAPL', hourlyBars('2024-01-02T14:00:00Z', 25));
  server.bars.set('BTC/USD', hourlyBars('2024-01-02T00:00:00Z', 12, 42_000));
  server.requests.length = 0;
  dir = mkdtempSync(join(tmpdir(), 'cli-data-fetch-'));
  env = { APCA_API_KEY_ID: server.keyId, APCA_API_SECRET_KEY: server.secretKey, APCA_API_DATA_URL: server.url };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FETCH = [
  'data',
  'fetch',
  '--source',
  'alpaca',
  '--timeframe',
  '1h',
  '--start',
  '2024-01-02',
  '--end',
  '2024-01-03',
];

describe('backtest data fetch', () => {
  it('stores stocks and crypto pairs, one line each, and data list shows their source', async () => {
    const run = await runCli([...FETCH, '--symbol', 'aapl,BTCUSD', '--db', 'bars.db'], dir, { env });
    expect(run).toEqual({
      code: 0,
      stdout:
        'AAPL 1Hour: 25 new bars; stored 25 bars, 2024-01-02 14:00 → 2024-01-03 14:00 (alpaca, feed iex, adjustment raw).\n' +
        'BTC/USD 1Hour: 12 new bars; stored 12 bars, 2024-01-02 → 2024-01-02 11:00 (alpaca, crypto).\n',
      stderr: expect.stringMatching(/^Created database /),
    });
    const list = await runCli(['data', 'list', '--db', 'bars.db', '--json'], dir, { env });
    expect(JSON.parse(list.stdout)).toMatchObject([
      { symbol: 'AAPL', timeframe: '1Hour', count: 25, source: 'alpaca', feed: 'iex', adjustment: 'raw' },
      { symbol: 'BTC/USD', timeframe: '1Hour', count: 12, source: 'alpaca', feed: null, adjustment: null },
    ]);
    expect(server.requests.every((r) => r.keyId === server.keyId && r.secretKey === server.secretKey)).toBe(true);

    const again = await runCli([...FETCH, '--symbol', 'AAPL', '--db', 'bars.db'], dir, { env });
    expect(again.stdout).toBe(
      'AAPL 1Hour: up to date; stored 25 bars, 2024-01-02 14:00 → 2024-01-03 14:00 (alpaca, feed iex, adjustment raw).\n',
    );
  });

  it('prints JSON with --json', async () => {
    const run = await runCli([...FETCH, '--symbol', 'BTC/USD', '--db', 'bars.db', '--json'], dir, { env });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        symbol: 'BTC/USD',
        timeframe: '1Hour',
        status: 'stored',
        source: 'alpaca',
        feed: null,
        adjustment: null,
        fetched: 12,
        inserted: 12,
        replaced: 0,
        count: 12,
        firstTimeMs: Date.UTC(2024, 0, 2),
        lastTimeMs: Date.UTC(2024, 0, 2, 11),
      },
    ]);
  });

  it('exits 6 in one line without keys, creating no database', async () => {
    const run = await runCli([...FETCH, '--symbol', 'AAPL', '--db', 'bars.db'], dir, { env: {} });
    expect(run).toEqual({
      code: 6,
      stdout: '',
      stderr:
        'error: APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set: export your Alpaca API key id and secret key in these environment variables (they are never taken from flags)\n',
    });
    expect(existsSync(join(dir, 'bars.db'))).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it('exits 6 in one line when Alpaca refuses the keys, never printing them', async () => {
    const run = await runCli([...FETCH, '--symbol', 'AAPL', '--db', 'bars.db'], dir, {
      env: { ...env, APCA_API_SECRET_KEY: 'not-the-secret' },
    });
    expect(run.code).toBe(6);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: Alpaca refused the request for AAPL (HTTP 403: forbidden.); check APCA_API_KEY_ID and APCA_API_SECRET_KEY',
    ]);
    expect(run.stdout + run.stderr).not.toContain('not-the-secret');
  });

  it("exits 2 in one line on a 422, with Alpaca's message", async () => {
    server.script({ status: 422, body: '{"code":42210000,"message":"invalid start: must be before end"}' });
    const run = await runCli([...FETCH, '--symbol', 'AAPL', '--db', 'bars.db'], dir, { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /\nerror: Alpaca rejected the request for AAPL 1Hour \(HTTP 422: invalid start: must be before end \[code 42210000\]\)\n$/,
    );
  });

  it('exits 3 on an answer that is not JSON', async () => {
    server.script({ status: 200, body: '<html>gateway</html>' });
    const run = await runCli([...FETCH, '--symbol', 'AAPL', '--db', 'bars.db'], dir, { env });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('error: Alpaca GET /v2/stocks/bars?symbols=AAPL: the answer is not JSON');
  });

  it('exits 8 when some symbols failed and the others were stored, naming each failure', async () => {
    const run = await runCli([...FETCH, '--symbol', 'AAPL,NOPE,BTC/USD', '--db', 'bars.db'], dir, { env });
    expect(run.code).toBe(8);
    expect(
      run.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(':')[0]),
    ).toEqual(['AAPL 1Hour', 'BTC/USD 1Hour']);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('error:'))).toEqual([
      'error: NOPE 1Hour: Alpaca has no bars from 2024-01-02 to 2024-01-03 23:59 on the iex feed; check the symbol, the dates and the feed (iex has less history than sip)',
      'error: 1 of 3 symbols failed (NOPE); the others were fetched and stored',
    ]);
  });

  it('refuses a set stored with another feed in one line (exit 2)', async () => {
    await runCli([...FETCH, '--symbol', 'AAPL', '--feed', 'sip', '--db', 'bars.db'], dir, { env });
    const run = await runCli([...FETCH, '--symbol', 'AAPL', '--feed', 'iex', '--db', 'bars.db'], dir, { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: AAPL 1Hour is stored with feed sip and adjustment raw; refusing/);
  });

  it('refuses bad flags before asking Alpaca', async () => {
    const bad = [
      [['--symbol', 'AAPL', '--end', '2023-12-31'], '--end 2023-12-31 is before --start 2024-01-02'],
      [['--symbol', 'AA PL'], '"AA PL" is not a symbol Alpaca has'],
    ] as const;
    for (const [flags, message] of bad) {
      const run = await runCli([...FETCH.slice(0, -2), ...flags, '--db', 'bars.db'], dir, { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    }
    const noStart = await runCli(
      ['data', 'fetch', '--source', 'alpaca', '--symbol', 'AAPL', '--timeframe', '1Day'],
      dir,
      {
        env,
      },
    );
    expect(noStart.code).toBe(2);
    expect(noStart.stderr).toContain("required option '--start <date>' not specified");
    const badSource = await runCli(
      [...FETCH.slice(0, 2), '--source', 'yahoo', ...FETCH.slice(4), '--symbol', 'AAPL'],
      dir,
      {
        env,
      },
    );
    expect(badSource.code).toBe(2);
    expect(server.requests).toEqual([]);
  });

  it('ends with a network error (exit 7) once retries are exhausted, and resumes on the next run', async () => {
    server.script(...Array.from({ length: 3 }, () => ({ status: 503 })));
    const io = {
      out: () => {},
      err: () => {},
      cwd: dir,
      env,
      interactive: false,
      confirm: async () => false,
    };
    const options = {
      source: 'alpaca',
      symbol: 'AAPL',
      timeframe: '1Hour',
      start: '2024-01-02',
      end: '2024-01-03',
      db: 'bars.db',
      client: { retryBaseMs: 0, maxRetries: 2 },
    } as const;
    const error = await dataFetchCommand(options, io).catch((e: unknown) => e);
    expect((error as { exitCode: number }).exitCode).toBe(7);
    expect((error as Error).message).toBe(
      'Alpaca kept failing for AAPL (HTTP 503: Service Unavailable) after 3 attempts; bars already stored are kept: run the same command again to resume',
    );
    await dataFetchCommand(options, io);
    const list = await runCli(['data', 'list', '--db', 'bars.db', '--json'], dir, { env });
    expect(JSON.parse(list.stdout)).toMatchObject([{ symbol: 'AAPL', count: 25 }]);
  });
});
