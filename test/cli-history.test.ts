import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-history-'));
const db = join(dir, 'runs.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Saves the four runs every test below reads: ids 1..4 in this order. */
beforeAll(async () => {
  const runs = [
    ['--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30', '--notes', 'baseline'],
    ['--strategy', 'sma-cross', '--param', 'fast=5', '--param', 'slow=50', '--commission', '0.001'],
    ['--strategy', 'rsi'],
    ['--strategy', 'buy-and-hold'],
  ];
  for (const [i, args] of runs.entries()) {
    const run = await runCli(['run', '--data', GOOG, '--db', db, '--save-to-db', ...args], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Saved backtest to database with id=${i + 1}`);
  }
});

const json = async (args: string[]) => {
  const run = await runCli([...args, '--db', db, '--json'], dir);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

describe('history commands on a real database', () => {
  it('lists newest first, filters and sorts by a metric', async () => {
    const rows = await json(['list']);
    expect(rows.map((r: { id: number }) => r.id)).toEqual([4, 3, 2, 1]);
    expect(rows[3]).toMatchObject({ symbol: 'GOOG', timeframe: '1Day', notes: 'baseline', strategy_name: 'sma-cross' });

    const bySharpe = await json(['list', '--sort', 'sharpe_ratio']);
    const sharpes = bySharpe.map((r: { sharpe_ratio: number }) => r.sharpe_ratio);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));

    expect(await json(['list', '--symbol', 'EURUSD'])).toEqual([]);
    expect((await json(['list', '--limit', '2'])).length).toBe(2);
  });

  it('prints the list as a table with units in the headers', async () => {
    const run = await runCli(['list', '--db', db], dir);
    expect(run.stdout).toMatch(/Return \[%\].*Max DD \[%\]/);
    expect(run.stdout).toContain('sma-cross fast=10 short=false slow=30');
  });

  it('finds the best run by each metric in its right direction', async () => {
    const all = await json(['list']);
    const best = async (metric: string) => (await json(['best', 'GOOG', '1Day', '--metric', metric])).id;
    const byMax = (key: string) =>
      all.reduce((a: Record<string, number>, b: Record<string, number>) =>
        (b[key] as number) > (a[key] as number) ? b : a,
      ).id;
    const byMin = (key: string) =>
      all.reduce((a: Record<string, number>, b: Record<string, number>) =>
        (b[key] as number) < (a[key] as number) ? b : a,
      ).id;
    expect(await best('sharpe_ratio')).toBe(byMax('sharpe_ratio'));
    expect(await best('total_return')).toBe(byMax('total_return'));
    // Drawdowns are negative: best is the one closest to zero, i.e. the largest value.
    expect(await best('max_drawdown')).toBe(byMax('max_drawdown'));
    expect(await best('volatility')).toBe(byMin('volatility'));
    // buy-and-hold never lost: infinite profit factor beats every finite one.
    expect(await best('profit_factor')).toBe(4);
  });

  it('says clearly when there is no best run', async () => {
    const run = await runCli(['best', 'AAPL', '1Hour', '--db', db], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No saved run for AAPL 1Hour');
    expect(await json(['best', 'AAPL', '1Hour'])).toBeNull();
  });

  it('shows every stored field with the config pretty-printed', async () => {
    const run = await runCli(['show', '1', '--db', db], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/bars_sha256\s+│ [0-9a-f]{64}/);
    expect(run.stdout).toContain('"initialCash": 10000');
    // 2,148 bars downsampled for charts to at most 300 points.
    const points = Number(/equity curve points stored\s+│ (\d+)/.exec(run.stdout)?.[1]);
    expect(points).toBeGreaterThan(100);
    expect(points).toBeLessThanOrEqual(300);
  });

  it('compares runs with the best value of each row marked and differing config keys', async () => {
    const run = await runCli(['compare', '1', '2', '--db', db], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Sharpe ratio \(annualized\)\s+│\s+[\d.]+ \*\s+│\s+[\d.]+\s+│/);
    expect(run.stdout).toMatch(/strategy\.params\.fast\s+│\s+10\s+│\s+5/);
    expect(run.stdout).toMatch(/commission\s+│\s+0\s+│\s+0\.001/);
    const parsed = await json(['compare', '1', '2', '3']);
    expect(parsed.runs.map((r: { id: number }) => r.id)).toEqual([1, 2, 3]);
    expect(parsed.configDifferences.map((d: { key: string }) => d.key)).toContain('strategy.name');
  });

  it('exports and imports runs without losing a field', async () => {
    const out = join(dir, 'runs.json');
    expect((await runCli(['export', '--format', 'json', '--out', out, '--db', db], dir)).code).toBe(0);
    const other = join(dir, 'other.db');
    const run = await runCli(['import', out, '--db', other], dir);
    expect(run.stdout).toContain('Imported 4 runs');
    const original = await json(['list']);
    const copy = JSON.parse((await runCli(['list', '--db', other, '--json'], dir)).stdout);
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ id: _id, ...rest }) => rest);
    expect(strip(copy)).toEqual(strip(original));

    const csv = (await runCli(['export', '--db', db], dir)).stdout;
    expect(csv.split('\n')[0]).toMatch(/^id,symbol,timeframe,model_path,run_timestamp/);
  });

  it('deletes only with confirmation and only ids that all exist', async () => {
    const scratch = join(dir, 'scratch.db');
    await runCli(['run', '--data', GOOG, '--db', scratch, '--save-to-db', '--strategy', 'buy-and-hold'], dir);
    expect((await runCli(['delete', '1', '--db', scratch], dir)).code).toBe(2);
    const unknown = await runCli(['delete', '1', '99', '--yes', '--db', scratch], dir);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('no saved run with id 99; nothing was deleted');
    expect((await runCli(['delete', '1', '--yes', '--db', scratch], dir)).stdout).toContain('Deleted 1 run.');
    expect(JSON.parse((await runCli(['list', '--db', scratch, '--json'], dir)).stdout)).toEqual([]);
  });
});

describe('history commands on bad databases', () => {
  it('does not create a database for a read command', async () => {
    const missing = join(dir, 'missing.db');
    const run = await runCli(['list', '--db', missing], dir);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^error: no database at .*missing\.db/);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a file that is not a database and leaves it untouched', async () => {
    const notDb = join(dir, 'notes.db');
    writeFileSync(notDb, 'just some text, not SQLite\n'.repeat(200));
    const before = readFileSync(notDb);
    for (const args of [['list'], ['run', '--data', GOOG, '--save-to-db']]) {
      const run = await runCli([...args, '--db', notDb], dir);
      expect(run.code).toBe(5);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('notes.db');
    }
    expect(readFileSync(notDb).equals(before)).toBe(true);
  });

  it('refuses a database with a newer schema', async () => {
    const newer = join(dir, 'newer.db');
    const raw = new Database(newer);
    raw.pragma('user_version = 999');
    raw.close();
    const run = await runCli(['list', '--db', newer], dir);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/newer/);
  });

  it('reports an unknown id and an unknown metric in one line each', async () => {
    const show = await runCli(['show', '99', '--db', db], dir);
    expect(show.code).toBe(5);
    expect(show.stderr).toMatch(/99/);
    const best = await runCli(['best', 'GOOG', '1Day', '--metric', 'bogus', '--db', db], dir);
    expect(best.code).toBe(2);
    expect(best.stderr).toMatch(/cannot rank by "bogus"; use one of total_return, .*sharpe_ratio/);
    const sort = await runCli(['list', '--sort', 'bogus', '--db', db], dir);
    expect(sort.code).toBe(2);
  });

  it('uses BACKTEST_DB when --db is not given', async () => {
    const run = await runCli(['list', '--json'], dir, { env: { BACKTEST_DB: db } });
    expect(JSON.parse(run.stdout)).toHaveLength(4);
  });
});
