/**
 * `backtest db copy` between SQLite and a real PostgreSQL server (the one
 * `BACKTEST_TEST_POSTGRES_URL` names, else a throwaway embedded one), and the commands that
 * read a history working the same on both stores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runWalkForward } from '../../app/walk-forward/run-walk-forward.js';
import { UsageError } from '../../core/errors.js';
import { generateSyntheticBars } from '../../data/index.js';
import { openStore, type RunStore } from '../../store/index.js';
import {
  freshSchema,
  startTestPostgres,
  type TestPostgres,
} from '../../store/postgres/postgres-test-server.test-support.js';
import { SqliteRunStore } from '../../store/sqlite/index.js';
import {
  createSampleDatabase,
  loadGoog,
  SAMPLE_SWEEP_ID,
  type SampleDatabase,
} from '../../web/sample-runs.test-support.js';
import type { CliIO } from '../cli-io.js';
import { createProgram } from '../main.js';
import { dbCopyCommand } from './db-copy.js';

let server: TestPostgres;
let dir: string;
let sample: SampleDatabase;
let schema: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  server = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), 'db-copy-'));
  sample = await createSampleDatabase(dir);
  const store = SqliteRunStore.open(sample.path);
  try {
    await store.importBars(loadGoog());
    if ((await store.findSweep(SAMPLE_SWEEP_ID)) === undefined) {
      const config = {
        initialCash: 10_000,
        commission: 0,
        fixedFee: 0,
        slippageBps: 0,
        size: 1,
        fractional: false,
        fillAt: 'next-open' as const,
        riskFreeRate: 0,
      };
      await store.createSweep(
        {
          sweepId: SAMPLE_SWEEP_ID,
          symbol: 'GOOG',
          timeframe: '1Day',
          strategy: { name: 'sma-cross' },
          grid: ['fast=5,10,20', 'slow=30,50,100'],
          fixedParams: {},
          bars: { sha256: 'aa'.repeat(32), count: 10, firstTimeMs: 0, lastTimeMs: 9 },
          config,
        },
        9,
      );
      await store.updateSweep(SAMPLE_SWEEP_ID, { status: 'completed', done: 9 });
    }
  } finally {
    await store.close();
  }
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  schema = await freshSchema(server.url);
});
afterEach(async () => {
  await schema.drop();
});

function captureIO(): CliIO & { output: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    cwd: dir,
    env: {},
    interactive: false,
    confirm: async () => false,
    output: () => out,
    errors: () => err,
  };
}

/** Every run as exported, without the ids (which each store assigns). */
async function exported(db: string): Promise<unknown[]> {
  const store = await openStore({ db, readonly: true });
  try {
    return (await store.exportRuns()).map((r) => ({ ...r, row: { ...r.row, id: 0 } }));
  } finally {
    await store.close();
  }
}

