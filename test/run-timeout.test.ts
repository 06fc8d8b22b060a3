/**
 * A run that never ends: `--run-timeout` on sweep, sweeps resume and run --all, crash isolation
 * of run --all's model process, the --workers cap, and Ctrl-C while a huge grid is planned.
 * Real worker threads and child processes throughout.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExampleModels } from '../src/strategies/onnx/index.js';
import { runCli } from './cli-harness.js';
import { writeEndlessOnnxModel } from './endless-onnx-model.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const BIN = join(ROOT, 'bin/backtest.js');
const EURUSD = join(ROOT, 'data/bars/EURUSD.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-run-timeout-'));
const db = join(dir, 'runs.db');
const examples = join(dir, 'examples');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await writeExampleModels(examples);
  for (const [file, symbol, timeframe] of [
    [GOOG, 'GOOG', '1Day'],
    [EURUSD, 'EURUSD', '1Hour'],
  ] as const) {
    const run = await runCli(['data', 'import', file, '--symbol', symbol, '--timeframe', timeframe, '--db', db], dir);
    expect(run.code, run.stderr).toBe(0);
  }
  // A strategy whose onBar never returns for n = 3.
  writeFileSync(
    join(dir, 'endless.mjs'),
    `export default {
      name: 'endless', description: 'loops forever for n = 3',
      params: [{ name: 'n', type: 'integer', default: 1, description: 'n' }],
      create(params) { return { onBar: () => { if (params.n === 3) { while (true) {} } return 1; } }; },
    };\n`,
  );
});

/** Saved runs in `database`, as `backtest list --json` counts them. */
async function savedRuns(database: string, ...filter: string[]): Promise<{ model_path: string | null }[]> {
  const run = await runCli(['list', '--db', database, '--json', '--limit', '1000', ...filter], dir);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('sweep --run-timeout', () => {
  it('stops a combination that loops forever, saves the others, and sweeps resume times it out again', {
    timeout: 60_000,
  }, async () => {
    const sweepDb = join(dir, 'endless.db');
    const args = ['--run-timeout', '1', '--db', sweepDb, '--json'];
    const run = await runCli(
      [
        'sweep',
        '--data',
        GOOG,
        '--strategy',
        'endless.mjs',
        '--grid',
        'n=1..5',
        '--workers',
        '2',
        '--save-to-db',
        ...args,
      ],
      dir,
    );
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ total: 5, completed: 4, failed: 1, saved: 4 });
    expect(summary.failures).toEqual([{ params: { n: 3 }, message: 'timed out after 1 s' }]);
    expect(run.stderr).toContain('failed: n=3: timed out after 1 s\n');
    expect(await savedRuns(sweepDb, '--sweep', summary.sweepId)).toHaveLength(4);

    // Resume runs only the missing combination, under the same timeout.
    const resumed = await runCli(['sweeps', 'resume', summary.sweepId, ...args], dir);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      alreadySaved: 4,
      toRun: 1,
      failed: 1,
      failures: [{ params: { n: 3 }, message: 'timed out after 1 s' }],
    });
  });

  it('refuses a timeout that is not a number of seconds above 0', async () => {
    for (const value of ['0', '-1', 'soon']) {
      const run = await runCli(['sweep', '--data', GOOG, '--grid', 'fast=5', '--run-timeout', value], dir);
      expect(run.code, value).toBe(2);
      expect(run.stderr).toContain(`"${value}" is not a number above 0`);
    }
    const single = await runCli(['run', '--data', GOOG, '--run-timeout', '5'], dir);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain('--run-timeout applies to run --all');
  });
});

