import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFamilyDeflatedSharpe } from '../app/family-deflated-sharpe.js';
import { runBacktest } from '../app/run-backtest.js';
import { toSaveInput } from '../app/save-result.js';
import type { BacktestRow } from '../store/index.js';
import { SqliteRunStore, TradingDatabase } from '../store/sqlite/index.js';
import { createDashboardApp } from './dashboard-app.js';
import { createHostCheck } from './host-check.js';
import {
  createSampleDatabase,
  HOSTILE_NOTES,
  loadGoog,
  SAMPLE_SWEEP_ID,
  type SampleDatabase,
} from './sample-runs.test-support.js';

let dir: string;
let sample: SampleDatabase;
let db: TradingDatabase;
let app: ReturnType<typeof createDashboardApp>;
let rows: BacktestRow[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-'));
  sample = await createSampleDatabase(dir);
  db = TradingDatabase.open(sample.path, { readonly: true });
  app = createDashboardApp(new SqliteRunStore(db));
  rows = sample.allIds.map((id) => db.getBacktestOrThrow(id));
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const runIds = (page: string) => [...page.matchAll(/data-run-id="(\d+)"/g)].map((m) => Number(m[1]));

async function get(path: string): Promise<{ status: number; text: string; type: string }> {
  const res = await app.request(path);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

/** Newest first: the store's default order (same save second, so by id descending). */
const newestFirst = () => [...rows].sort((a, b) => b.run_timestamp - a.run_timestamp || b.id - a.id).map((r) => r.id);

describe('leaderboard', () => {
  it('lists every saved run, newest first', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(runIds(page.text)).toEqual(newestFirst());
    expect(page.text).toContain(`Runs 1–13 of 13`);
  });

  it('filters by symbol, timeframe and sweep', async () => {
    expect(runIds((await get('/?symbol=EURUSD')).text).sort()).toEqual([...sample.eurusdIds].sort());
    expect(runIds((await get('/?timeframe=1Hour')).text).sort()).toEqual([...sample.eurusdIds].sort());
    expect(runIds((await get(`/?sweep=${SAMPLE_SWEEP_ID}`)).text).sort((a, b) => a - b)).toEqual(sample.sweepIds);
    // Empty form fields mean "any".
    expect(runIds((await get('/?symbol=&timeframe=&sweep=')).text)).toHaveLength(13);
  });

  it('sorts by a metric in its better direction, nulls last, and by the other direction on request', async () => {
    const bySharpe = [...rows].sort(
      (a, b) => (b.sharpe_ratio ?? -Infinity) - (a.sharpe_ratio ?? -Infinity) || b.id - a.id,
    );
    expect(runIds((await get('/?sort=sharpe_ratio')).text)).toEqual(bySharpe.map((r) => r.id));
    const byVolatility = [...rows].sort((a, b) => (a.volatility as number) - (b.volatility as number) || b.id - a.id);
    // Volatility: lower is better, so ascending by default.
    expect(runIds((await get('/?sort=volatility')).text)).toEqual(byVolatility.map((r) => r.id));
    const asc = runIds((await get('/?sort=total_return&order=asc')).text);
    expect(asc).toEqual([...rows].sort((a, b) => a.total_return - b.total_return || b.id - a.id).map((r) => r.id));
  });

  it('pages with LIMIT/OFFSET', async () => {
    const page2 = await get('/?per=5&page=2');
    expect(runIds(page2.text)).toEqual(newestFirst().slice(5, 10));
    expect(page2.text).toContain('Runs 6–10 of 13');
    expect(page2.text).toContain('rel="prev"');
    expect(page2.text).toContain('rel="next"');
    expect(runIds((await get('/?per=5&page=9')).text)).toEqual([]);
  });

  it('answers bad query values with 400 and a message naming the parameter', async () => {
    const badSort = await get('/?sort=drop_table');
    expect(badSort.status).toBe(400);
    expect(badSort.text).toContain('invalid query parameter &quot;sort&quot;');
    expect((await get('/?page=0')).text).toContain('must be from 1 to 1000000');
    expect((await get('/?per=abc')).status).toBe(400);
    expect((await get('/?order=sideways')).status).toBe(400);
  });

  it('treats hostile filter text as a plain value', async () => {
    const page = await get(`/?symbol=${encodeURIComponent("GOOG' OR 1=1 --")}`);
    expect(page.status).toBe(200);
    expect(runIds(page.text)).toEqual([]);
  });

  it('shows runs saved by another process on the next request', async () => {
    const writer = TradingDatabase.open(sample.path);
    let id: number;
    try {
      const result = await runBacktest({ bars: loadGoog(), strategy: 'sma-cross', params: { fast: 3, slow: 8 } });
      id = writer.saveBacktestResult(toSaveInput(result, { notes: 'late' }));
      expect(runIds((await get('/')).text)).toContain(id);
      expect(writer.deleteBacktest(id)).toBe(true);
    } finally {
      writer.close();
    }
    expect(runIds((await get('/')).text)).not.toContain(id);
  });

  it('marks a run that ran out of money, in the leaderboard and on its page', async () => {
    const writer = TradingDatabase.open(sample.path);
    let id: number;
    try {
      const result = await runBacktest({ bars: loadGoog(), strategy: 'buy-and-hold' });
      const outOfMoneyTimeMs = Date.UTC(2008, 10, 20);
      id = writer.saveBacktestResult({ ...toSaveInput(result, { notes: 'broke' }), outOfMoneyTimeMs });
      const page = (await get('/')).text;
      const row = page.slice(
        page.indexOf(`data-run-id="${id}"`),
        page.indexOf('</tr>', page.indexOf(`data-run-id="${id}"`)),
      );
      expect(row).toContain('data-out-of-money');
      expect(row).toContain('ran out of money on 2008-11-20');
      const others = page.replace(row, '');
      expect(others).not.toContain('data-out-of-money');
      const runPage = (await get(`/runs/${id}`)).text;
      expect(runPage).toContain('<b>Out of money.</b> The account ran out of money on 2008-11-20:');
      expect(writer.deleteBacktest(id)).toBe(true);
    } finally {
      writer.close();
    }
  });
});

describe('run page', () => {
  it('shows metrics, config and the chart data of the stored curve', async () => {
    const page = await get(`/runs/${sample.googRsiId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sharpe ratio (annualized)');
    expect(page.text).toContain('&quot;name&quot;: &quot;rsi&quot;');
    const data = JSON.parse(
      /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page.text)?.[1] ?? '',
    );
    const curve = db.getEquityCurve(sample.googRsiId);
    expect(data.charts.map((c: { id: string }) => c.id)).toEqual(['equity', 'drawdown']);
    expect(data.charts[0].series[0].v).toEqual(Array.from(curve?.equity ?? []));
    expect(page.text).toContain('<script src="/assets/lightweight-charts.js">');
  });

  it('shows the deflated Sharpe ratio over the run’s sweep, or its symbol, timeframe and strategy', async () => {
    const store = new SqliteRunStore(db);
    const swept = db.getBacktestOrThrow(sample.sweepIds[4] as number);
    const sweepDsr = await loadFamilyDeflatedSharpe(store, swept);
    expect(sweepDsr.trials).toBe(9);
    const page = await get(`/runs/${swept.id}`);
    const line = /<p class="note" id="deflated-sharpe">(.*?)<\/p>/s.exec(page.text)?.[1] ?? '';
    expect(line).toContain(`Deflated Sharpe ratio ${sweepDsr.probability?.toFixed(3)}: a probability of `);
    expect(line).toContain('which the best of 9 runs without any edge would reach by luck alone');
    expect(line).toContain('Trials: the runs of its sweep.');
    // The RSI run is the only GOOG 1Day rsi run: nothing to deflate for.
    const single = /<p class="note" id="deflated-sharpe">(.*?)<\/p>/s.exec(
      (await get(`/runs/${sample.googRsiId}`)).text,
    )?.[1];
    expect(single).toMatch(
      /^Probabilistic Sharpe ratio \d\.\d{3}: a probability of \d+\.\d% that this run&#39;s true Sharpe ratio is above 0 \(it is the only run/,
    );
    expect(single).toContain('Trials: the saved runs of the same symbol, timeframe and strategy.');
  });

  it('escapes notes, so markup in them stays text', async () => {
    const page = await get(`/runs/${sample.googRsiId}`);
    expect(page.text).not.toContain(HOSTILE_NOTES);
    expect(page.text).not.toContain('<b id="injected">');
    expect(page.text).toContain('&lt;/script&gt;&lt;b id=&quot;injected&quot;&gt;');
  });

  it('is 404 for an unknown id and 400 for a bad one', async () => {
    expect((await get('/runs/999999')).status).toBe(404);
    const bad = await get('/runs/abc');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('must be a run id');
    // Only plain decimal digits: other number spellings are not ids.
    for (const spelling of ['0x1', '1e0', '0b1', '1.0'])
      expect((await get(`/runs/${spelling}`)).status, spelling).toBe(400);
  });
});

describe('compare page', () => {
  it('shows both runs and marks the best total return', async () => {
    const [a, b] = [sample.sweepIds[0] as number, sample.googBuyAndHoldId];
    const page = await get(`/compare?ids=${a},${b}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/runs/${a}"`);
    expect(page.text).toContain(`href="/runs/${b}"`);
    const rowA = db.getBacktestOrThrow(a);
    const rowB = db.getBacktestOrThrow(b);
    const totalRow = /<tr data-metric="total_return">(.*?)<\/tr>/s.exec(page.text)?.[1] ?? '';
    const cells = [...totalRow.matchAll(/<td class="([^"]*)">/g)].map((m) => m[1]);
    // The label cell has no class; of the two value cells, the higher total return is "best".
    const bestIsB = rowB.total_return > rowA.total_return;
    expect(cells).toHaveLength(2);
    expect(cells[bestIsB ? 1 : 0]).toContain('best');
    expect(cells[bestIsB ? 0 : 1]).not.toContain('best');
    // Config differences include the strategy name.
    expect(page.text).toContain('<code>strategy.name</code>');
  });

  it('accepts repeated ids and refuses fewer than 2 or more than 6', async () => {
    expect((await get(`/compare?ids=${sample.allIds[0]}&ids=${sample.allIds[1]}`)).status).toBe(200);
    const one = await get(`/compare?ids=${sample.allIds[0]}`);
    expect(one.status).toBe(400);
    expect(one.text).toContain('pick 2 to 6 different runs');
    expect((await get(`/compare?ids=${sample.allIds.slice(0, 7).join(',')}`)).status).toBe(400);
    expect((await get('/compare?ids=1,999999')).status).toBe(404);
  });
});

describe('sweep page', () => {
  it('draws a 3 x 3 heatmap of the chosen metric over fast and slow', async () => {
    const page = await get(`/sweeps/${SAMPLE_SWEEP_ID}?metric=total_return&x=fast&y=slow`);
    expect(page.status).toBe(200);
    const values = [...page.text.matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    const expected = sample.sweepIds.map((id) => db.getBacktestOrThrow(id).total_return);
    expect(values).toHaveLength(9);
    // Rows are slow (30, 50, 100), columns fast (5, 10, 20); sweepIds are in fast-major order.
    const fastMajor = (slowIndex: number, fastIndex: number) => expected[fastIndex * 3 + slowIndex];
    expect(values).toEqual([0, 1, 2].flatMap((s) => [0, 1, 2].map((f) => fastMajor(s, f))));
  });

  it('marks a partial sweep: its status, counts and how to finish it', async () => {
    expect((await get(`/sweeps/${SAMPLE_SWEEP_ID}`)).text).not.toContain('data-partial-sweep');
    const writer = TradingDatabase.open(sample.path);
    try {
      const first = writer.getBacktestOrThrow(sample.sweepIds[0] as number);
      writer.createSweep(
        {
          sweepId: SAMPLE_SWEEP_ID,
          symbol: 'GOOG',
          timeframe: '1Day',
          strategy: { name: 'sma-cross' },
          grid: ['fast=5,10,20', 'slow=30,50,100,200'],
          fixedParams: {},
          bars: {
            sha256: first.bars_sha256 as string,
            count: first.bars_count as number,
            firstTimeMs: first.bars_first_time_ms as number,
            lastTimeMs: first.bars_last_time_ms as number,
          },
          config: {
            initialCash: 10_000,
            commission: 0,
            fixedFee: 0,
            slippageBps: 0,
            size: 1,
            fractional: false,
            fillAt: 'next-open',
            riskFreeRate: 0,
          },
        },
        12,
      );
      writer.updateSweep(SAMPLE_SWEEP_ID, { status: 'interrupted', done: 9 });
      const page = (await get(`/sweeps/${SAMPLE_SWEEP_ID}`)).text;
      expect(page).toContain(`data-partial-sweep="${SAMPLE_SWEEP_ID}"`);
      expect(page).toContain('9 of 12 combinations have a saved run');
      expect(page).toContain(`backtest sweeps resume ${SAMPLE_SWEEP_ID}`);
      writer.updateSweep(SAMPLE_SWEEP_ID, { status: 'completed', planned: 9 });
      expect((await get(`/sweeps/${SAMPLE_SWEEP_ID}`)).text).not.toContain('data-partial-sweep');
    } finally {
      // The record stays, completed with its 9 runs: the other sweep-page tests see no mark.
      writer.close();
    }
  });

  it('refuses an unknown metric or parameter with 400', async () => {
    expect((await get(`/sweeps/${SAMPLE_SWEEP_ID}?metric=luck`)).status).toBe(400);
    const badParam = await get(`/sweeps/${SAMPLE_SWEEP_ID}?x=nope`);
    expect(badParam.status).toBe(400);
    expect(badParam.text).toContain('choose one of: fast, slow');
    expect((await get('/sweeps/no-such-sweep')).status).toBe(404);
  });
});

describe('JSON API and assets', () => {
  it('lists runs with paging and writes Infinity as a string', async () => {
    const res = await get(`/api/runs?per=3&sort=profit_factor`);
    expect(res.type).toContain('application/json');
    const body = JSON.parse(res.text);
    expect(body.total).toBe(13);
    expect(body.runs).toHaveLength(3);
    // Buy and hold has one winning trade and no loss: an infinite profit factor ranks first.
    expect(body.runs[0].id).toBe(sample.googBuyAndHoldId);
    expect(body.runs[0].profit_factor).toBe('Infinity');
  });

  it('returns one run with its parsed config, and its stored equity curve', async () => {
    const run = JSON.parse((await get(`/api/runs/${sample.googRsiId}`)).text);
    expect(run.config.strategy.name).toBe('rsi');
    expect(run.notes).toBe(HOSTILE_NOTES);
    const equity = JSON.parse((await get(`/api/runs/${sample.googRsiId}/equity`)).text);
    expect(equity.timeMs.length).toBe(equity.equity.length);
    expect(equity.timeMs.length).toBeLessThanOrEqual(300);
    expect(equity.sourcePointCount).toBe(2148);
    const missing = await get('/api/runs/999999');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).error).toContain('no run with id 999999');
  });

  it('serves the chart library from the installed package', async () => {
    const res = await get('/assets/lightweight-charts.js');
    expect(res.status).toBe(200);
    expect(res.type).toContain('javascript');
    expect(res.text).toContain('LightweightCharts');
  });
});

describe('host check', () => {
  const localApp = () =>
    createDashboardApp(new SqliteRunStore(db), { hostCheck: createHostCheck({ bindHost: '127.0.0.1', port: 8000 }) });

  it('answers every loopback spelling on its port', async () => {
    const local = localApp();
    for (const host of [
      '127.0.0.1:8000',
      '127.3.2.1:8000',
      'localhost:8000',
      'LOCALHOST:8000',
      'localhost.:8000',
      '[::1]:8000',
      '[0:0:0:0:0:0:0:1]:8000',
      '[::0001]:8000',
      '[::ffff:127.0.0.1]:8000',
      '[::ffff:7f00:1]:8000',
    ]) {
      expect((await local.request('http://127.0.0.1:8000/', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('refuses rebinding-style and malformed hosts, a wrong port and a missing Host with a short 403', async () => {
    const local = localApp();
    for (const host of [
      'evil.example:8000',
      'evil.example',
      '127.0.0.1.evil.example:8000',
      'localhost.evil.example:8000',
      '[::2]:8000',
      '0x7f.0.0.1:8000',
      '127.0.0.1:8001',
      '127.0.0.1',
      'user@127.0.0.1:8000',
      '127.0.0.1:8000:8000',
    ]) {
      const res = await local.request('/', { headers: { host } });
      expect(res.status, host).toBe(403);
      expect(await res.text(), host).toMatch(/^403 Forbidden: this dashboard does not answer to that Host header/);
    }
    expect((await local.request('/api/runs', { headers: { host: 'evil.example:8000' } })).status).toBe(403);
    expect((await local.request('/assets/lightweight-charts.js', { headers: { host: 'evil.example' } })).status).toBe(
      403,
    );
    expect((await local.request('/')).status).toBe(403); // no Host header at all
  });

  it('with a network bind address, answers the machine and allowed names only', async () => {
    const exposed = createDashboardApp(new SqliteRunStore(db), {
      hostCheck: createHostCheck({
        bindHost: '0.0.0.0',
        port: 8000,
        allowedHosts: ['dash.lan'],
        machine: { names: ['build-box'], addresses: ['192.168.1.10'] },
      }),
    });
    for (const host of ['build-box:8000', '192.168.1.10:8000', 'dash.lan:8000', 'localhost:8000', '0.0.0.0:8000']) {
      expect((await exposed.request('/', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of ['evil.example:8000', '192.168.1.11:8000', 'dash.lan:9000', 'build-box']) {
      expect((await exposed.request('/', { headers: { host } })).status, host).toBe(403);
    }
  });
});
