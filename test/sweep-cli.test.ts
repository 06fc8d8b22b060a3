import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, DataError, UsageError } from '../src/core/errors.js';
import { generateSyntheticBars, writeBarsCsv } from '../src/data/index.js';
import { TradingDatabase } from '../src/store/sqlite/index.js';
import type { CliIO } from '../src/cli/cli-io.js';
import { type SweepCommandOptions, sweepCommand } from '../src/cli/commands/sweep.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The flags commander would give with only the defaults, plus `overrides`. */
function flags(overrides: Partial<SweepCommandOptions>): SweepCommandOptions {
  return {
    strategy: 'sma-cross',
    grid: [],
    metric: 'sharpe_ratio',
    top: 10,
    cash: 10_000,
    commission: 0,
    fixedFee: 0,
    slippageBps: 0,
    size: 1,
    fractional: false,
    fillAt: 'next-open',
    riskFreeRate: 0,
    saveToDb: false,
    json: false,
    ...overrides,
  };
}

async function sweep(
  overrides: Partial<SweepCommandOptions>,
): Promise<{ stdout: string; stderr: string; error?: unknown }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    cwd: dir,
    env: {},
    interactive: false,
    confirm: async () => false,
  };
  try {
    await sweepCommand(flags(overrides), io);
    return { stdout, stderr };
  } catch (error) {
    return { stdout, stderr, error };
  }
}

describe('backtest sweep', () => {
  it('saves every run under one sweep id and prints the same top list as the database', {
    timeout: 60_000,
  }, async () => {
    const db = join(dir, 'json.db');
    const run = await sweep({
      data: GOOG,
      grid: ['fast=5..20:5', 'slow=20..60:20'],
      where: 'slow - fast >= 20',
      workers: 2,
      saveToDb: true,
      db,
      json: true,
      metric: 'total_return',
      top: 3,
    });
    expect(run.error).toBeUndefined();
    const printed = JSON.parse(run.stdout);
    // fast {5,10,15,20} × slow {20,40,60} = 12; fast=20/slow=20 fails fast < slow; slow - fast >= 20
    // then drops the other three with slow=20 (gaps 15, 10, 5) and keeps all with slow 40 or 60: 8 runs.
    expect(printed).toMatchObject({
      total: 8,
      completed: 8,
      failed: 0,
      saved: 8,
      skippedByCheck: 1,
      skippedByWhere: 3,
    });
    const store = TradingDatabase.open(db, { readonly: true });
    try {
      expect(store.countBacktestResults({ sweepId: printed.sweepId })).toBe(8);
      expect(store.countBacktestResults()).toBe(8);
      const ranked = store.getBacktestResults({ sweepId: printed.sweepId, sort: 'total_return', limit: 3 });
      expect(printed.top.map((row: { id: number }) => row.id)).toEqual(ranked.map((row) => row.id));
      expect(printed.top.map((row: { metrics: { total_return: number } }) => row.metrics.total_return)).toEqual(
        ranked.map((row) => row.total_return),
      );
      expect(printed.top[0]).toMatchObject({
        rank: 1,
        params: { fast: expect.any(Number), slow: expect.any(Number), short: false },
      });
    } finally {
      store.close();
    }
  });

  it('prints the plan, a summary and the top table, and saves nothing without --save-to-db', {
    timeout: 60_000,
  }, async () => {
    const db = join(dir, 'untouched.db');
    const run = await sweep({ data: GOOG, grid: ['fast=5,10', 'slow=30'], workers: 1, db, top: 5 });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toMatch(/^Sweep sweep-\d{8}-\d{6}-[0-9a-f]{6}: 2 of 2 combinations of sma-cross, on 1 worker\n/);
    expect(run.stdout).toMatch(/Ran 2 of 2 runs in \d+\.\d s \(\d+ runs\/s\): 2 completed, 0 failed, not saved/);
    expect(run.stdout).toContain('Top 2 by Sharpe ratio (annualized)');
    expect(run.stdout).toMatch(/│ # │ fast │ slow │ Sharpe ratio/);
    expect(run.stderr).toBe('');
    expect(() => readFileSync(db)).toThrow(/ENOENT/);
  });

  it('fails with a usage error without --grid, and with a clear error when the database has no bars', async () => {
    const noGrid = await sweep({ data: GOOG });
    expect(noGrid.error).toBeInstanceOf(UsageError);
    expect((noGrid.error as Error).message).toMatch(/pass at least one --grid/);

    const db = join(dir, 'empty.db');
    TradingDatabase.open(db).close();
    const noBars = await sweep({ symbol: 'GOOG', timeframe: '1Day', db, grid: ['fast=5'] });
    expect(noBars.error).toBeInstanceOf(DataError);
    expect((noBars.error as Error).message).toContain(
      'no bars for GOOG 1Day; import them with backtest data import FILE --symbol GOOG --timeframe 1Day, or pass --data FILE',
    );
    expect((noBars.error as Error).message).toContain(db);
  });

  it('exits non-zero when runs fail, listing them, after running the rest', { timeout: 60_000 }, async () => {
    writeFileSync(
      join(dir, 'fragile.mjs'),
      `export default {
        name: 'fragile', description: 'throws for n = 2',
        params: [{ name: 'n', type: 'integer', default: 1, description: 'n' }],
        create(params) { if (params.n === 2) throw new Error('n = 2 is not supported'); return { onBar: () => 1 }; },
      };\n`,
    );
    const run = await sweep({
      data: GOOG,
      strategy: 'fragile.mjs',
      grid: ['n=1..3'],
      workers: 1,
      metric: 'total_return',
    });
    expect(run.error).toBeInstanceOf(AppError);
    expect((run.error as AppError).exitCode).toBe(1);
    expect((run.error as Error).message).toBe('1 of 3 sweep runs failed (see above)');
    expect(run.stdout).toContain('2 completed, 1 failed');
    expect(run.stderr).toMatch(/^failed: n=2: .*n = 2 is not supported\n$/);
  });
});

describe('backtest sweep, spawned', () => {
  it('Ctrl-C after the first saves exits 130 with exactly the printed number of rows saved', {
    timeout: 120_000,
  }, async () => {
    // 50,000 bars make each run take milliseconds, so the 1,000-run sweep is still going when interrupted.
    const data = join(dir, 'SYN.csv');
    writeFileSync(
      data,
      writeBarsCsv(generateSyntheticBars({ count: 50_000, seed: 7, symbol: 'SYN', timeframe: '1Hour' })),
    );
    const db = join(dir, 'sigint.db');
    TradingDatabase.open(db).close();
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/backtest.js'),
        'sweep',
        '--data',
        data,
        '--grid',
        'fast=1..40',
        '--grid',
        'slow=55..295:10',
        '--workers',
        '2',
        '--save-to-db',
        '--db',
        db,
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const reader = TradingDatabase.open(db, { readonly: true });
    try {
      const deadline = Date.now() + 60_000;
      while (reader.countBacktestResults() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(reader.countBacktestResults()).toBeGreaterThan(0);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const match = /Interrupted: (\d+) of (\d+) runs saved \(sweep id (sweep-[\w-]+)\)/.exec(stderr);
      expect(match, stderr).not.toBeNull();
      const [, saved, total, sweepId] = match as RegExpExecArray;
      expect(Number(total)).toBe(1000);
      expect(Number(saved)).toBeLessThan(1000);
      expect(reader.countBacktestResults({ sweepId: sweepId as string })).toBe(Number(saved));
      expect(reader.countBacktestResults()).toBe(Number(saved));
    } finally {
      reader.close();
    }
  });
});
