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

describe('run when the account runs out of money', () => {
  // Flat at 100, a fall to 50, then a one-bar rally to 200. sma-cross(2, 3, short) shorts 111 units
  // at bar 5's open (90); at bar 9's close the account holds 10 000 + 111 × 90 − 111 × 200 = −2 210.
  const closes = [100, 100, 100, 100, 90, 80, 70, 60, 50, 200, 210, 220];
  const csv = closes
    .map((close, i) => {
      const open = i === 0 ? 100 : (closes[i - 1] as number);
      const day = new Date(Date.UTC(2021, 2, 1 + i)).toISOString().slice(0, 10);
      return `${day},${open},${Math.max(open, close)},${Math.min(open, close)},${close},1000`;
    })
    .join('\n');
  const args = (file: string) => [
    'run',
    '--data',
    file,
    '--strategy',
    'sma-cross',
    '--param',
    'fast=2',
    '--param',
    'slow=3',
    '--param',
    'short=true',
  ];
  const warning =
    'warning: the account ran out of money on 2021-03-10 (bar 9): every position was closed at that close and no order was placed after it\n';

  it('prints one warning line on standard error, with the tables or with --json', async () => {
    const file = join(dir, 'RALLY.csv');
    writeFileSync(file, `time,open,high,low,close,volume\n${csv}\n`);
    const text = await runCli(args(file), dir);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe(warning);
    expect(text.stdout).toMatch(/Final equity \[money\]\s+│\s+0\.00/);

    const json = await runCli([...args(file), '--json'], dir);
    expect(json.stderr).toBe(warning);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.outOfMoney).toEqual({ timeMs: Date.UTC(2021, 2, 10), barIndex: 9 });
    // Closed at bar 9's close: (90 − 200) × 111 = −12 210, more than the account held.
    expect(parsed.trades).toMatchObject([{ side: 'short', quantity: 111, exitIndex: 9, exitPrice: 200, pnl: -12_210 }]);
    expect(parsed.metrics).toMatchObject({ final_equity: 0, total_return: -100, max_drawdown: -100 });
  });

  it('writes outOfMoney as null in --json when the account kept its money', async () => {
    const run = await runCli(['run', '--data', GOOG, '--strategy', 'buy-and-hold', '--json'], ROOT);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).outOfMoney).toBeNull();
  });
});
