import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runSweep } from '../src/app/sweep/run-sweep.js';
import { resolveConfig } from '../src/core/config.js';
import { fingerprintBars, loadBarsCsv } from '../src/data/index.js';
import { openStore, type RunStore, SweepStatus } from '../src/store/index.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-sweeps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GOOG_SHA256 = fingerprintBars(loadBarsCsv(GOOG)).sha256;
/** Worker threads start through tsx, which takes a moment per sweep. */
const SWEEP_TIMEOUT = 90_000;

/** A fresh folder holding its own copy of GOOG.csv, so a test may move or delete it. */
function freshFolder(name: string): { folder: string; data: string; db: string } {
  const folder = join(dir, name);
  mkdirSync(folder);
  const data = join(folder, 'GOOG.csv');
  copyFileSync(GOOG, data);
  return { folder, data, db: join(folder, 'runs.db') };
}

// JSON.parse gives `any`, so tests read fields without declaring each output shape.
async function json(args: readonly string[]) {
  const run = await runCli([...args, '--json'], dir);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** `backtest sweep ... --save-to-db --json` on `data`; the sweep's id. */
async function savedSweep(data: string, db: string, extra: readonly string[]): Promise<string> {
  const printed = await json(['sweep', '--data', data, '--workers', '1', '--save-to-db', '--db', db, ...extra]);
  expect(printed.failed).toBe(0);
  return printed.sweepId as string;
}

async function withStore<T>(db: string, work: (store: RunStore) => Promise<T>): Promise<T> {
  const store = await openStore({ db });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Turns a completed sweep into one that stopped part-way: some runs deleted, status interrupted. */
async function interrupt(db: string, sweepId: string, keep: number): Promise<number[]> {
  return withStore(db, async (store) => {
    const rows = await store.listRuns({ sweepId, limit: 1000 });
    await store.deleteRuns(rows.slice(keep).map((row) => row.id));
    await store.updateSweep(sweepId, { status: SweepStatus.Interrupted, done: keep });
    return rows.slice(0, keep).map((row) => row.id);
  });
}

async function savedParams(db: string, sweepId: string): Promise<string[]> {
  return withStore(db, async (store) =>
    (await store.listRuns({ sweepId, limit: 1000 })).map((row) => row.strategy_params_json as string),
  );
}

describe('backtest sweeps: list and show', () => {
  it('lists sweeps newest first, marks partial ones, and filters by --status', { timeout: SWEEP_TIMEOUT }, async () => {
    const { data, db } = freshFolder('list');
    const completed = await savedSweep(data, db, ['--grid', 'fast=5,10', '--grid', 'slow=30']);
    const partial = await savedSweep(data, db, ['--grid', 'fast=5,10,15', '--grid', 'slow=40']);
    await interrupt(db, partial, 1);

    const table = await runCli(['sweeps', '--db', db], dir);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[1]).toMatch(
      /│ Sweep +│ Created \(UTC\) +│ Symbol │ Timeframe │ Strategy +│ Status +│ Done\/planned │ Failed │/,
    );
    // Newest first; the partial one is marked after its id.
    expect(lines[3]).toMatch(
      new RegExp(
        `│ ${partial}\\* │ \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d │ GOOG +│ 1Day +│ sma-cross │ interrupted │ +1/3 │ +0 │`,
      ),
    );
    expect(lines[4]).toMatch(new RegExp(`│ ${completed} +│ .* │ completed +│ +2/2 │ +0 │`));
    expect(table.stdout).toContain('* partial (stopped early or with failed runs): backtest sweeps resume ID');

    const interrupted = await json(['sweeps', '--status', 'interrupted', '--db', db]);
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatchObject({
      sweepId: partial,
      status: 'interrupted',
      planned: 3,
      done: 1,
      partial: true,
    });
    const listed = await json(['sweeps', 'list', '--status', 'completed', '--db', db]);
    expect(listed.map((s: { sweepId: string }) => s.sweepId)).toEqual([completed]);
    expect(listed[0].partial).toBe(false);
    expect(await runCli(['sweeps', '--status', 'running', '--db', db], dir)).toMatchObject({
      code: 0,
      stdout: 'No running sweeps.\n',
    });

    const badStatus = await runCli(['sweeps', '--status', 'stopped', '--db', db], dir);
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/^error: option '--status <status>' argument 'stopped' is invalid/);
    const unknownCommand = await runCli(['sweeps', 'resum', partial, '--db', db], dir);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toBe(
      'error: unknown sweeps command "resum"; use sweeps [list], sweeps show ID, sweeps resume ID or sweeps delete ID\n',
    );
  });

  it('shows the definition, status, counts and the best run by Sharpe ratio', { timeout: SWEEP_TIMEOUT }, async () => {
    const { data, db } = freshFolder('show');
    const sweepId = await savedSweep(data, db, [
      '--grid',
      'fast=5..15:5',
      '--grid',
      'slow=30',
      '--where',
      'fast != 10',
      '--commission',
      '0.001',
      '--notes',
      'morning run',
    ]);

    const shown = await runCli(['sweeps', 'show', sweepId, '--db', db], dir);
    expect(shown.code, shown.stderr).toBe(0);
    const text = shown.stdout;
    expect(text).toMatch(new RegExp(`│ Sweep +│ ${sweepId} +│`));
    expect(text).toMatch(/│ Status +│ completed +│/);
    expect(text).toMatch(/│ Strategy +│ sma-cross +│/);
    expect(text).toMatch(/│ Grid +│ fast=5\.\.15:5 {2}slow=30 +│/);
    expect(text).toMatch(/│ Where +│ fast != 10 +│/);
    expect(text).toMatch(/│ Fixed parameters │ \(none\) +│/);
    expect(text).toContain(`│ 2148 bars, 2004-08-19 → 2013-03-01, SHA-256 ${GOOG_SHA256.slice(0, 12)}… │`);
    expect(text).toMatch(new RegExp(`│ Data file +│ ${data.replaceAll('.', '\\.')} +│`));
    expect(text).toMatch(/│ Notes +│ morning run +│/);
    expect(text).toMatch(/│ Planned +│ 2 +│\n│ Done +│ 2 +│\n│ Failed +│ 0 +│\n│ Saved runs +│ 2 +│/);
    expect(text).toContain('"commission": 0.001');

    const detail = await json(['sweeps', 'show', sweepId, '--db', db]);
    expect(detail).toMatchObject({
      sweepId,
      status: 'completed',
      partial: false,
      planned: 2,
      done: 2,
      failed: 0,
      savedRuns: 2,
      definition: {
        sweepId,
        symbol: 'GOOG',
        timeframe: '1Day',
        strategy: { name: 'sma-cross' },
        grid: ['fast=5..15:5', 'slow=30'],
        where: 'fast != 10',
        fixedParams: {},
        bars: { sha256: GOOG_SHA256, count: 2148 },
        dataFile: data,
        config: { commission: 0.001, initialCash: 10_000 },
        notes: 'morning run',
      },
    });
    const best = await withStore(
      db,
      async (store) => (await store.bestRun('GOOG', '1Day', 'sharpe_ratio', { sweepId })).row,
    );
    expect(best).toBeDefined();
    expect(detail.best).toMatchObject({ id: best?.id, sweep_id: sweepId, sharpe_ratio: best?.sharpe_ratio });
    expect(text).toContain(`Best by Sharpe ratio (annualized): run ${best?.id} (`);
  });

  it('names the database in one line and exits 5 for an unknown sweep id', async () => {
    const db = join(dir, 'unknown.db');
    await withStore(db, async () => {});
    for (const command of [['show'], ['resume'], ['delete', '--yes']]) {
      const run = await runCli(['sweeps', ...command, 'sweep-nope', '--db', db], dir);
      expect(run.code).toBe(5);
      expect(run.stderr).toBe(`error: database ${db} has no sweep sweep-nope; backtest sweeps lists the stored ones\n`);
      expect(run.stdout).toBe('');
    }
  });
});

