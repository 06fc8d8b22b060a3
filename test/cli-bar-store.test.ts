/**
 * The chunked bar store from the command line: `data list` with where bars came from, `data
 * delete`, `run` and `sweep` on a time range (`--start`, `--end`) of stored or file bars, and a
 * set of another feed refusing file bars.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBarSeries } from '../src/core/bars.js';
import { TradingDatabase } from '../src/store/sqlite/index.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-bar-store-'));
const db = join(dir, 'runs.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ok(args: readonly string[], options: Parameters<typeof runCli>[2] = {}) {
  const run = await runCli(args, dir, options);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

beforeAll(async () => {
  await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day', '--db', db]);
  // A fetched set, as `data fetch` stores it: crypto pair with a slash, source and (no) feed.
  const store = TradingDatabase.open(db);
  const n = 48;
  const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  store.importBars(
    createBarSeries('BTC/USD', '1Hour', {
      timeMs: column((i) => Date.UTC(2024, 0, 1, i)),
      open: column((i) => 40_000 + i),
      high: column((i) => 40_010 + i),
      low: column((i) => 39_990 + i),
      close: column((i) => 40_005 + i),
      volume: column(() => 1.5),
    }),
    { source: 'alpaca', feed: null, adjustment: null },
  );
  store.importBars(
    createBarSeries('AAPL', '1Day', {
      timeMs: column((i) => Date.UTC(2024, 0, 1 + i)),
      open: column((i) => 180 + i),
      high: column((i) => 181 + i),
      low: column((i) => 179 + i),
      close: column((i) => 180.5 + i),
      volume: column(() => 1000),
    }),
    { source: 'alpaca', feed: 'iex', adjustment: 'raw' },
  );
  store.close();
});

describe('data list', () => {
  it('shows where each set came from', async () => {
    const table = (await ok(['data', 'list', '--db', db])).stdout;
    const cells = (line: string) =>
      line
        .split('│')
        .slice(1, -1)
        .map((cell) => cell.trim());
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map(cells);
    expect(rows).toEqual([
      ['Symbol', 'Timeframe', 'Source', 'Feed', 'Adjustment', 'Bars', 'First (UTC)', 'Last (UTC)'],
      ['AAPL', '1Day', 'alpaca', 'iex', 'raw', '48', '2024-01-01', '2024-02-17'],
      ['BTC/USD', '1Hour', 'alpaca', '-', '-', '48', '2024-01-01', '2024-01-02 23:00'],
      ['GOOG', '1Day', 'file', '-', '-', '2,148', '2004-08-19', '2013-03-01'],
    ]);
    const json = JSON.parse((await ok(['data', 'list', '--db', db, '--json'])).stdout);
    expect(json.find((s: { symbol: string }) => s.symbol === 'AAPL')).toMatchObject({
      source: 'alpaca',
      feed: 'iex',
      adjustment: 'raw',
    });
  });
});

describe('data import into a fetched set', () => {
  it('is refused with one line naming both feeds and how to start over', async () => {
    const run = await runCli(['data', 'import', GOOG, '--symbol', 'AAPL', '--timeframe', '1Day', '--db', db], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: AAPL 1Day holds bars of feed iex; refusing bars without a feed (delete the set first: backtest data delete AAPL 1Day)\n',
    );
  });
});

describe('run and sweep on a time range', () => {
  it('run --start/--end on stored bars equals the same range of the file, and reads the same bars', async () => {
    const range = ['--start', '2008-01-01', '--end', '2009-12-31'];
    const stored = JSON.parse(
      (await ok(['run', '--symbol', 'goog', '--timeframe', '1d', ...range, '--db', db, '--json'])).stdout,
    );
    const file = JSON.parse((await ok(['run', '--data', GOOG, ...range, '--json'])).stdout);
    expect(stored.bars).toEqual(file.bars);
    expect(stored.metrics).toEqual(file.metrics);
    expect(stored.bars.count).toBe(505);
    expect(stored.bars.firstTimeMs).toBe(Date.UTC(2008, 0, 2));
    expect(stored.bars.lastTimeMs).toBe(Date.UTC(2009, 11, 31));
  });

  it('--end alone takes a whole day; --start alone runs to the last bar', async () => {
    const hours = JSON.parse(
      (
        await ok([
          'run',
          '--symbol',
          'BTCUSD',
          '--timeframe',
          '1Hour',
          '--end',
          '2024-01-01',
          '--strategy',
          'buy-and-hold',
          '--db',
          db,
          '--json',
        ])
      ).stdout,
    );
    expect(hours.symbol).toBe('BTC/USD');
    expect(hours.bars.count).toBe(24);
    const tail = JSON.parse(
      (
        await ok([
          'run',
          '--symbol',
          'BTC-USD',
          '--timeframe',
          '1Hour',
          '--start',
          '2024-01-02T12:00',
          '--db',
          db,
          '--json',
        ])
      ).stdout,
    );
    expect(tail.bars).toMatchObject({ count: 12, firstTimeMs: Date.UTC(2024, 0, 2, 12) });
  });

  it('sweep --start/--end runs every combination on the range', async () => {
    const sweep = await ok([
      'sweep',
      '--symbol',
      'GOOG',
      '--timeframe',
      '1Day',
      '--start',
      '2010-01-01',
      '--end',
      '2010-12-31',
      '--grid',
      'fast=5,10',
      '--grid',
      'slow=30',
      '--workers',
      '1',
      '--save-to-db',
      '--db',
      db,
      '--json',
    ]);
    const { sweepId, saved } = JSON.parse(sweep.stdout);
    expect(saved).toBe(2);
    const reader = TradingDatabase.open(db, { readonly: true });
    try {
      const runs = reader.getBacktestResults({ sweepId });
      expect(runs.map((r) => [r.bars_count, r.bars_first_time_ms, r.bars_last_time_ms])).toEqual([
        [252, Date.UTC(2010, 0, 4), Date.UTC(2010, 11, 31)],
        [252, Date.UTC(2010, 0, 4), Date.UTC(2010, 11, 31)],
      ]);
      expect(reader.getSweep(sweepId)?.definition.bars).toMatchObject({ count: 252 });
    } finally {
      reader.close();
    }
    // Resumed, it runs on the same range of the stored set (whose bars reach well beyond it).
    const writer = TradingDatabase.open(db);
    const [, second] = writer.getBacktestResults({ sweepId });
    writer.deleteBacktest(second?.id as number);
    writer.updateSweep(sweepId, { status: 'interrupted', done: 1 });
    writer.close();
    const resumed = JSON.parse(
      (await ok(['sweeps', 'resume', sweepId, '--workers', '1', '--db', db, '--json'])).stdout,
    );
    expect(resumed).toMatchObject({ completed: 1, saved: 1, status: 'completed' });
  });

  it('says what is stored when the range holds no bar, and refuses an end before the start', async () => {
    const empty = await runCli(
      ['run', '--symbol', 'GOOG', '--timeframe', '1Day', '--start', '2020-01-01', '--db', db],
      dir,
    );
    expect(empty.code).toBe(3);
    expect(empty.stderr).toBe(
      `error: ${db}: no bars of GOOG 1Day from 2020-01-01; the stored bars run from 2004-08-19 to 2013-03-01\n`,
    );
    const fileEmpty = await runCli(['run', '--data', GOOG, '--end', '2000-01-01'], dir);
    expect(fileEmpty.code).toBe(3);
    expect(fileEmpty.stderr).toMatch(
      /no bars of GOOG 1Day up to 2000-01-01 23:59; its bars run from 2004-08-19 to 2013-03-01/,
    );
    const backwards = await runCli(['run', '--data', GOOG, '--start', '2010-01-02', '--end', '2010-01-01'], dir);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/--end 2010-01-01 23:59 is before --start 2010-01-02/);
  });
});

describe('data delete', () => {
  it('asks first, deletes the set by any spelling, and says when there is none', async () => {
    const scratch = join(dir, 'scratch.db');
    await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day', '--db', scratch]);
    const unasked = await runCli(['data', 'delete', 'GOOG', '1Day', '--db', scratch], dir);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toBe('error: not deleting 2,148 bars of GOOG 1Day without confirmation; pass --yes\n');
    const declined = await ok(['data', 'delete', 'goog', 'D', '--db', scratch], {
      interactive: true,
      answers: [false],
    });
    expect(declined.stderr).toBe('Nothing deleted.\n');
    const deleted = await ok(['data', 'delete', 'goog', '1d', '--db', scratch], { interactive: true, answers: [true] });
    expect(deleted.stdout).toBe('Deleted 2,148 bars of GOOG 1Day.\n');
    const again = await runCli(['data', 'delete', 'GOOG', '1Day', '--yes', '--db', scratch], dir);
    expect(again.code).toBe(5);
    expect(again.stderr).toBe('error: no stored bars for GOOG 1Day; nothing was deleted (see backtest data list)\n');
    expect(JSON.parse((await ok(['data', 'list', '--db', scratch, '--json'])).stdout)).toEqual([]);
  });

  it('deletes a pair named without its slash, and never creates a missing database', async () => {
    const copy = join(dir, 'pairs.db');
    const store = TradingDatabase.open(copy);
    store.importBars(
      createBarSeries('BTC/USD', '1Hour', {
        timeMs: new Float64Array([0, 3_600_000]),
        open: new Float64Array([1, 2]),
        high: new Float64Array([1, 2]),
        low: new Float64Array([1, 2]),
        close: new Float64Array([1, 2]),
        volume: new Float64Array([1, 2]),
      }),
    );
    store.close();
    expect((await ok(['data', 'delete', 'BTCUSD', '1h', '--yes', '--db', copy])).stdout).toBe(
      'Deleted 2 bars of BTC/USD 1Hour.\n',
    );
    const missing = join(dir, 'missing.db');
    const run = await runCli(['data', 'delete', 'GOOG', '1Day', '--yes', '--db', missing], dir);
    expect(run.code).toBe(5);
    expect(existsSync(missing)).toBe(false);
  });
});