describe('sweep --workers', () => {
  it('caps a count above the number of cores to it, with a one-line note', { timeout: 60_000 }, async () => {
    const cores = availableParallelism();
    const run = await runCli(
      ['sweep', '--data', GOOG, '--grid', 'fast=2..40', '--grid', 'slow=50', '--workers', '99'],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(
      `note: --workers 99 is more than the ${cores} core${cores === 1 ? '' : 's'}; using ${cores}\n`,
    );
    const used = Math.min(cores, 39);
    expect(run.stdout).toContain(`on ${used} worker${used === 1 ? '' : 's'}\n`);
  });
});

/** A process that exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('run --all in a child process', () => {
  it('times out a model that never finishes, reports it, and saves the others', { timeout: 60_000 }, async () => {
    const models = join(dir, 'with-endless');
    // Sorted first, so the models after it run in a fresh process.
    mkdirSync(join(models, 'A-spin'), { recursive: true });
    writeFileSync(join(models, 'A-spin', 'GOOG_1Day.onnx'), writeEndlessOnnxModel());
    copyFileSync(join(examples, 'GOOG_1Day.onnx'), join(models, 'GOOG_1Day.onnx'));
    copyFileSync(join(examples, 'EURUSD_1Hour.onnx'), join(models, 'EURUSD_1Hour.onnx'));

    const before = (await savedRuns(db)).length;
    const startedMs = performance.now();
    const run = await runCli(
      ['run', '--all', '--models-dir', models, '--run-timeout', '1', '--db', db, '--save-to-db'],
      dir,
    );
    expect(performance.now() - startedMs).toBeLessThan(30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: .*A-spin\/GOOG_1Day\.onnx: timed out after 1 s\n/);
    expect(run.stderr).toContain('1 of 3 models failed');
    expect(run.stdout).toMatch(/A-spin\/GOOG_1Day\.onnx\s+│ GOOG\s+│ 1Day\s+│ failed/);
    expect(run.stdout).toMatch(/EURUSD_1Hour\.onnx\s+│ EURUSD\s+│ 1Hour\s+│ ok/);
    expect(run.stdout).toMatch(/with-endless\/GOOG_1Day\.onnx\s+│ GOOG\s+│ 1Day\s+│ ok/);
    const after = await savedRuns(db);
    // Newest first: the rows this run added.
    const saved = after.slice(0, after.length - before);
    expect(saved.map((row) => row.model_path).sort()).toEqual([
      join(models, 'EURUSD_1Hour.onnx'),
      join(models, 'GOOG_1Day.onnx'),
    ]);
  });

  it('a model process that dies fails only its model', { timeout: 60_000 }, async () => {
    const models = join(dir, 'with-crash');
    mkdirSync(join(models, 'A-crash'), { recursive: true });
    writeFileSync(join(models, 'A-crash', 'GOOG_1Day.onnx'), writeEndlessOnnxModel());
    copyFileSync(join(examples, 'EURUSD_1Hour.onnx'), join(models, 'EURUSD_1Hour.onnx'));

    // Once the endless model (the first) is inside ONNX Runtime, its process is killed from
    // outside, as the kernel's out-of-memory killer would; the next model runs in a fresh one.
    let killed: number | undefined;
    const killer = setInterval(() => {
      if (killed !== undefined) return;
      const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
      const line = children.split('\n').find((l) => l.includes('model-process'));
      if (line === undefined) return;
      const pid = Number(line.trim().split(/\s+/)[0]);
      let maps = '';
      try {
        maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
      } catch {
        return; // gone already
      }
      if (!maps.includes('onnxruntime')) return;
      killed = pid;
      process.kill(pid, 'SIGKILL');
    }, 50);
    const run = await runCli(
      ['run', '--all', '--models-dir', models, '--run-timeout', '60', '--db', db, '--json'],
      dir,
    ).finally(() => clearInterval(killer));
    expect(killed).toBeDefined();
    expect(run.code).toBe(1);
    const outcomes = JSON.parse(run.stdout) as { modelPath: string; error?: string; metrics?: object }[];
    expect(outcomes.map((o) => [o.modelPath, o.error])).toEqual([
      [join(models, 'A-crash', 'GOOG_1Day.onnx'), "the model's process was killed by SIGKILL while running it"],
      [join(models, 'EURUSD_1Hour.onnx'), undefined],
    ]);
    expect(outcomes[1]?.metrics).toBeDefined();
  });

  it('a model process stuck in ONNX Runtime ends when its parent is killed with SIGKILL', {
    timeout: 60_000,
  }, async () => {
    const models = join(dir, 'orphaned');
    mkdirSync(models, { recursive: true });
    writeFileSync(join(models, 'GOOG_1Day.onnx'), writeEndlessOnnxModel());
    const parent = spawn(
      process.execPath,
      [BIN, 'run', '--all', '--models-dir', models, '--run-timeout', '600', '--db', db],
      { cwd: dir, stdio: 'ignore', env: { ...process.env, BACKTEST_DB: '' } },
    );
    try {
      // The model's process, once it is spinning inside ONNX Runtime.
      const child = await new Promise<number>((resolve, reject) => {
        const deadline = Date.now() + 30_000;
        const look = setInterval(() => {
          // ps exits 1 while the parent has no child yet.
          const children = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent.pid)], {
            encoding: 'utf8',
          }).stdout;
          const line = children.split('\n').find((l) => l.includes('model-process'));
          const pid = line === undefined ? undefined : Number(line.trim().split(/\s+/)[0]);
          let spinning = false;
          try {
            spinning = pid !== undefined && readFileSync(`/proc/${pid}/maps`, 'utf8').includes('onnxruntime');
          } catch {
            spinning = false;
          }
          if (spinning) {
            clearInterval(look);
            resolve(pid as number);
          } else if (Date.now() > deadline) {
            clearInterval(look);
            reject(new Error('the model process never started its model'));
          }
        }, 50);
      });
      parent.kill('SIGKILL');
      const deadline = Date.now() + 10_000;
      let alive = true;
      while (alive && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        alive = isRunning(child);
      }
      if (alive) process.kill(child, 'SIGKILL');
      expect(alive).toBe(false);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    }
  });

  it('never loads onnxruntime-node in the calling process', { timeout: 60_000 }, () => {
    const script = `
      const { runAllModels } = await import('./src/app/run-all-models.ts');
      const { loadBarsCsv } = await import('./src/data/index.ts');
      const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: '1Day' });
      const outcomes = await runAllModels({
        modelsDir: ${JSON.stringify(examples)},
        loadBars: (symbol) => (symbol === 'GOOG' ? bars : undefined),
      });
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('onnxruntime'));
      console.log(JSON.stringify({ loaded, trades: outcomes.map((o) => o.metrics?.total_trades ?? o.error) }));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const printed = JSON.parse(run.stdout);
    expect(printed.loaded).toBe(false);
    // The GOOG model ran (in the child) and traded; EURUSD had no bars here.
    expect(printed.trades).toEqual(['no bars for EURUSD 1Hour', expect.any(Number)]);
    expect(printed.trades[1]).toBeGreaterThan(0);
  });
});

describe('planning a huge grid, spawned', () => {
  it('Ctrl-C while a 1,000,000-combination grid is planned exits 130 within a second, saving nothing', {
    timeout: 60_000,
  }, async () => {
    const planDb = join(dir, 'planning.db');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/backtest.js'),
        'sweep',
        '--data',
        GOOG,
        '--grid',
        'fast=1..1000',
        '--grid',
        'slow=1001..2000',
        '--save-to-db',
        '--db',
        planDb,
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const planning = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('Planning 1,000,000 combinations')) resolve();
      });
    });
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await Promise.race([planning, exited]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalledMs = performance.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(performance.now() - signalledMs).toBeLessThan(1000);
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('stopped by Ctrl-C while planning');
    expect(existsSync(planDb)).toBe(false);
  });
});