describe('backtest sweep: --param and an empty grid', () => {
  it('fixes a --param value in every saved run and stores it in the sweep definition', {
    timeout: SWEEP_TIMEOUT,
  }, async () => {
    const { data, db } = freshFolder('param');
    const sweepId = await savedSweep(data, db, [
      '--grid',
      'fast=5,10',
      '--grid',
      'slow=30,40',
      '--param',
      'short=true',
    ]);
    const params = (await savedParams(db, sweepId)).map((text) => JSON.parse(text));
    expect(params).toHaveLength(4);
    expect(params.every((p) => p.short === true)).toBe(true);
    const { definition } = await json(['sweeps', 'show', sweepId, '--db', db]);
    // Stored as given on the command line; the strategy turns it into a boolean for each run.
    expect(Object.keys(definition.fixedParams)).toEqual(['short']);
    expect(String(definition.fixedParams.short)).toBe('true');
  });

  it('exits 2 with one line when the grid leaves no combination, and stores no sweep', async () => {
    const { data, db } = freshFolder('empty-grid');
    await withStore(db, async () => {});
    const message =
      "error: the grid leaves no combination to run: 2 combinations, 2 rejected by sma-cross's parameter check, 0 left out by --where\n";
    const grid = ['--grid', 'fast=50', '--grid', 'slow=20,30'];
    expect(await runCli(['sweep', '--data', data, ...grid], dir)).toMatchObject({
      code: 2,
      stdout: '',
      stderr: message,
    });
    const saving = await runCli(['sweep', '--data', data, ...grid, '--save-to-db', '--db', db], dir);
    expect(saving).toMatchObject({ code: 2, stdout: '', stderr: message });
    expect(await json(['sweeps', '--db', db])).toEqual([]);
    // On a database that does not exist yet, the refused sweep creates no file.
    const absent = join(dirname(db), 'never-created.db');
    const refused = await runCli(['sweep', '--data', data, ...grid, '--save-to-db', '--db', absent], dir);
    expect(refused).toMatchObject({ code: 2, stdout: '', stderr: message });
    expect(existsSync(absent)).toBe(false);
  });
});