describe('backtest db copy', () => {
  it('copies SQLite → PostgreSQL → SQLite: every run, curve, trade, sweep and bar; twice copies nothing twice', async () => {
    const password = new URL(server.url).password;
    const io = captureIO();
    await dbCopyCommand({ from: sample.path, to: schema.url }, io);
    expect(io.output()).toMatch(
      new RegExp(
        `^Copied ${sample.allIds.length} runs \\(0 already there\\), 1 sweeps \\(0 already there, status updated\\), ` +
          `0 walk-forward groups \\(0 already there, status updated\\) and 1 bar sets \\(\\d+ bars\\) from .*runs\\.db to postgres://`,
      ),
    );
    expect(io.output() + io.errors()).not.toContain(password === '' ? 'no password' : password);
    expect(await exported(schema.url)).toEqual(await exported(sample.path));

    const again = captureIO();
    await dbCopyCommand({ from: sample.path, to: schema.url }, again);
    expect(again.output()).toMatch(
      new RegExp(`^Copied 0 runs \\(${sample.allIds.length} already there\\), 0 sweeps \\(1 already there`),
    );

    const back = captureIO();
    await dbCopyCommand({ from: schema.url, to: 'laptop.db' }, back);
    expect(await exported(join(dir, 'laptop.db'))).toEqual(await exported(sample.path));
    const laptop = await openStore({ db: join(dir, 'laptop.db'), readonly: true });
    const team = await openStore({ db: schema.url, readonly: true });
    try {
      expect(await laptop.findSweep(SAMPLE_SWEEP_ID)).toMatchObject({ status: 'completed', done: 9 });
      const [a, b] = await Promise.all([laptop.loadBars('GOOG', '1Day'), team.loadBars('GOOG', '1Day')]);
      expect(
        Buffer.from(a?.close.buffer ?? new ArrayBuffer(0)).equals(Buffer.from(b?.close.buffer ?? new ArrayBuffer(0))),
      ).toBe(true);
      expect(a?.length).toBe(loadGoog().length);
    } finally {
      await laptop.close();
      await team.close();
    }
  });

  it('copies the period returns of sweep runs and the sweep’s overfitting result, both ways', async () => {
    const path = join(dir, 'overfit.db');
    const source = SqliteRunStore.open(path);
    const periods = (k: number) => Float64Array.from({ length: 8 }, (_, i) => ((i * k) % 5) / 100 - 0.02);
    const overfit = {
      computedMs: 1_700_000_000_000,
      metric: 'sharpe_ratio',
      blocks: 2,
      configurations: 2,
      periods: 8,
      splits: 2,
      pbo: 0.5,
      slope: null,
      intercept: null,
      rSquared: null,
      probabilityOfLoss: 0,
      logits: Float64Array.from([0.4, -0.4]),
      inSample: Float64Array.from([1, 2]),
      outOfSample: Float64Array.from([-0, 3]),
    };
    try {
      const run = (k: number) => ({
        symbol: 'GOOG',
        timeframe: '1Day',
        startDate: 1_577_836_800,
        endDate: 1_609_372_800,
        initialCapital: 10_000,
        finalEquity: 10_000,
        totalReturn: 0,
        sweepId: 'sweep-o',
        strategyParams: { k },
        periodReturns: periods(k),
      });
      await source.createSweep(
        {
          sweepId: 'sweep-o',
          symbol: 'GOOG',
          timeframe: '1Day',
          strategy: { name: 'sma-cross' },
          grid: ['k=1,3'],
          fixedParams: {},
          bars: { sha256: 'aa'.repeat(32), count: 9, firstTimeMs: 0, lastTimeMs: 8 },
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
          periodGrid: { barsPerPeriod: 1, periodCount: 8 },
        },
        2,
      );
      await source.saveRuns([run(1), run(3)]);
      await source.saveSweepOverfit('sweep-o', overfit);
    } finally {
      await source.close();
    }
    await dbCopyCommand({ from: path, to: schema.url }, captureIO());
    await dbCopyCommand({ from: schema.url, to: 'overfit-back.db' }, captureIO());
    for (const db of [schema.url, join(dir, 'overfit-back.db')]) {
      const store = await openStore({ db, readonly: true });
      try {
        expect((await store.sweepPeriodReturns('sweep-o')).map((r) => [r.strategyParamsJson, [...r.returns]])).toEqual([
          ['{"k":1}', [...periods(1)]],
          ['{"k":3}', [...periods(3)]],
        ]);
        expect(await store.findSweepOverfit('sweep-o')).toEqual(overfit);
        expect((await store.findSweep('sweep-o'))?.definition.periodGrid).toEqual({ barsPerPeriod: 1, periodCount: 8 });
      } finally {
        await store.close();
      }
    }
  });

  it('copies a split run’s out-of-sample part, both ways', async () => {
    const path = join(dir, 'oos.db');
    const source = SqliteRunStore.open(path);
    try {
      await source.saveRun({
        symbol: 'GOOG',
        timeframe: '1Day',
        startDate: 1_577_836_800,
        endDate: 1_609_372_800,
        initialCapital: 10_000,
        finalEquity: 10_500,
        totalReturn: 0.05,
        metrics: { sharpe_ratio: 1.5, total_trades: 4 },
        outOfSample: {
          bars: { sha256: 'cd'.repeat(32), count: 2, firstTimeMs: 5, lastTimeMs: 9 },
          metrics: { sharpe_ratio: -0.25, profit_factor: -Infinity, total_trades: 1 },
          outOfMoneyTimeMs: 9,
        },
      });
    } finally {
      await source.close();
    }
    const outOfSample = async (db: string) => {
      const store = await openStore({ db, readonly: true });
      try {
        const rows = await store.listRuns();
        return [...(await store.outOfSample(rows.map((row) => row.id))).values()];
      } finally {
        await store.close();
      }
    };
    const expected = await outOfSample(path);
    expect(expected).toHaveLength(1);
    await dbCopyCommand({ from: path, to: schema.url }, captureIO());
    expect(await outOfSample(schema.url)).toEqual(expected);
    await dbCopyCommand({ from: schema.url, to: 'oos-back.db' }, captureIO());
    expect(await outOfSample(join(dir, 'oos-back.db'))).toEqual(expected);
  });

  it('copies walk-forward groups SQLite → PostgreSQL → SQLite: windows, summary, status, stitched run and hidden training runs', async () => {
    const bars = generateSyntheticBars({ count: 900, seed: 11, symbol: 'SYN', timeframe: '1Hour' });
    const path = join(dir, 'wf.db');
    const walkForward = {
      bars,
      strategy: 'sma-cross',
      grid: ['fast=4..12:4', 'slow=20,40'],
      train: '300bars',
      test: '150bars',
      workers: 1,
    };
    const plainRun = (finalEquity: number) => ({
      symbol: 'GOOG',
      timeframe: '1Day',
      startDate: 1_577_836_800,
      endDate: 1_609_372_800,
      initialCapital: 10_000,
      finalEquity,
      totalReturn: finalEquity / 10_000 - 1,
      metrics: { sharpe_ratio: 0.5, total_trades: 3 },
    });
    let completedId: string;
    let partialId: string;
    const source = SqliteRunStore.open(path);
    try {
      // A plain run first, so that the groups' runs do not start at id 1 either.
      await source.saveRun(plainRun(10_100));
      completedId = (await runWalkForward({ ...walkForward, db: source })).groupId;
      const controller = new AbortController();
      const partial = await runWalkForward(
        { ...walkForward, batchSize: 1, db: source },
        { signal: controller.signal, onWindow: () => controller.abort() },
      );
      expect(partial.interrupted).toBe(true);
      partialId = partial.groupId;
    } finally {
      await source.close();
    }
    // Each target holds an unrelated run already, so its ids differ from the source's.
    const laptopPath = join(dir, 'wf-back.db');
    const laptopSeed = SqliteRunStore.open(laptopPath);
    try {
      await laptopSeed.saveRuns([plainRun(9_000), plainRun(9_100), plainRun(9_200)]);
    } finally {
      await laptopSeed.close();
    }
    const teamSeed = await openStore({ db: schema.url });
    try {
      await teamSeed.saveRuns([plainRun(9_500), plainRun(9_600)]);
    } finally {
      await teamSeed.close();
    }

    const withStores = async <T>(db: string, read: (store: RunStore) => Promise<T>): Promise<T> => {
      const store = await openStore({ db, readonly: true });
      try {
        return await read(store);
      } finally {
        await store.close();
      }
    };
    /** A group with its stitched run named by UUID (ids differ between stores), without its times. */
    const groupsOf = (db: string) =>
      withStores(db, async (store) =>
        Promise.all(
          (await store.listWalkForwards()).map(async ({ createdMs, updatedMs, stitchedRunId, ...group }) => ({
            ...group,
            stitchedRunUuid: stitchedRunId === null ? null : (await store.getRun(stitchedRunId)).uuid,
          })),
        ),
      );
    /** Every run of the groups, training runs included, by UUID with its link. */
    const linksOf = (db: string) =>
      withStores(db, async (store) =>
        (await store.listRuns({ includeTraining: true, limit: 10_000 }))
          .filter((row) => row.walk_forward_id !== null)
          .map((row) => [row.uuid, row.walk_forward_id, row.walk_forward_role, row.walk_forward_window])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    const expectedGroups = await groupsOf(path);
    const expectedLinks = await linksOf(path);
    expect(expectedGroups.map((g) => [g.definition.groupId, g.status])).toEqual([
      [partialId, 'interrupted'],
      [completedId, 'completed'],
    ]);
    expect(expectedGroups[1]?.stitchedRunUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectedGroups[1]?.windows).toHaveLength(4);
    expect(expectedLinks.filter((link) => link[2] === 'training').length).toBeGreaterThan(4 * 6);
    const sourceRuns = await withStores(path, (store) => store.countRuns({ includeTraining: true }));

    const run = async (args: string[]): Promise<string> => {
      const io = captureIO();
      await createProgram(io).parseAsync(args, { from: 'user' });
      return io.output();
    };
    const copy = async (from: string, to: string) =>
      JSON.parse(await run(['db', 'copy', '--from', from, '--to', to, '--json'])) as Record<string, unknown>;
    /** What the target must hold: the source's groups and links, training runs hidden, ids its own. */
    const expectSameGroups = async (db: string, plainRuns: number) => {
      expect(await groupsOf(db)).toEqual(expectedGroups);
      expect(await linksOf(db)).toEqual(expectedLinks);
      await withStores(db, async (store) => {
        const completed = await store.findWalkForward(completedId);
        const stitched = await store.getRun(completed?.stitchedRunId ?? -1);
        expect(stitched).toMatchObject({ walk_forward_id: completedId, walk_forward_role: 'stitched' });
        // Training runs stay out of lists, counts and rankings: only the stitched run and the plain ones.
        expect(await store.countRuns()).toBe(1 + 1 + plainRuns);
        expect((await store.listRuns({ symbol: 'SYN' })).map((row) => row.id)).toEqual([stitched.id]);
        const best = await store.bestRun('SYN', '1Hour', 'sharpe_ratio', { minTrades: 0 });
        expect([best.row?.id, best.matching]).toEqual([stitched.id, 1]);
        expect(await store.countRuns({ includeTraining: true })).toBe(sourceRuns + plainRuns);
      });
      const listed = JSON.parse(await run(['walk-forwards', '--json', '--db', db])) as { groupId: string }[];
      expect(listed.map((g) => g.groupId)).toEqual([partialId, completedId]);
      const shown = JSON.parse(await run(['walk-forwards', 'show', completedId, '--json', '--db', db]));
      const sourceShown = JSON.parse(await run(['walk-forwards', 'show', completedId, '--json', '--db', path]));
      const { createdMs, updatedMs, stitchedRunId, ...rest } = sourceShown;
      expect(shown).toMatchObject(rest);
      expect(await run(['walk-forwards', 'show', partialId, '--db', db])).toContain('interrupted (partial)');
    };

    expect(await copy(path, schema.url)).toMatchObject({
      runsCopied: sourceRuns,
      runsPresent: 0,
      walkForwardsCopied: 2,
      walkForwardsUpdated: 0,
    });
    await expectSameGroups(schema.url, 2);

    // Again: nothing twice, the groups updated in place.
    expect(await copy(path, schema.url)).toMatchObject({
      runsCopied: 0,
      runsPresent: sourceRuns,
      walkForwardsCopied: 0,
      walkForwardsUpdated: 2,
    });
    await expectSameGroups(schema.url, 2);

    // Back to a laptop file: the team's two unrelated runs come along, beside the laptop's three.
    expect(await copy(schema.url, laptopPath)).toMatchObject({
      runsCopied: sourceRuns + 2,
      walkForwardsCopied: 2,
      walkForwardsUpdated: 0,
    });
    await expectSameGroups(laptopPath, 5);
    const line = await run(['db', 'copy', '--from', schema.url, '--to', laptopPath]);
    expect(line).toMatch(/^Copied 0 runs .*, 0 walk-forward groups \(2 already there, status updated\) and /);
    await expectSameGroups(laptopPath, 5);
  }, 120_000);

  it('refuses copying a database onto itself, and a missing source, in one line', async () => {
    await expect(dbCopyCommand({ from: schema.url, to: schema.url }, captureIO())).rejects.toThrow(UsageError);
    await expect(dbCopyCommand({ from: 'nope.db', to: schema.url }, captureIO())).rejects.toThrow(/no database at/);
  });

  it('every reading command works the same on the copy in PostgreSQL, through --db and BACKTEST_DB', async () => {
    await dbCopyCommand({ from: sample.path, to: schema.url }, captureIO());
    const run = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => {
      const io = { ...captureIO(), env };
      await createProgram(io).parseAsync(args, { from: 'user' });
      return io.output();
    };
    const onBoth = async (args: string[]): Promise<[string, string]> => [
      await run([...args, '--db', sample.path]),
      await run(args, { BACKTEST_DB: schema.url }),
    ];
    for (const args of [
      ['list', '--limit', '5'],
      ['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--json'],
      ['sweeps', 'list'],
      ['data', 'list'],
      ['show', String(sample.googRsiId)],
      ['compare', String(sample.googBuyAndHoldId), String(sample.googRsiId)],
    ]) {
      const [sqlite, postgres] = await onBoth(args);
      expect(postgres.replaceAll(schema.url, 'DB')).toBe(sqlite.replaceAll(sample.path, 'DB'));
    }
  });
});
