/**
 * Distributed sweeps end to end against a real PostgreSQL server: a sweep enqueued on the
 * pg-boss queue, run by several workers at once, every configuration saved exactly once.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { generateSyntheticBars } from '../../data/index.js';
import { PostgresRunStore } from '../../store/postgres/index.js';
import {
  freshSchema,
  startTestPostgres,
  type TestPostgres,
} from '../../store/postgres/postgres-test-server.test-support.js';
import { distributedProgress, enqueueDistributedSweep, runSweepWorker } from './distributed-sweep.js';

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
