/**
 * Distributed-sweep records against a real PostgreSQL server: a result saved once per
 * idempotency key however often (and however concurrently) its job runs, failures recorded
 * once, and who produced each run.
 */
import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { idempotencyKey } from './postgres-distributed.js';
import { PostgresRunStore } from './postgres-run-store.js';
import { freshSchema, startTestPostgres, type TestPostgres } from './postgres-test-server.test-support.js';

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

const run = (params: Record<string, number>) => ({
  symbol: 'GOOG',
  timeframe: '1Day',
  runTimestamp: 1_700_000_000,
  startDate: 1_577_836_800,
  endDate: 1_609_372_800,
  initialCapital: 10_000,
  finalEquity: 11_000,
  totalReturn: 0.1,
  sweepId: 'sw1',
  strategyName: 'sma-cross',
  strategyParams: params,
});

const definition = {
  sweepId: 'sw1',
  symbol: 'GOOG',
  timeframe: '1Day',
  strategy: { name: 'sma-cross' },
  grid: ['fast=1..3'],
  fixedParams: {},
  bars: { sha256: 'a'.repeat(64), count: 10, firstTimeMs: 0, lastTimeMs: 9 },
  config: {},
} as never;

describe('PostgresRunStore distributed saves', () => {
  it('saves a configuration once however often and however concurrently it is saved', async () => {
    const stores = await Promise.all([1, 2, 3].map(() => PostgresRunStore.open(schema.url)));
    try {
      const [a] = stores as [PostgresRunStore];
      await a.createSweep(definition, 3);
      for (const store of stores)
        await store.distributed.noteWorker('sw1', { workerId: `w${stores.indexOf(store)}`, pid: 1 });
      const key = idempotencyKey('sw1', { fast: 1 });
      const outcomes = await Promise.all(
        [...stores, ...stores].map((store, i) => store.saveRunOnce('sw1', key, run({ fast: 1 }) as never, `w${i % 3}`)),
      );
      expect(outcomes.filter((o) => o.stored)).toHaveLength(1);
      expect(await a.distributed.keyCounts('sw1')).toEqual({ runs: 1, keys: 1 });
      // A failure of a saved key is not recorded; a new key's failure is, once.
      expect((await a.distributed.failOnce('sw1', key, '{"fast":1}', 'boom', 'w0')).stored).toBe(false);
      const other = idempotencyKey('sw1', { fast: 2 });
      expect((await a.distributed.failOnce('sw1', other, '{"fast":2}', 'boom\nstack', 'w0')).stored).toBe(true);
      expect((await a.distributed.failOnce('sw1', other, '{"fast":2}', 'boom', 'w1')).stored).toBe(false);
      expect(await a.distributed.failures('sw1')).toMatchObject([{ paramsJson: '{"fast":2}', error: 'boom' }]);
      const sweep = await a.findSweep('sw1');
      expect(sweep).toMatchObject({ done: 2, failed: 1, status: 'running' });
      await a.saveRunOnce('sw1', idempotencyKey('sw1', { fast: 3 }), run({ fast: 3 }) as never, 'w0');
      expect(await a.findSweep('sw1')).toMatchObject({ done: 3, failed: 1, status: 'completed' });
      const workers = await a.distributed.workers('sw1');
      expect(workers.map((w) => w.saved).reduce((x, y) => x + y, 0)).toBe(2);
      expect(workers[0]?.host).toBe(hostname().replace(/[^A-Za-z0-9._@-]/g, '_'));
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('records the user and host of every run, distributed or not', async () => {
    const store = await PostgresRunStore.open(schema.url);
    try {
      const id = await store.saveRun(run({ fast: 9 }) as never);
      const origin = (await store.distributed.origins([id])).get(id);
      expect(origin?.host).toBe(hostname().replace(/[^A-Za-z0-9._@-]/g, '_'));
      expect(origin?.user).toBeTruthy();
    } finally {
      await store.close();
    }
  });
});
