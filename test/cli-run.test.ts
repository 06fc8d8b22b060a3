import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backtest run', () => {
  it('prints a metrics table with units', async () => {
    const run = await runCli(
      ['run', '--data', GOOG, '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30'],
      ROOT,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('GOOG 1Day  2004-08-19 → 2013-03-01  (2148 bars)');
    expect(run.stdout).toContain('Strategy sma-cross fast=10 slow=30 short=false');
    expect(run.stdout).toMatch(/Sharpe ratio \(annualized\)\s+│\s+-?\d+\.\d{3}/);
    expect(run.stdout).toMatch(/Max drawdown \[%\]\s+│\s+-\d+\.\d\d │/);
    expect(run.stderr).toBe('');
  });

  it('prints one JSON object with the metric names the database uses', async () => {
    const run = await runCli(['run', '--data', GOOG, '--strategy', 'buy-and-hold', '--json'], ROOT);
    expect(run.code).toBe(0);
    const parsed = JSON.parse(run.stdout);
    expect(parsed.symbol).toBe('GOOG');
    expect(parsed.timeframe).toBe('1Day');
    expect(Object.keys(parsed.metrics)).toEqual(
      expect.arrayContaining([
        'total_return',
        'sharpe_ratio',
        'max_drawdown',
        'win_rate',
        'profit_factor',
        'avg_trade_pnl',
      ]),
    );
    // One trade, bought at bar 1's open (whole shares) and closed at the last close.
    expect(parsed.trades).toHaveLength(1);
    expect(parsed.config).toMatchObject({
      initialCash: 10_000,
      fillAt: 'next-open',
      strategy: { name: 'buy-and-hold' },
    });
    expect(parsed.bars).toMatchObject({ count: 2148, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // A win with no loss: profit factor is mathematically infinite, written as a string in JSON.
    expect(parsed.metrics.profit_factor).toBe('Infinity');
  });

  it('reads the timeframe from the bar spacing and the symbol from the file name', async () => {
    const run = await runCli(['run', '--data', 'data/bars/EURUSD.csv', '--strategy', 'rsi', '--json'], ROOT);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ symbol: 'EURUSD', timeframe: '1Hour' });
  });

  it.each([
    [['run', '--data', 'missing.csv'], 3, /missing\.csv/],
    [['run', '--data', GOOG, '--strategy', 'nope'], 2, /unknown strategy "nope".*sma-cross/i],
    [['run', '--data', GOOG, '--param', 'fast=abc'], 2, /fast/],
    [['run', '--data', GOOG, '--param', 'fast=40', '--param', 'slow=30'], 2, /fast.*slow/],
    [['run', '--data', GOOG, '--commission', '2'], 2, /commission/],
    [['run', '--data', GOOG, '--cash', 'lots'], 2, /"lots" is not a number/],
    [['run', '--data', GOOG, '--timeframe', '2Day'], 2, /"2Day" is not a timeframe/],
    [['run', '--bogus'], 2, /unknown option '--bogus'/],
    [['run', '--data', GOOG, '--strategy', './missing-strategy.ts'], 4, /missing-strategy\.ts/],
  ])('rejects %j with exit %i and one clear line', async (args, code, pattern) => {
    const run = await runCli(args, dir);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
    expect(run.stdout).toBe('');
  });

  it('names the file, line and column of bad data', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'time,open,high,low,close,volume\n2024-01-01,1,2,0.5,1.5,10\n2024-01-02,1,2,0.5,abc,10\n');
    const run = await runCli(['run', '--data', bad, '--timeframe', '1Day'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/bad\.csv line 3, column close/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('shows help for every command', async () => {
    for (const command of [
      'run',
      'list',
      'best',
      'show',
      'compare',
      'rerun',
      'delete',
      'export',
      'import',
      'sweep',
      'report',
      'ui',
      'demo',
    ]) {
      const run = await runCli([command, '--help'], dir);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).toContain(`Usage: backtest ${command}`);
    }
  });
});

describe('the installed bin', () => {
  it('loads a TypeScript strategy from a folder that is not an ES module package (the README example)', () => {
    const file = join(dir, 'breakout.ts');
    copyFileSync(join(ROOT, 'examples/strategies/breakout.ts'), file);
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/backtest.js'), 'run', '--data', GOOG, '--strategy', file, '--param', 'lookback=50', '--json'],
      { encoding: 'utf8', cwd: dir },
    );
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    expect(result.config.strategy).toEqual({ name: 'breakout', params: { lookback: 50 }, module: file });
    expect(result.metrics.total_trades).toBeGreaterThan(0);
  });

  it('runs as a real process and exits non-zero with one line on error', () => {
    const ok = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/backtest.js'), 'run', '--data', GOOG, '--strategy', 'buy-and-hold', '--json'],
      {
        encoding: 'utf8',
      },
    );
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).metrics.total_trades).toBe(1);

    const bad = spawnSync(process.execPath, [join(ROOT, 'bin/backtest.js'), 'run', '--data', join(dir, 'nope.csv')], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(3);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: .*nope\.csv/);
  });
});

describe('run --json --equity-curve', () => {
  it('adds the equity curve, one point per bar, ending at final equity', async () => {
    const run = await runCli(['run', '--data', GOOG, '--strategy', 'rsi', '--json', '--equity-curve'], ROOT);
    const parsed = JSON.parse(run.stdout);
    expect(parsed.equityCurve.timeMs).toHaveLength(2148);
    expect(parsed.equityCurve.equity).toHaveLength(2148);
    expect(parsed.equityCurve.equity.at(-1)).toBe(parsed.metrics.final_equity);
    expect(parsed.equityCurve.timeMs[0]).toBe(Date.UTC(2004, 7, 19));
    const without = JSON.parse((await runCli(['run', '--data', GOOG, '--strategy', 'rsi', '--json'], ROOT)).stdout);
    expect(without.equityCurve).toBeUndefined();
  });
});
