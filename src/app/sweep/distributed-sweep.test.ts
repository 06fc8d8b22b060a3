/**
 * Distributed sweeps end to end against a real PostgreSQL server: a sweep enqueued on the
 * pg-boss queue, run by several workers at once, every configuration saved exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { generateSyntheticBars } from '../../data/index.js';
import type { RunStore } from '../../store/index.js';
import { PostgresRunStore } from '../../store/postgres/index.js';
import { PostgresSweepQueue } from '../../store/postgres/postgres-sweep-queue.js';
import { SqliteRunStore } from '../../store/sqlite/index.js';
import {
  freshSchema,
  startTestPostgres,
  type TestPostgres,
} from '../../store/postgres/postgres-test-server.test-support.js';
import { distributedProgress, enqueueDistributedSweep } from './distributed-sweep.js';
import { runSweepWorker } from './distributed-worker.js';
import { runSweep } from './run-sweep.js';

let server: TestPostgres;
let schema: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  schema = await freshSchema(server.url);
});
afterEach(async () => {
  await schema.drop();
});

it('runs a sweep on three workers and saves every configuration once', async () => {
  const bars = generateSyntheticBars({ count: 300, seed: 7, symbol: 'SYN' });
  const enqueued = await enqueueDistributedSweep({
    url: schema.url,
    bars,
    strategy: 'sma-cross',
    grid: ['fast=2..11', 'slow=20..29'],
    batchSize: 7,
    leaseSeconds: 30,
  });
  expect(enqueued.planned).toBe(100);
  const summaries = await Promise.all(
    [1, 2, 3].map(() => runSweepWorker({ url: schema.url, concurrency: 2, exitWhenIdle: true, pollSeconds: 0.2 })),
  );
  expect(summaries.reduce((n, s) => n + s.saved + s.failed, 0)).toBe(100);
  const progress = await distributedProgress(schema.url, enqueued.sweepId);
  expect(progress).toMatchObject({ planned: 100, done: 100, failed: 0 });
  expect(progress.workers.length).toBeGreaterThanOrEqual(1);
  const store = await PostgresRunStore.open(schema.url);
  try {
    expect(await store.distributed.keyCounts(enqueued.sweepId)).toEqual({ runs: 100, keys: 100 });
    expect((await store.findSweep(enqueued.sweepId))?.status).toBe('completed');
  } finally {
    await store.close();
  }
}, 120_000);

it('stores each configuration as a local sweep stores it: metrics, trades, curve and period returns', async () => {
  const bars = generateSyntheticBars({ count: 400, seed: 11, symbol: 'EQV' });
  const grid = ['fast=3..6', 'slow=20..22'];
  const enqueued = await enqueueDistributedSweep({ url: schema.url, bars, strategy: 'sma-cross', grid, batchSize: 4 });
  await runSweepWorker({ url: schema.url, concurrency: 2, exitWhenIdle: true, pollSeconds: 0.2 });
  const folder = mkdtempSync(join(tmpdir(), 'distributed-equivalence-'));
  const distributed = await PostgresRunStore.open(schema.url);
  const local = await SqliteRunStore.open(join(folder, 'local.db'));
  try {
    const summary = await runSweep({ bars, strategy: 'sma-cross', grid, workers: 1, db: local });
    const byParams = async (store: RunStore, sweepId: string) => {
      const rows = await store.listRuns({ sweepId, limit: 100 });
      const periods = new Map((await store.sweepPeriodReturns(sweepId)).map((run) => [run.id, run.returns]));
      return new Map(
        await Promise.all(
          rows.map(async (row) => {
            // Identity and time differ by store and moment; everything else must not.
            const {
              id,
              uuid: _uuid,
              run_timestamp: _t,
              sweep_id: _s,
              ...stored
            } = row as unknown as Record<string, unknown>;
            const curve = await store.equityCurve(id as number);
            return [
              String(row.strategy_params_json),
              { stored, trades: await store.trades(id as number), curve, periods: periods.get(id as number) },
            ] as const;
          }),
        ),
      );
    };
    const there = await byParams(distributed, enqueued.sweepId);
    const here = await byParams(local, summary.sweepId);
    expect(there.size).toBe(12);
    expect([...there.keys()].sort()).toEqual([...here.keys()].sort());
    for (const [params, run] of here) {
      const other = there.get(params);
      expect(other?.trades, params).toEqual(run.trades);
      expect(other?.curve, params).toEqual(run.curve);
      expect(other?.periods, params).toEqual(run.periods);
      expect(other?.stored, params).toEqual(run.stored);
    }
    expect(here.get([...here.keys()][0] as string)?.trades?.length).toBeGreaterThan(0);
  } finally {
    await distributed.close();
    await local.close();
    rmSync(folder, { recursive: true, force: true });
  }
}, 120_000);

it('enqueues a sweep on bars read from a provider bar set of the same store without importing them again', async () => {
  const bars = generateSyntheticBars({ count: 200, seed: 5, symbol: 'PRV' });
  const store = await PostgresRunStore.open(schema.url);
  try {
    await store.importBars(bars, { source: 'alpaca', feed: 'iex', adjustment: 'raw' });
    const stored = await store.loadBars('PRV', bars.timeframe);
    // A file import over a provider's set is refused: the sweep must not try one.
    await expect(store.importBars(bars)).rejects.toThrow();
    const enqueued = await enqueueDistributedSweep({
      url: schema.url,
      bars: stored as NonNullable<typeof stored>,
      strategy: 'sma-cross',
      grid: ['fast=2..3', 'slow=20'],
    });
    expect(enqueued.planned).toBe(2);
    const summary = await runSweepWorker({ url: schema.url, concurrency: 1, exitWhenIdle: true, pollSeconds: 0.2 });
    expect(summary.saved).toBe(2);
    expect((await store.getBarSet('PRV', bars.timeframe))?.source).toBe('alpaca');
  } finally {
    await store.close();
  }
}, 60_000);

it('counts as running the configurations of the leased jobs, a short last job as short', async () => {
  const bars = generateSyntheticBars({ count: 200, seed: 9, symbol: 'RUN' });
  const enqueued = await enqueueDistributedSweep({
    url: schema.url,
    bars,
    strategy: 'sma-cross',
    grid: ['fast=2..6', 'slow=20..24'],
    batchSize: 10,
  });
  expect(enqueued).toMatchObject({ planned: 25, jobs: 3 });
  const queue = await PostgresSweepQueue.open(schema.url);
  try {
    const leased = [await queue.fetch(), await queue.fetch()];
    const size = leased.reduce((n, job) => n + ((job?.data.to ?? 0) - (job?.data.from ?? 0)), 0);
    expect([15, 20]).toContain(size);
    const progress = await distributedProgress(schema.url, enqueued.sweepId);
    expect(progress.running).toBe(size);
    expect(progress.jobs).toMatchObject({ pending: 1, active: 2, activeConfigurations: size });
  } finally {
    await queue.close();
  }
});
