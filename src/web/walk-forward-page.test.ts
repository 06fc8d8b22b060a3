import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWalkForward, type WalkForwardOutcome } from '../app/walk-forward/run-walk-forward.js';
import { SqliteRunStore } from '../store/sqlite/index.js';
import { createDashboardApp } from './dashboard-app.js';
import { loadGoog } from './sample-runs.test-support.js';
import { renderWalkForwardReport } from './walk-forward-page.js';

let dir: string;
let store: SqliteRunStore;
let app: ReturnType<typeof createDashboardApp>;
let outcome: WalkForwardOutcome;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-wf-'));
  const path = join(dir, 'runs.db');
  const writer = SqliteRunStore.open(path);
  outcome = await runWalkForward({
    bars: loadGoog(),
    strategy: 'sma-cross',
    grid: ['fast=5,10', 'slow=30,60'],
    train: '2y',
    test: '1y',
    minTrades: 3,
    workers: 1,
    db: writer,
  });
  await writer.close();
  store = SqliteRunStore.open(path, { readonly: true });
  app = createDashboardApp(store);
}, 60_000);

afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const get = async (path: string) => {
  const res = await app.request(path);
  return { status: res.status, text: await res.text() };
};

describe('walk-forward pages', () => {
  it('lists the groups and links each one', async () => {
    const page = await get('/walk-forwards');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/walk-forwards/${outcome.groupId}"`);
  });

  it('shows the windows table, the chosen parameters over time and the stitched equity against buy and hold', async () => {
    const page = await get(`/walk-forwards/${outcome.groupId}`);
    expect(page.status).toBe(200);
    const rows = [...page.text.matchAll(/<tr data-window="(\d+)"/g)].map((m) => Number(m[1]));
    expect(rows).toEqual(outcome.results.map((w) => w.index));
    expect(page.text).toContain('id="chart-stitched"');
    expect(page.text).toContain('id="chart-params"');
    expect(page.text).toContain('"name":"Buy and hold"');
    expect(page.text).toContain(`href="/runs/${outcome.stitchedRunId}"`);
    const flat = outcome.results.filter((w) => w.flat).length;
    expect((page.text.match(/class="flat"/g) ?? []).length).toBe(flat);
    expect((await get('/walk-forwards/nope')).status).toBe(404);
  });

  it('the stitched run’s page links its group; the report is one self-contained file', async () => {
    const run = await get(`/runs/${outcome.stitchedRunId}`);
    expect(run.text).toContain(`href="/walk-forwards/${outcome.groupId}"`);
    const report = renderWalkForwardReport(outcome, {
      train: '2y',
      test: '1y',
      step: '1y',
      anchored: false,
      grid: ['fast=5,10', 'slow=30,60'],
    });
    expect(report).toContain('id="walk-forward-windows"');
    expect(report).not.toContain('src="/assets/');
  });
});
