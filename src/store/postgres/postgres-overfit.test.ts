/**
 * Schema 6 in PostgreSQL: version 8 was released before it, so a database made meanwhile is past
 * 6 without its tables, and gets them on its next open for writing (the RunStore contract covers
 * the rest against the same server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRunStore } from './postgres-run-store.js';
import { CURRENT_POSTGRES_SCHEMA_VERSION, OVERFIT_SCHEMA_VERSION } from './postgres-schema.js';
import { adminQuery, freshSchema, startTestPostgres, type TestPostgres } from './postgres-test-server.test-support.js';

let server: TestPostgres;

beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('PostgreSQL schema 6: period returns and overfitting results', () => {
  it('a database past version 6 made by a build without it gets its tables on the next write', async () => {
    const schema = await freshSchema(server.url);
    try {
      (await PostgresRunStore.open(schema.url)).close();
      // As a build with version 8 but not 6 left it.
      await adminQuery(
        schema.url,
        `DROP TABLE run_period_returns; DROP TABLE sweep_overfit; DELETE FROM schema_migrations WHERE version = ${OVERFIT_SCHEMA_VERSION}`,
      );
      const reader = await PostgresRunStore.open(schema.url, { readonly: true });
      try {
        expect(await reader.schemaVersion()).toBe(CURRENT_POSTGRES_SCHEMA_VERSION);
        expect(await reader.sweepPeriodReturns('s')).toEqual([]);
        expect(await reader.findSweepOverfit('s')).toBeUndefined();
      } finally {
        await reader.close();
      }
      const notices: string[] = [];
      const store = await PostgresRunStore.open(schema.url, { onNotice: (line) => notices.push(line) });
      try {
        expect(notices).toHaveLength(1);
        expect(notices[0]).toContain(
          `at schema version ${CURRENT_POSTGRES_SCHEMA_VERSION}: period returns of sweep runs`,
        );
        const id = await store.saveRun({
          symbol: 'GOOG',
          timeframe: '1Day',
          startDate: 1_577_836_800,
          endDate: 1_609_372_800,
          initialCapital: 10_000,
          finalEquity: 10_000,
          totalReturn: 0,
          sweepId: 's',
          periodReturns: Float64Array.from([0.25, -0.5]),
        });
        expect((await store.sweepPeriodReturns('s')).map((r) => [r.id, [...r.returns]])).toEqual([[id, [0.25, -0.5]]]);
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
