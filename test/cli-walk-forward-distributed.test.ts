/**
 * `walk-forward --distributed` end to end with real processes (bin/backtest.js, built by
 * `npm test`) on a real PostgreSQL server: the coordinator enqueues each window's training grid,
 * two `backtest worker` processes run them, and the outcome (windows, chosen parameters, the
 * stitched run's metrics) is the local walk-forward's, number for number. Every training run is
 * saved once, hidden from `list` and `best`; the group is complete for `walk-forwards`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { expect, it } from 'vitest';
import { loadBarsCsv } from '../src/data/index.js';
import { PostgresRunStore } from '../src/store/postgres/index.js';
import { queueSchemaFor } from '../src/store/postgres/postgres-sweep-queue.js';
import { type Started, until, useDistributedTestServer } from './distributed-processes.test-support.js';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
/** 10 × 7 = 70 configurations on each of 7 windows: 490 training runs. */
const WALK_FORWARD = [
  'walk-forward',
  ...['--data', GOOG, '--strategy', 'sma-cross'],
  ...['--grid', 'fast=2..20:2', '--grid', 'slow=30..90:10'],
  ...['--train', '2y', '--test', '1y'],
];
const WINDOWS = 7;
const CONFIGURATIONS = 70;
const BATCH_SIZE = 5;
const JOBS = WINDOWS * Math.ceil(CONFIGURATIONS / BATCH_SIZE);

const ctx = useDistributedTestServer('backtest-wf-distributed-');
const start = ctx.start;