describe('backtest sweeps resume', () => {
  it('after Ctrl-C part-way, runs exactly the missing combinations and ends completed', {
    timeout: SWEEP_TIMEOUT,
  }, async () => {
    const { data, db } = freshFolder('resume-abort');
    const controller = new AbortController();
    const stopped = await withStore(db, (store) =>
      runSweep(
        // 12 × 2 = 24 runs, one at a time, so the abort after the first result leaves most undone.
        {
          bars: loadBarsCsv(data),
          strategy: 'sma-cross',
          grid: ['fast=2..13', 'slow=30,40'],
          workers: 1,
          batchSize: 1,
          db: store,
          dataFile: data,
        },
        { signal: controller.signal, onProgress: () => controller.abort() },
      ),
    );
    expect(stopped.interrupted).toBe(true);
    expect(stopped.saved).toBeGreaterThan(0);
    expect(stopped.saved).toBeLessThan(24);
    const before = await savedParams(db, stopped.sweepId);
    expect(await json(['sweeps', 'show', stopped.sweepId, '--db', db])).toMatchObject({
      status: 'interrupted',
      planned: 24,
      done: stopped.saved,
      partial: true,
    });

    const resumed = await runCli(['sweeps', 'resume', stopped.sweepId, '--workers', '2', '--db', db], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Resuming sweep ${stopped.sweepId}: sma-cross on GOOG 1Day, bars from ${data}\n`);
    expect(resumed.stdout).toContain(
      `${stopped.saved} of 24 combinations already saved, ${24 - stopped.saved} to run on 2 workers\n`,
    );
    expect(resumed.stdout).toMatch(
      new RegExp(
        `Ran ${24 - stopped.saved} of ${24 - stopped.saved} missing runs in \\d+\\.\\d s: ${24 - stopped.saved} completed, 0 failed, ${24 - stopped.saved} saved\\. ` +
          `Sweep ${stopped.sweepId} is completed: 24 of 24 done, 0 failed\\.`,
      ),
    );

    const after = await savedParams(db, stopped.sweepId);
    expect(after).toHaveLength(24);
    expect(new Set(after).size).toBe(24);
    expect(after).toEqual(expect.arrayContaining(before));
    const pairs = after.map((text) => JSON.parse(text)).map((p) => `${p.fast}/${p.slow}`);
    const expected = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].flatMap((fast) => [`${fast}/30`, `${fast}/40`]);
    expect(pairs.sort()).toEqual(expected.sort());
    expect(await json(['sweeps', 'show', stopped.sweepId, '--db', db])).toMatchObject({
      status: 'completed',
      planned: 24,
      done: 24,
      failed: 0,
      partial: false,
    });

    const again = await runCli(['sweeps', 'resume', stopped.sweepId, '--db', db], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      `Nothing left to run: all 24 combinations of sweep ${stopped.sweepId} are saved; it is completed.\n`,
    );
    expect(await savedParams(db, stopped.sweepId)).toHaveLength(24);
  });

  it("uses the database's bars when the sweep's data file is gone, with --json", {
    timeout: SWEEP_TIMEOUT,
  }, async () => {
    const { data, db } = freshFolder('resume-stored-bars');
    const sweepId = await savedSweep(data, db, [
      '--grid',
      'fast=5,10,15',
      '--grid',
      'slow=30,40',
      '--param',
      'short=true',
    ]);
    const kept = await interrupt(db, sweepId, 2);
    const keptParams = await savedParams(db, sweepId);
    rmSync(data);

    const noBars = await runCli(['sweeps', 'resume', sweepId, '--db', db], dir);
    expect(noBars.code).toBe(3);
    expect(noBars.stderr).toContain(`The sweep's data file ${data} is no longer there`);
    expect(noBars.stderr).toContain('error: ');
    expect(noBars.stderr).toContain('no bars for GOOG 1Day; import them with backtest data import');

    expect((await runCli(['data', 'import', GOOG, '--db', db], dir)).code).toBe(0);
    const printed = await json(['sweeps', 'resume', sweepId, '--db', db]);
    expect(printed).toMatchObject({
      sweepId,
      alreadySaved: 2,
      toRun: 4,
      completed: 4,
      failed: 0,
      saved: 4,
      interrupted: false,
      status: 'completed',
      planned: 6,
      done: 6,
    });
    const after = await savedParams(db, sweepId);
    expect(new Set(after).size).toBe(6);
    expect(after).toEqual(expect.arrayContaining(keptParams));
    expect(after.every((text) => JSON.parse(text).short === true)).toBe(true);
    await withStore(db, async (store) => {
      for (const id of kept) expect((await store.getRun(id)).sweep_id).toBe(sweepId);
    });
  });

  it('refuses bars other than the sweep ran on, naming both SHA-256 hashes, and runs nothing', {
    timeout: SWEEP_TIMEOUT,
  }, async () => {
    const { folder, data, db } = freshFolder('resume-changed-bars');
    const sweepId = await savedSweep(data, db, ['--grid', 'fast=5,10', '--grid', 'slow=30']);
    await interrupt(db, sweepId, 1);
    const shorter = join(folder, 'GOOG-shorter.csv');
    writeFileSync(shorter, readFileSync(data, 'utf8').trimEnd().split('\n').slice(0, -1).join('\n'));
    const otherSha = fingerprintBars(loadBarsCsv(shorter)).sha256;

    const run = await runCli(['sweeps', 'resume', sweepId, '--data', shorter, '--db', db], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(
      `error: ${shorter}: these bars are not the ones sweep ${sweepId} ran on: their SHA-256 is ${otherSha} (2147 bars), ` +
        `the sweep's is ${GOOG_SHA256} (2148 bars); pass --data with the file the sweep ran on\n`,
    );
    expect(await savedParams(db, sweepId)).toHaveLength(1);
    expect((await json(['sweeps', 'show', sweepId, '--db', db])).status).toBe('interrupted');
  });

  it('refuses a strategy module whose SHA-256 changed unless --allow-changed-strategy', {
    timeout: SWEEP_TIMEOUT,
  }, async () => {
    const { folder, data, db } = freshFolder('resume-changed-module');
    const module = join(folder, 'hold.mjs');
    writeFileSync(
      module,
      `export default {
        name: 'hold', description: 'long from bar n',
        params: [{ name: 'n', type: 'integer', default: 1, min: 0, description: 'first bar' }],
        create(params) { return { onBar: ({ index }) => (index >= params.n ? 1 : undefined) }; },
      };\n`,
    );
    const { strategy: _strategy, ...config } = resolveConfig({ strategy: { name: 'hold', params: {} } });
    const sweepId = 'sweep-20260101-000000-abcdef';
    const storedSha = 'f'.repeat(64);
    // Stored directly: the module's SHA-256 as it was when the sweep ran, before the file changed.
    await withStore(db, (store) =>
      store.createSweep(
        {
          sweepId,
          symbol: 'GOOG',
          timeframe: '1Day',
          strategy: { name: 'hold', module: { path: module, sha256: storedSha } },
          grid: ['n=1,2,3'],
          fixedParams: {},
          bars: fingerprintBars(loadBarsCsv(data)),
          dataFile: data,
          config,
        },
        3,
      ),
    );

    const refused = await runCli(['sweeps', 'resume', sweepId, '--db', db], dir);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^error: strategy module ${module.replaceAll('.', '\\.')} has changed since sweep ${sweepId} ran \\(SHA-256 now [0-9a-f]{64}, then ${storedSha}\\); ` +
          'pass --allow-changed-strategy to resume with the file as it is now\n$',
      ),
    );
    expect(await savedParams(db, sweepId)).toHaveLength(0);

    const allowed = await runCli(['sweeps', 'resume', sweepId, '--allow-changed-strategy', '--db', db], dir);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(
      /^warning: strategy module .* has changed since sweep .*; resuming with the file as it is now\n/,
    );
    expect((await savedParams(db, sweepId)).map((text) => JSON.parse(text).n).sort()).toEqual([1, 2, 3]);
    expect((await json(['sweeps', 'show', sweepId, '--db', db])).status).toBe('completed');
  });
});

describe('backtest sweeps delete', () => {
  it('asks first, refuses without a terminal, and deletes the sweep with its runs only', {
    timeout: SWEEP_TIMEOUT,
  }, async () => {
    const { data, db } = freshFolder('delete');
    expect((await runCli(['run', '--data', data, '--save-to-db', '--db', db], dir)).code).toBe(0);
    const sweepId = await savedSweep(data, db, ['--grid', 'fast=5,10,15', '--grid', 'slow=30']);
    const other = await savedSweep(data, db, ['--grid', 'fast=20', '--grid', 'slow=40']);

    const refused = await runCli(['sweeps', 'delete', sweepId, '--db', db], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `error: not deleting sweep ${sweepId} (sma-cross on GOOG 1Day) and its 3 saved runs without confirmation; pass --yes\n`,
    );
    const declined = await runCli(['sweeps', 'delete', sweepId, '--db', db], dir, {
      interactive: true,
      answers: [false],
    });
    expect(declined).toMatchObject({ code: 0, stdout: '', stderr: 'Nothing deleted.\n' });
    expect(await savedParams(db, sweepId)).toHaveLength(3);

    const confirmed = await runCli(['sweeps', 'delete', sweepId, '--db', db], dir, {
      interactive: true,
      answers: [true],
    });
    expect(confirmed).toMatchObject({ code: 0, stdout: `Deleted sweep ${sweepId} and its 3 runs.\n` });
    expect(await json(['list', '--sweep', sweepId, '--db', db])).toEqual([]);
    expect((await runCli(['sweeps', 'show', sweepId, '--db', db], dir)).code).toBe(5);
    // The other sweep and the lone run are untouched.
    expect((await json(['sweeps', '--db', db])).map((s: { sweepId: string }) => s.sweepId)).toEqual([other]);
    expect(await json(['list', '--db', db])).toHaveLength(2);

    expect(await json(['sweeps', 'delete', other, '--yes', '--db', db])).toEqual({ sweepId: other, deletedRuns: 1 });
    expect(await json(['list', '--db', db])).toHaveLength(1);
  });
});
