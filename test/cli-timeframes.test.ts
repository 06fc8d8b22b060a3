/**
 * Timeframes and symbols as real data comes: any Alpaca timeframe inferred from the bars,
 * aliases on input stored canonically, contradictions refused, files of several symbols split.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { barsCsvText, dailyBarTimes, sessionBarTimes, tradingDays } from '../src/data/market-calendar.test-support.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EURUSD = join(ROOT, 'data/bars/EURUSD.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-timeframes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Six weeks of US trading days, across the March clock change. */
const DAYS = tradingDays('2024-02-26', '2024-04-05');
const THIRTY_MINUTE_BARS = sessionBarTimes(DAYS, 30);
writeFileSync(join(dir, 'MSFT.csv'), barsCsvText(THIRTY_MINUTE_BARS));
writeFileSync(join(dir, 'NVDA_1h.csv'), barsCsvText(sessionBarTimes(DAYS, 60), { seed: 2 }));

/** One file of daily bars of three symbols, rows interleaved by time. */
const universe = ['NVDA', 'AAPL', 'MSFT'].map((symbol, i) =>
  barsCsvText(dailyBarTimes(DAYS), { symbol, seed: i + 3 })
    .trim()
    .split('\n')
    .slice(1),
);
writeFileSync(
  join(dir, 'data.csv'),
  `symbol,time,open,high,low,close,volume\n${universe[0]!.flatMap((_, row) => universe.map((rows) => rows[row])).join('\n')}\n`,
);

describe('timeframes', () => {
  it('runs 30-minute bars with the timeframe inferred as 30Min', async () => {
    const run = await runCli(['run', '--data', 'MSFT.csv', '--strategy', 'sma-cross', '--json'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      symbol: 'MSFT',
      timeframe: '30Min',
      bars: { count: THIRTY_MINUTE_BARS.length },
    });
  });

  it('accepts --timeframe 1h on hourly data and records 1Hour', async () => {
    const db = join(dir, 'hourly.db');
    const run = await runCli(
      ['run', '--data', EURUSD, '--timeframe', '1h', '--strategy', 'rsi', '--save-to-db', '--db', db, '--json'],
      dir,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ symbol: 'EURUSD', timeframe: '1Hour' });
    const list = await runCli(['list', '--db', db, '--json'], dir);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).map((row: { timeframe: string }) => row.timeframe)).toEqual(['1Hour']);
  });

  it('takes symbol and timeframe from a SYMBOL_TIMEFRAME.csv name', async () => {
    const run = await runCli(['run', '--data', 'NVDA_1h.csv', '--strategy', 'rsi', '--json'], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ symbol: 'NVDA', timeframe: '1Hour' });
  });

  it('refuses a --timeframe the bar spacing contradicts, in one line naming both', async () => {
    const run = await runCli(['run', '--data', 'NVDA_1h.csv', '--timeframe', '1Day'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --timeframe 1Day contradicts the bars of NVDA_1h.csv, whose spacing is 1Hour\n');
    expect(run.stdout).toBe('');
  });

  it('imports 30-minute bars and runs them from the database with --timeframe 30min', async () => {
    const db = join(dir, 'thirty.db');
    const imported = await runCli(['data', 'import', 'MSFT.csv', '--db', db], dir);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported \d[\d,]* bars for MSFT 30Min /);
    const run = await runCli(['run', '--symbol', 'MSFT', '--timeframe', '30min', '--db', db, '--json'], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ symbol: 'MSFT', timeframe: '30Min' });
  });

  it('lists the accepted forms when --timeframe is not one', async () => {
    const run = await runCli(['run', '--data', 'MSFT.csv', '--timeframe', '90Min'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"90Min" is not a timeframe; use NMin \(1-59\), NHour \(1-23\), 1Day/);
  });
});

describe('files of several symbols', () => {
  it('run asks for --symbol and lists the symbols found', async () => {
    const run = await runCli(['run', '--data', 'data.csv'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: data.csv holds 3 symbols (AAPL, MSFT, NVDA); pick one with --symbol\n');
  });

  it("run --symbol runs that symbol's rows", async () => {
    const run = await runCli(['run', '--data', 'data.csv', '--symbol', 'msft', '--json'], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ symbol: 'MSFT', timeframe: '1Day', bars: { count: DAYS.length } });
  });

  it('data import stores one bar set per symbol, one line each', async () => {
    const db = join(dir, 'universe.db');
    const imported = await runCli(['data', 'import', 'data.csv', '--db', db], dir);
    expect(imported.code).toBe(0);
    const lines = imported.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => line.replace(/ \(.*$/, ''))).toEqual([
      `Imported ${DAYS.length} bars for AAPL 1Day`,
      `Imported ${DAYS.length} bars for MSFT 1Day`,
      `Imported ${DAYS.length} bars for NVDA 1Day`,
    ]);
    const list = await runCli(['data', 'list', '--db', db, '--json'], dir);
    expect(JSON.parse(list.stdout).map((set: { symbol: string }) => set.symbol)).toEqual(['AAPL', 'MSFT', 'NVDA']);
  });
});