/** Jobs of walk-forward window sweeps in the queue, by state. */
async function queuedJobs(client: pg.Client, db: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ state: string; n: number }>(
    `SELECT state::text AS state, count(*)::int AS n FROM ${queueSchemaFor(db)}.job
      WHERE data->>'sweepId' LIKE 'wf-%' GROUP BY state`,
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

/** The number of jobs once the coordinator has enqueued them all (the queue's tables may not exist yet). */
async function enqueued(client: pg.Client, db: string, coordinator: Started): Promise<number | undefined> {
  if (coordinator.child.exitCode !== null) throw new Error(`the coordinator exited early:\n${coordinator.err()}`);
  try {
    const total = Object.values(await queuedJobs(client, db)).reduce((n, v) => n + v, 0);
    return total === JOBS ? total : undefined;
  } catch {
    return undefined;
  }
}

it('runs each window on two worker processes and matches the local walk-forward number for number', async () => {
  const local = await runCli([...WALK_FORWARD, '--workers', '2', '--json'], ctx.folder());
  expect(local.code, local.stderr).toBe(0);
  const expected = JSON.parse(local.stdout);

  const db = ctx.url();
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    const report = join(ctx.folder(), 'wf.html');
    const coordinator = start([
      ...WALK_FORWARD,
      ...['--db', db, '--distributed', '--batch-size', String(BATCH_SIZE), '--lease-seconds', '30'],
      ...['--report', report, '--json'],
    ]);
    await until('every window to be enqueued', () => enqueued(client, db, coordinator));
    const workers = [1, 2].map(() => start(['worker', '--db', db, '--concurrency', '1', '--exit-when-idle']));
    const codes = await Promise.all(workers.map((w) => w.exit));
    expect(codes, workers.map((w) => w.err()).join('\n')).toEqual([0, 0]);
    expect(await coordinator.exit, coordinator.err()).toBe(0);
    const outcome = JSON.parse(coordinator.out());

    // The same windows, chosen configurations and numbers as the local walk-forward.
    expect(outcome.windows).toHaveLength(WINDOWS);
    expect(outcome.windows).toEqual(expected.windows);
    expect(outcome.stitched.metrics).toEqual(expected.stitched.metrics);
    expect(outcome.stitched.bars).toEqual(expected.stitched.bars);
    expect(outcome.efficiency).toBe(expected.efficiency);
    expect(outcome.inSampleAnnualReturn).toBe(expected.inSampleAnnualReturn);
    expect(outcome.outOfSampleAnnualReturn).toBe(expected.outOfSampleAnnualReturn);
    expect(outcome).toMatchObject({ total: WINDOWS * CONFIGURATIONS, completed: WINDOWS * CONFIGURATIONS, failed: 0 });
    expect(outcome.saved).toBe(WINDOWS * CONFIGURATIONS);
    // The comparison means something: the windows chose different configurations and traded.
    const chosen = new Set(outcome.windows.map((w: { chosenParams: unknown }) => JSON.stringify(w.chosenParams)));
    expect(chosen.size).toBeGreaterThan(1);
    expect(outcome.stitched.metrics.total_trades).toBeGreaterThan(0);
    const groupId: string = outcome.groupId;
    expect(outcome.distributed).toMatchObject({ jobs: JOBS, batchSize: BATCH_SIZE, leaseSeconds: 30, queuedJobs: 0 });
    expect(outcome.distributed.sweepIds).toEqual([...Array(WINDOWS).keys()].map((i) => `${groupId}-w${i}`));

    // Each training run saved exactly once, as the group's training run of its window.
    const { rows: counts } = await client.query(
      `SELECT count(*)::int AS runs, count(DISTINCT idempotency_key)::int AS keys,
        count(DISTINCT (walk_forward_window, strategy_params_json))::int AS configurations,
        count(DISTINCT walk_forward_window)::int AS windows
        FROM run_details WHERE walk_forward_id = $1 AND walk_forward_role = 'training'`,
      [groupId],
    );
    expect(counts[0]).toEqual({
      runs: WINDOWS * CONFIGURATIONS,
      keys: WINDOWS * CONFIGURATIONS,
      configurations: WINDOWS * CONFIGURATIONS,
      windows: WINDOWS,
    });
    const { rows: others } = await client.query(
      `SELECT count(*)::int AS n FROM run_details WHERE walk_forward_id IS DISTINCT FROM $1
        OR walk_forward_role IS DISTINCT FROM 'training'`,
      [groupId],
    );
    expect(others[0]).toEqual({ n: 1 }); // the stitched run
    const { rows: sweeps } = await client.query(
      'SELECT sweep_id, planned::int, done::int, failed::int, status FROM sweeps ORDER BY sweep_id',
    );
    expect(sweeps).toEqual(
      [...Array(WINDOWS).keys()].map((i) => ({
        sweep_id: `${groupId}-w${i}`,
        planned: CONFIGURATIONS,
        done: CONFIGURATIONS,
        failed: 0,
        status: 'completed',
      })),
    );
    // Both worker processes ran some of them.
    const { rows: byWorker } = await client.query<{ pid: number; saved: number }>(
      'SELECT pid::int, sum(saved)::int AS saved FROM sweep_workers GROUP BY pid ORDER BY pid',
    );
    expect(byWorker.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.child.pid).sort());
    expect(byWorker.every((w) => w.saved > 0)).toBe(true);
    expect(byWorker.reduce((n, w) => n + w.saved, 0)).toBe(WINDOWS * CONFIGURATIONS);
    expect(await queuedJobs(client, db)).toEqual({ completed: JOBS });

    // The group is complete, as a local one: walk-forwards, show, list, best, report.
    const groups = JSON.parse((await runCli(['walk-forwards', '--db', db, '--json'], ctx.folder())).stdout);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ groupId, status: 'completed', partial: false, windowCount: WINDOWS });
    const stitchedId: number = groups[0].stitchedRunId;
    expect(stitchedId).toBe(outcome.stitched.id);
    expect(groups[0].windows.map((w: { chosenParams: unknown }) => w.chosenParams)).toEqual(
      expected.windows.map((w: { chosenParams: unknown }) => w.chosenParams),
    );
    const shown = await runCli(['walk-forwards', 'show', groupId, '--db', db], ctx.folder());
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('rolling: train 2y, test 1y, step 1y');
    expect(shown.stdout).toContain('Walk-forward efficiency');
    const listed = JSON.parse((await runCli(['list', '--db', db, '--json'], ctx.folder())).stdout);
    expect(listed.map((r: { id: number }) => r.id)).toEqual([stitchedId]);
    const training = JSON.parse(
      (await runCli(['list', '--db', db, '--json', '--include-training', '--limit', '1000'], ctx.folder())).stdout,
    );
    expect(training).toHaveLength(WINDOWS * CONFIGURATIONS + 1);
    const best = JSON.parse(
      (await runCli(['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--db', db, '--json'], ctx.folder())).stdout,
    );
    expect(best.best.id).toBe(stitchedId);
    expect(readFileSync(report, 'utf8')).toContain('id="walk-forward-windows"');
    const runReport = await runCli(['report', String(stitchedId), '--out', 'stitched.html', '--db', db], ctx.folder());
    expect(runReport.code, runReport.stderr).toBe(0);
    expect(existsSync(join(ctx.folder(), 'stitched.html'))).toBe(true);
  } finally {
    await client.end();
  }
}, 180_000);

