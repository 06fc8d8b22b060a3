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

const json = async (args: string[], database = db) => {
  const run = await runCli([...args, '--db', database, '--json'], dir);
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

  it('fits list and compare into the terminal width; --wide shows every column', async () => {
    // Table lines only: the note under a table is plain text, which a terminal wraps harmlessly.
    const widest = (text: string) =>
      Math.max(
        ...text
          .split('\n')
          .filter((line) => /^[┌│├└]/.test(line))
          .map((line) => [...line].length),
      );
    const narrow = await runCli(['list', '--db', db], dir, { columns: 80 });
    expect(narrow.code).toBe(0);
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(80);
    const header = narrow.stdout.split('\n')[1];
    expect(header).toContain('Return [%]');
    expect(header).not.toContain('Trades');
    expect(narrow.stdout).toMatch(/^Hidden to fit: .*Trades \(--wide shows all\)$/m);

    // The sort metric is never dropped, even where it would be first to go.
    const sorted = await runCli(['list', '--sort', 'total_trades', '--db', db], dir, { columns: 80 });
    expect(sorted.stdout).toMatch(/│ Trades │/);

    const wide = await runCli(['list', '--wide', '--db', db], dir, { columns: 80 });
    expect(widest(wide.stdout)).toBeGreaterThan(80);
    expect(wide.stdout).toContain('sma-cross fast=10 short=false slow=30');
    expect(wide.stdout).not.toContain('Hidden');

    const compare = await runCli(['compare', '1', '2', '3', '4', '--db', db], dir, { columns: 80 });
    expect(compare.code).toBe(0);
    expect(widest(compare.stdout)).toBeLessThanOrEqual(80);
    expect(compare.stdout).toMatch(/│\s+#1 │\s+#2 │\s+#3 │\s+#4 │/);
    const compareWide = await runCli(['compare', '1', '2', '3', '4', '--wide', '--db', db], dir, { columns: 80 });
    expect(compareWide.stdout).toContain('sma-cross fast=10 short=false slow=30');
  });

  it('finds the best run by each metric in its right direction', async () => {
    const all = await json(['list']);
    const best = async (metric: string) => (await json(['best', 'GOOG', '1Day', '--metric', metric])).best.id;
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

  it('says clearly when there is no best run, exiting 1', async () => {
    const run = await runCli(['best', 'AAPL', '1Hour', '--db', db], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: no saved run of AAPL 1Hour qualifies for best by total_return: ranked 0 of 0 saved runs (0 without a total_return value, 0 with fewer than 1 trade left out)\n',
    );
    const asJson = await runCli(['best', 'AAPL', '1Hour', '--db', db, '--json'], dir);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toEqual({
      best: null,
      matching: 0,
      withValue: 0,
      ranked: 0,
      minTrades: 1,
      trials: 0,
      minDsr: null,
      deflatedSharpe: null,
      sample: 'is',
    });
  });

  it('prints the deflated Sharpe ratio of the best run over every run it was chosen from', async () => {
    const run = await runCli(['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--db', db], dir);
    expect(run.code, run.stderr).toBe(0);
    const report = await json(['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio']);
    expect(report).toMatchObject({ matching: 4, trials: 4, minDsr: null });
    const dsr = report.deflatedSharpe;
    expect(dsr).toMatchObject({ runId: report.best.id, trials: 4, sharpeCount: 4, assumedNormal: false });
    expect(dsr.observations).toBe(report.best.returns_count);
    expect(dsr.skewness).toBe(report.best.returns_skewness);
    expect(dsr.probability).toBeGreaterThan(0);
    expect(dsr.probability).toBeLessThan(1);
    const line = run.stdout.split('\n').find((l) => l.startsWith('Deflated Sharpe ratio'));
    expect(line).toMatch(
      /^Deflated Sharpe ratio (0\.\d{3}|> 0\.999|< 0\.001): a probability of [^ ]+% that this run's true Sharpe ratio is above -?\d+\.\d{3} \(annualized\), which the best of 4 runs without any edge would reach by luck alone\.$/,
    );

    // --min-dsr: a probability above the winner's turns it down with one line and exit 1.
    const refused = await runCli(
      ['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--min-dsr', '1', '--db', db],
      dir,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: no saved run of GOOG 1Day qualifies for best by sharpe_ratio with --min-dsr 1: the best, id=${report.best.id}, ` +
        `has a deflated Sharpe ratio of ${dsr.probability.toFixed(3)} over 4 runs\n`,
    );
    const refusedJson = await runCli(
      ['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--min-dsr', '1', '--db', db, '--json'],
      dir,
    );
    expect(refusedJson.code).toBe(1);
    expect(JSON.parse(refusedJson.stdout)).toMatchObject({
      best: null,
      minDsr: 1,
      deflatedSharpe: { runId: report.best.id },
    });
    expect((await json(['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--min-dsr', '0'])).best.id).toBe(
      report.best.id,
    );
    const bad = await runCli(['best', 'GOOG', '1Day', '--min-dsr', '1.5', '--db', db], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"1.5" is not a probability from 0 to 1');
  });

  it('leaves out runs that never traded unless --min-trades 0, and says how many it ranked', async () => {
    const scratch = join(dir, 'trades.db');
    // A long threshold that is never crossed: no trade, a perfect 0 % drawdown.
    await runCli(
      ['run', '--data', GOOG, '--strategy', 'rsi', '--param', 'lower=1', '--db', scratch, '--save-to-db'],
      dir,
    );
    await runCli(['run', '--data', GOOG, '--db', scratch, '--save-to-db'], dir);
    const ranked = await runCli(['best', 'goog', '1d', '--metric', 'max_drawdown', '--db', scratch], dir);
    expect(ranked.code).toBe(0);
    expect(ranked.stdout).toContain('id=2');
    expect(ranked.stdout).toContain(
      'Considered: ranked 1 of 2 saved runs (0 without a max_drawdown value, 1 with fewer than 1 trade left out).',
    );
    const all = JSON.parse(
      (
        await runCli(
          ['best', 'GOOG', '1Day', '--metric', 'max_drawdown', '--min-trades', '0', '--db', scratch, '--json'],
          dir,
        )
      ).stdout,
    );
    expect(all).toMatchObject({ best: { id: 1, total_trades: 0, max_drawdown: 0 }, ranked: 2 });
    const listed = JSON.parse((await runCli(['list', '--min-trades', '1', '--db', scratch, '--json'], dir)).stdout);
    expect(listed.map((r: { id: number }) => r.id)).toEqual([2]);
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
    expect(run.stdout).toContain('4 imported, 0 already present');
    expect(run.stdout).toContain('New ids: 1-4');
    const again = await runCli(['import', out, '--db', other], dir);
    expect(again.stdout).toContain('0 imported, 4 already present');
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

describe('a database written by the older Python tool', () => {
  // The issue's DDL written out here on purpose rather than imported from the store: the test
  // must hold the store to the older tool's schema, not to whatever the store declares.
  const LEGACY_DDL = `
    CREATE TABLE IF NOT EXISTS backtest_results (
      id INTEGER PRIMARY KEY AUTOINCREMENT, symbol TEXT NOT NULL, timeframe TEXT NOT NULL,
      model_path TEXT, run_timestamp INTEGER NOT NULL, start_date INTEGER NOT NULL, end_date INTEGER NOT NULL,
      initial_capital REAL NOT NULL, final_equity REAL NOT NULL, total_return REAL NOT NULL,
      sharpe_ratio REAL, max_drawdown REAL, win_rate REAL, profit_factor REAL, total_trades INTEGER,
      avg_trade_pnl REAL, config_json TEXT, notes TEXT);
    CREATE INDEX IF NOT EXISTS idx_backtest_symbol ON backtest_results(symbol, timeframe);
    CREATE INDEX IF NOT EXISTS idx_backtest_timestamp ON backtest_results(run_timestamp DESC);`;

  it('lists, ranks and keeps saving into it, with every original row unchanged', async () => {
    const legacy = join(dir, 'legacy.db');
    const raw = new Database(legacy);
    raw.exec(LEGACY_DDL);
    const insert = raw.prepare(
      `INSERT INTO backtest_results (symbol, timeframe, model_path, run_timestamp, start_date, end_date, initial_capital,
        final_equity, total_return, sharpe_ratio, max_drawdown, win_rate, profit_factor, total_trades, avg_trade_pnl, config_json, notes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run(
      'GOOGL',
      '1Hour',
      'models/rl_symbols/GOOGL_1Hour.pt',
      1735430400,
      1704067200,
      1735603200,
      10000,
      11250,
      12.5,
      1.4,
      -8.2,
      55.0,
      1.8,
      40,
      31.25,
      '{"initial_capital": 10000}',
      'v1',
    );
    insert.run(
      'GOOGL',
      '1Hour',
      'models/rl_symbols/GOOGL_1Hour_v2.pt',
      1735516800,
      1704067200,
      1735603200,
      10000,
      10800,
      8.0,
      1.9,
      -4.1,
      60.0,
      null,
      25,
      32.0,
      null,
      null,
    );
    insert.run(
      'AAPL',
      '1Day',
      null,
      1735603200,
      1704067200,
      1735603200,
      10000,
      9000,
      -10.0,
      null,
      -15.0,
      40.0,
      0.7,
      10,
      -100.0,
      null,
      'loss',
    );
    const before = raw.prepare('SELECT * FROM backtest_results ORDER BY id').all();
    raw.close();

    const bytes = readFileSync(legacy);
    const rows = JSON.parse((await runCli(['list', '--db', legacy, '--json'], dir)).stdout);
    expect(rows.map((r: { id: number }) => r.id)).toEqual([3, 2, 1]);
    expect((await json(['best', 'GOOGL', '1Hour'], legacy)).best.id).toBe(1); // total_return 12.5 > 8.0
    expect((await json(['best', 'GOOGL', '1Hour', '--metric', 'sharpe_ratio'], legacy)).best.id).toBe(2);
    expect((await json(['best', 'GOOGL', '1Hour', '--metric', 'max_drawdown'], legacy)).best.id).toBe(2); // -4.1 is closest to zero
    // The only GOOGL row with a profit factor is the best by it; the NULL one is never "best".
    expect((await json(['best', 'GOOGL', '1Hour', '--metric', 'profit_factor'], legacy)).best.id).toBe(1);

    // Reading never wrote to the older tool's file.
    expect(readFileSync(legacy).equals(bytes)).toBe(true);
    const saved = await runCli(['run', '--data', GOOG, '--db', legacy, '--save-to-db'], dir);
    expect(saved.stdout).toContain('Saved backtest to database with id=4');
    expect(saved.stderr).toContain(`Upgraded ${legacy}, a database of the older tool: added side tables`);

    const check = new Database(legacy, { readonly: true });
    const columns = [
      'id',
      'symbol',
      'timeframe',
      'model_path',
      'run_timestamp',
      'start_date',
      'end_date',
      'initial_capital',
      'final_equity',
      'total_return',
      'sharpe_ratio',
      'max_drawdown',
      'win_rate',
      'profit_factor',
      'total_trades',
      'avg_trade_pnl',
      'config_json',
      'notes',
    ];
    const after = check.prepare(`SELECT ${columns.join(', ')} FROM backtest_results WHERE id <= 3 ORDER BY id`).all();
    expect(check.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    check.close();
    expect(after).toEqual(before);
  });
});

describe('ranking within one sweep', () => {
  it('best --sweep ranks only that sweep, while plain best ranks every run', async () => {
    const sweepDb = join(dir, 'sweep.db');
    await runCli(['run', '--data', GOOG, '--db', sweepDb, '--save-to-db', '--strategy', 'buy-and-hold'], dir);
    const sweep = await runCli(
      [
        'sweep',
        '--data',
        GOOG,
        '--grid',
        'fast=5,10',
        '--grid',
        'slow=30,60',
        '--workers',
        '1',
        '--save-to-db',
        '--db',
        sweepDb,
        '--json',
      ],
      dir,
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    const { sweepId } = JSON.parse(sweep.stdout);
    const members = await json(['list', '--sweep', sweepId], sweepDb);
    expect(members).toHaveLength(4);
    const bestInSweep = await json(['best', 'GOOG', '1Day', '--sweep', sweepId], sweepDb);
    const top = Math.max(...members.map((r: { total_return: number }) => r.total_return));
    expect(bestInSweep.best).toMatchObject({ sweep_id: sweepId, total_return: top });
    // Its trials are the sweep's runs, not every GOOG run in the file.
    expect(bestInSweep).toMatchObject({ trials: 4, deflatedSharpe: { trials: 4, runId: bestInSweep.best.id } });
    // Buy-and-hold beats every sma-cross run on GOOG, so the unfiltered best is outside the sweep.
    expect((await json(['best', 'GOOG', '1Day'], sweepDb)).best.strategy_name).toBe('buy-and-hold');
  });
});

describe('delete at a terminal', () => {
  it('deletes on yes and keeps the runs on no', async () => {
    const scratch = join(dir, 'confirm.db');
    await runCli(['run', '--data', GOOG, '--db', scratch, '--save-to-db', '--strategy', 'buy-and-hold'], dir);
    const no = await runCli(['delete', '1', '--db', scratch], dir, { interactive: true, answers: [false] });
    expect(no.code).toBe(0);
    expect(no.stderr).toContain('Nothing deleted.');
    expect(JSON.parse((await runCli(['list', '--db', scratch, '--json'], dir)).stdout)).toHaveLength(1);
    const yes = await runCli(['delete', '1', '--db', scratch], dir, { interactive: true, answers: [true] });
    expect(yes.stdout).toContain('Deleted 1 run.');
    expect(JSON.parse((await runCli(['list', '--db', scratch, '--json'], dir)).stdout)).toHaveLength(0);
  });
});
