/**
 * Schema 7 in PostgreSQL: version 8 was released before it, so a database made meanwhile is past
 * 7 without its tables and columns, is read as it is (no out-of-sample part, no walk-forward, no
 * training run hidden) and gets them on its next open for writing (the RunStore contract covers
 * the rest against the same server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRunStore } from './postgres-run-store.js';
import { CURRENT_POSTGRES_SCHEMA_VERSION, WALK_FORWARD_SCHEMA_VERSION } from './postgres-schema.js';
import { adminQuery, freshSchema, startTestPostgres, type TestPostgres } from './postgres-test-server.test-support.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const run = (overrides: Record<string, unknown> = {}) => ({
  symbol: 'GOOG',
  timeframe: '1Day',
  startDate: 1_577_836_800,
  endDate: 1_609_372_800,
  initialCapital: 10_000,
  finalEquity: 10_000,
  totalReturn: 0,
  ...overrides,
});

describe('PostgreSQL schema 7: out-of-sample metrics and walk-forward groups', () => {
  it('a database past version 7 made by a build without it is read as it is, and gets them on the next write', async () => {
    const schema = await freshSchema(server.url);
    try {
      const first = await PostgresRunStore.open(schema.url);
      const plain = await first.saveRun(run());
      await first.close();
      // As a build with version 8 but not 7 left it.
      await adminQuery(
        schema.url,
        `DROP TABLE run_oos_metrics; DROP TABLE walk_forward_windows; DROP TABLE walk_forwards;
         ALTER TABLE run_details DROP COLUMN walk_forward_id, DROP COLUMN walk_forward_role, DROP COLUMN walk_forward_window;
         DELETE FROM schema_migrations WHERE version = ${WALK_FORWARD_SCHEMA_VERSION}`,
      );
      const reader = await PostgresRunStore.open(schema.url, { readonly: true });
      try {
        expect(await reader.schemaVersion()).toBe(CURRENT_POSTGRES_SCHEMA_VERSION);
        expect((await reader.listRuns()).map((row) => [row.id, row.walk_forward_role])).toEqual([[plain, null]]);
        expect((await reader.listRuns({ sample: 'oos', sort: 'sharpe_ratio' })).map((row) => row.id)).toEqual([plain]);
        expect(await reader.outOfSample([plain])).toEqual(new Map());
        expect(await reader.listWalkForwards()).toEqual([]);
        expect(await reader.findWalkForward('wf')).toBeUndefined();
      } finally {
        await reader.close();
      }
      const notices: string[] = [];
      const store = await PostgresRunStore.open(schema.url, { onNotice: (line) => notices.push(line) });
      try {
        expect(notices).toHaveLength(1);
        expect(notices[0]).toContain(`at schema version ${CURRENT_POSTGRES_SCHEMA_VERSION}: out-of-sample metrics`);
        const training = await store.saveRun(run({ walkForward: { id: 'wf', role: 'training', window: 0 } }));
        const split = await store.saveRun(
          run({
            outOfSample: {
              bars: { sha256: 'cd'.repeat(32), count: 2, firstTimeMs: 5, lastTimeMs: 9 },
              metrics: { sharpe_ratio: 0.5, total_trades: 2 },
              outOfMoneyTimeMs: null,
            },
          }),
        );
        expect((await store.listRuns({ sort: 'id', order: 'asc' })).map((row) => row.id)).toEqual([plain, split]);
        expect(
          (await store.listRuns({ sort: 'id', order: 'asc', includeTraining: true })).map((row) => row.id),
        ).toEqual([plain, training, split]);
        expect((await store.outOfSample([plain, split])).get(split)?.metrics.sharpe_ratio).toBe(0.5);
      } finally {
        await store.close();
      }
      const again: string[] = [];
      await (await PostgresRunStore.open(schema.url, { onNotice: (line) => again.push(line) })).close();
      expect(again).toEqual([]);
    } finally {
      await schema.drop();
    }
  });
});