it('Ctrl-C stops waiting: the group is marked partial and the jobs stay queued for workers (exit 130)', async () => {
  const db = ctx.url();
  // Bars of a provider's set in the store: the walk-forward reads them there and must not
  // re-import them as a file's (the set would refuse them).
  const store = await PostgresRunStore.open(db);
  await store.importBars(loadBarsCsv(GOOG, { symbol: 'GOOG', timeframe: '1Day' }), {
    source: 'alpaca',
    feed: 'iex',
    adjustment: 'raw',
  });
  await store.close();
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    const args = WALK_FORWARD.flatMap((arg) => (arg === '--data' ? ['--symbol'] : arg === GOOG ? ['GOOG'] : [arg]));
    const coordinator = start([
      ...args,
      ...['--timeframe', '1Day', '--db', db, '--distributed', '--batch-size', String(BATCH_SIZE)],
    ]);
    await until('every window to be enqueued', () => enqueued(client, db, coordinator));
    coordinator.child.kill('SIGINT');
    expect(await coordinator.exit, coordinator.err()).toBe(130);
    expect(coordinator.out()).toMatch(
      new RegExp(
        `= ${WINDOWS * CONFIGURATIONS} training runs, enqueued as ${JOBS} jobs of up to ${BATCH_SIZE} \\(lease 120 s\\) in postgres://`,
      ),
    );
    expect(coordinator.out()).toMatch(/Run them with: backtest worker --db postgres:\/\//);
    // The password never appears: anywhere, unless it is also the user name, and never after it.
    const { username, password } = new URL(db);
    if (password !== username) expect(coordinator.out()).not.toContain(password);
    expect(coordinator.out()).not.toContain(`:${password}@`);
    expect(coordinator.out()).toContain(':***@');
    expect(coordinator.err()).toMatch(
      new RegExp(
        `Interrupted: 0 of ${WINDOWS} windows finished and saved; walk-forward wf-\\S+ is marked partial; ${JOBS} jobs stay in the queue`,
      ),
    );
    const { rows } = await client.query('SELECT status FROM walk_forwards');
    expect(rows).toEqual([{ status: 'interrupted' }]);
    expect(await queuedJobs(client, db)).toEqual({ created: JOBS });
  } finally {
    await client.end();
  }
}, 120_000);

it('refuses --distributed without a PostgreSQL database in one line (exit 2), writing nothing', async () => {
  const sqlite = await runCli([...WALK_FORWARD, '--distributed', '--db', 'runs.db'], ctx.folder());
  expect(sqlite.code).toBe(2);
  expect(sqlite.stderr.trim().split('\n')).toHaveLength(1);
  expect(sqlite.stderr).toMatch(/walk-forward --distributed needs a PostgreSQL database/);
  expect(sqlite.stdout).toBe('');
  expect(existsSync(join(ctx.folder(), 'runs.db'))).toBe(false);
  const none = await runCli([...WALK_FORWARD, '--distributed'], ctx.folder());
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/walk-forward --distributed needs a PostgreSQL database/);
  expect(existsSync(join(ctx.folder(), 'data'))).toBe(false);
  const local = await runCli([...WALK_FORWARD, '--batch-size', '5'], ctx.folder());
  expect(local.code).toBe(2);
  expect(local.stderr).toMatch(/--batch-size applies to walk-forward --distributed only/);
}, 30_000);
