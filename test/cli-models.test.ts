import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExampleModels } from '../src/strategies/onnx/index.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const EURUSD = join(ROOT, 'data/bars/EURUSD.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-models-'));
const db = join(dir, 'runs.db');
const models = join(dir, 'models', 'rl_symbols');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  mkdirSync(models, { recursive: true });
  await writeExampleModels(models);
  for (const [file, symbol, timeframe] of [
    [GOOG, 'GOOG', '1Day'],
    [EURUSD, 'EURUSD', '1Hour'],
  ] as const) {
    const run = await runCli(['data', 'import', file, '--symbol', symbol, '--timeframe', timeframe, '--db', db], dir);
    expect(run.code, run.stderr).toBe(0);
  }
});

describe('bars in the database', () => {
  it('lists stored bar sets with counts and first and last times', async () => {
    const run = await runCli(['data', 'list', '--db', db, '--json'], dir);
    const fromFile = {
      source: 'file',
      feed: null,
      adjustment: null,
      createdMs: expect.any(Number),
      updatedMs: expect.any(Number),
    };
    expect(JSON.parse(run.stdout)).toEqual([
      {
        symbol: 'EURUSD',
        timeframe: '1Hour',
        count: 5000,
        firstTimeMs: Date.UTC(2017, 3, 19, 9),
        lastTimeMs: Date.UTC(2018, 1, 7, 15),
        ...fromFile,
      },
      {
        symbol: 'GOOG',
        timeframe: '1Day',
        count: 2148,
        firstTimeMs: Date.UTC(2004, 7, 19),
        lastTimeMs: Date.UTC(2013, 2, 1),
        ...fromFile,
      },
    ]);
  });

  it('replaces an overlapping range on re-import instead of duplicating bars', async () => {
    const run = await runCli(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day', '--db', db], dir);
    expect(run.stdout).toContain('replaced 2,148 stored bars');
    const sets = JSON.parse((await runCli(['data', 'list', '--db', db, '--json'], dir)).stdout);
    expect(sets.find((s: { symbol: string }) => s.symbol === 'GOOG').count).toBe(2148);
  });

  it('runs on stored bars exactly as on the CSV file', async () => {
    const fromDb = JSON.parse(
      (await runCli(['run', '--symbol', 'GOOG', '--timeframe', '1Day', '--db', db, '--json'], dir)).stdout,
    );
    const fromCsv = JSON.parse((await runCli(['run', '--data', GOOG, '--json'], dir)).stdout);
    expect(fromDb.metrics).toEqual(fromCsv.metrics);
    expect(fromDb.bars.sha256).toBe(fromCsv.bars.sha256);
  });

  it('says how to import when a symbol has no stored bars', async () => {
    const run = await runCli(['run', '--symbol', 'AAPL', '--timeframe', '1Day', '--db', db], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/no bars for AAPL 1Day; import them with backtest data import/);
  });
});

describe('run --model', () => {
  it('takes symbol and timeframe from the file name and stores the path and SHA-256', async () => {
    const model = join(models, 'GOOG_1Day.onnx');
    const run = await runCli(['run', '--model', model, '--db', db, '--save-to-db', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      symbol: 'GOOG',
      timeframe: '1Day',
      config: { strategy: { name: 'onnx', params: { model } } },
    });
    const sha256 = createHash('sha256').update(readFileSync(model)).digest('hex');
    const row = JSON.parse((await runCli(['show', String(result.id), '--db', db, '--json'], dir)).stdout);
    expect(row).toMatchObject({ model_path: model, model_sha256: sha256, symbol: 'GOOG', timeframe: '1Day' });
    expect(row.total_trades).toBeGreaterThan(0);
  });

  it('refuses a file that is not an ONNX model, naming it', async () => {
    const bad = join(dir, 'GOOG_1Day.onnx');
    writeFileSync(bad, 'time,open\n1,2\n');
    const run = await runCli(['run', '--model', bad, '--db', db], dir);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(bad);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('models that are not ONNX', () => {
  it('refuses a .pt, .pth or .zip model in one line with a hint to export it (exit 4)', async () => {
    for (const name of ['GOOG_1Day.pt', 'GOOG_1Day.pth', 'GOOG_1Day.zip']) {
      const path = join(dir, name);
      writeFileSync(path, 'not onnx');
      const run = await runCli(['run', '--model', path, '--db', db], dir);
      expect(run.code, name).toBe(4);
      expect(run.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(run.stderr).toContain(`${path} is a`);
      expect(run.stderr).toMatch(/export it to ONNX .*src\/strategies\/onnx\/MODEL-CONTRACT\.md/);
    }
  });

  it('run --all with no .onnx file exits 3 and names what it found instead', async () => {
    const checkpoints = join(dir, 'checkpoints');
    mkdirSync(join(checkpoints, 'old'), { recursive: true });
    for (const file of ['a.pt', 'b.pt', 'c.pt', join('old', 'd.pt'), 'notes.txt']) {
      writeFileSync(join(checkpoints, file), 'x');
    }
    const run = await runCli(['run', '--all', '--models-dir', 'checkpoints', '--db', db], dir);
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toBe(
      'error: checkpoints: no .onnx model in this folder or below; found 4 .pt files (a.pt, b.pt, c.pt, …) ' +
        'and 1 .txt file (notes.txt): export the .pt files to ONNX (see src/strategies/onnx/MODEL-CONTRACT.md)',
    );

    const empty = join(dir, 'empty-models');
    mkdirSync(empty);
    const emptyRun = await runCli(['run', '--all', '--models-dir', empty, '--db', join(dir, 'never.db')], dir);
    expect(emptyRun.code).toBe(3);
    expect(emptyRun.stderr).toContain('no .onnx model in this folder or below; it holds no files');
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });
});

describe('run --all', () => {
  it('runs every model, reports failures in one line each, goes on, and exits non-zero', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(join(mixed, 'nested'), { recursive: true });
    copyFileSync(join(models, 'GOOG_1Day.onnx'), join(mixed, 'GOOG_1Day.onnx'));
    copyFileSync(join(models, 'EURUSD_1Hour.onnx'), join(mixed, 'nested', 'EURUSD_1Hour.onnx'));
    writeFileSync(join(mixed, 'GOOG_1Hour.onnx'), 'not a model'); // no bars for GOOG 1Hour either
    copyFileSync(join(models, 'GOOG_1Day.onnx'), join(mixed, 'MSFT_1Day.onnx')); // no MSFT bars
    writeFileSync(join(mixed, 'readme.onnx'), 'x'); // name does not say symbol and timeframe
    mkdirSync(join(mixed, 'broken'));
    writeFileSync(
      join(mixed, 'broken', 'GOOG_1Day.onnx'),
      readFileSync(join(models, 'GOOG_1Day.onnx')).subarray(0, 100),
    ); // truncated

    const before = JSON.parse((await runCli(['list', '--db', db, '--json', '--limit', '1000'], dir)).stdout).length;
    const run = await runCli(['run', '--all', '--models-dir', mixed, '--db', db, '--save-to-db'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed: .*MSFT_1Day\.onnx: no bars for MSFT 1Day/);
    expect(run.stderr).toMatch(/failed: .*readme\.onnx: file name must be SYMBOL_TIMEFRAME\.onnx/);
    expect(run.stderr).toMatch(/failed: .*broken\/GOOG_1Day\.onnx: .*GOOG_1Day\.onnx/);
    expect(run.stderr).toMatch(/4 of 6 models failed/);
    expect(run.stdout).toMatch(/GOOG_1Day\.onnx\s+│ GOOG\s+│ 1Day\s+│ ok/);
    expect(run.stdout).toMatch(/EURUSD_1Hour\.onnx\s+│ EURUSD\s+│ 1Hour\s+│ ok/);
    const after = JSON.parse((await runCli(['list', '--db', db, '--json', '--limit', '1000'], dir)).stdout).length;
    expect(after - before).toBe(2);
  });

  it('runs every model on its own bars from --start to --end, and fails alone a model with none there', async () => {
    const ranged = join(dir, 'ranged');
    mkdirSync(ranged, { recursive: true });
    copyFileSync(join(models, 'GOOG_1Day.onnx'), join(ranged, 'GOOG_1Day.onnx'));
    copyFileSync(join(models, 'EURUSD_1Hour.onnx'), join(ranged, 'EURUSD_1Hour.onnx'));
    const goog = await runCli(['data', 'list', '--db', db, '--json'], dir);
    const sets = JSON.parse(goog.stdout) as { symbol: string; firstTimeMs: number; lastTimeMs: number }[];
    const googSet = sets.find((set) => set.symbol === 'GOOG');
    expect(googSet).toBeDefined();
    // A year inside GOOG's bars, outside EURUSD's.
    const run = await runCli(
      ['run', '--all', '--models-dir', ranged, '--start', '2010-01-01', '--end', '2010-12-31', '--db', db, '--json'],
      dir,
    );
    expect(run.code).toBe(1);
    const outcomes = JSON.parse(run.stdout) as { symbol: string; metrics?: unknown; error?: string }[];
    const googRun = outcomes.find((o) => o.symbol === 'GOOG');
    expect(googRun?.error).toBeUndefined();
    expect(run.stderr).toMatch(
      /failed: .*EURUSD_1Hour\.onnx: .*no bars of EURUSD 1Hour from 2010-01-01 .*; the stored bars run from/,
    );
    const single = await runCli(
      [
        'run',
        '--model',
        join(ranged, 'GOOG_1Day.onnx'),
        '--start',
        '2010-01-01',
        '--end',
        '2010-12-31',
        '--db',
        db,
        '--json',
      ],
      dir,
    );
    expect(single.code).toBe(0);
    // The same bars, the same run: --all and a single run agree.
    expect(googRun?.metrics).toEqual(JSON.parse(single.stdout).metrics);
    const backwards = await runCli(
      ['run', '--all', '--models-dir', ranged, '--start', '2010-02-01', '--end', '2010-01-01', '--db', db],
      dir,
    );
    expect(backwards.code).toBe(2);
  });
});

describe('backtest demo', () => {
  it('imports the bundled bars, saves runs of every kind and prints the leaderboard', async () => {
    const demoDb = join(dir, 'demo.db');
    const run = await runCli(['demo', '--db', demoDb], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Leaderboard: top 10 saved runs by Sharpe ratio');
    expect(run.stdout).toContain('Best GOOG 1Day run per metric');
    const rows = JSON.parse((await runCli(['list', '--db', demoDb, '--json', '--limit', '1000'], dir)).stdout);
    const kinds = new Set(rows.map((r: { strategy_name: string }) => r.strategy_name));
    expect(kinds).toEqual(new Set(['buy-and-hold', 'sma-cross', 'rsi', 'onnx']));
    // The small sweep: fast 5..30 step 5 × slow 20..100 step 20, minus pairs with fast >= slow.
    const sweepRows = rows.filter((r: { sweep_id: string | null }) => r.sweep_id !== null);
    expect(sweepRows).toHaveLength(27);
    expect(new Set(sweepRows.map((r: { sweep_id: string }) => r.sweep_id)).size).toBe(1);
    // Model paths are stored resolved, so --model finds them however they are typed.
    const modelPaths = rows
      .filter((r: { model_path: string | null }) => r.model_path !== null)
      .map((r: { model_path: string }) => r.model_path)
      .sort();
    expect(modelPaths).toHaveLength(2);
    expect(modelPaths.every((path: string) => isAbsolute(path))).toBe(true);
    expect(modelPaths[0]).toMatch(/models\/rl_symbols\/EURUSD_1Hour\.onnx$/);
    expect(modelPaths[1]).toMatch(/models\/rl_symbols\/GOOG_1Day\.onnx$/);
  });
});
