import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../app/run-backtest.js';
import { toSaveInput } from '../app/save-result.js';
import { SqliteRunStore, TradingDatabase } from '../store/sqlite/index.js';
import { createDashboardApp } from './dashboard-app.js';
import { loadGoog } from './sample-runs.test-support.js';

let dir: string;
let db: TradingDatabase;
let app: ReturnType<typeof createDashboardApp>;
let split: number;
let plain: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-oos-'));
  const goog = loadGoog();
  const path = join(dir, 'runs.db');
  const writer = TradingDatabase.open(path);
  split = writer.saveBacktestResult(
    toSaveInput(
      await runBacktest({
        bars: goog,
        strategy: 'sma-cross',
        params: { fast: 10, slow: 30 },
        outOfSample: { fraction: 0.3 },
      }),
    ),
  );
  plain = writer.saveBacktestResult(toSaveInput(await runBacktest({ bars: goog, strategy: 'buy-and-hold' })));
  writer.close();
  db = TradingDatabase.open(path, { readonly: true });
  app = createDashboardApp(new SqliteRunStore(db));
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await app.request(path);
  return { status: res.status, text: await res.text() };
};

describe('the dashboard shows out-of-sample metrics beside in-sample ones', () => {
  it('run page: one table with both columns, and where the out-of-sample part lies', async () => {
    const page = await get(`/runs/${split}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="split-metrics"');
    const oos = db.getOutOfSample([split]).get(split);
    const sharpe = /<tr data-metric="sharpe_ratio">(.*?)<\/tr>/s.exec(page.text)?.[1] ?? '';
    const cells = [...sharpe.matchAll(/<td class="[^"]*">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual([
      (db.getBacktestOrThrow(split).sharpe_ratio as number).toFixed(3),
      (oos?.metrics.sharpe_ratio ?? Number.NaN).toFixed(3),
    ]);
    expect((await get(`/runs/${plain}`)).text).not.toContain('id="split-metrics"');
  });

  it('leaderboard and compare: out-of-sample values beside the sorted metric; the API carries oos_metrics', async () => {
    const board = await get('/?sort=sharpe_ratio');
    expect(board.text).toContain('data-oos-metric="sharpe_ratio"');
    const byOos = await get('/api/runs?sort=sharpe_ratio&sample=oos');
    const runs = JSON.parse(byOos.text).runs as { id: number; oos_metrics: unknown }[];
    expect(runs.map((r) => r.id)).toEqual([split, plain]);
    expect(runs[1]?.oos_metrics).toBeNull();
    const compare = await get(`/compare?ids=${split},${plain}`);
    expect(compare.text).toContain('data-sample="oos"');
    expect(JSON.parse((await get(`/api/runs/${split}`)).text).oos_metrics.sharpe_ratio).toBeTypeOf('number');
  });
});
