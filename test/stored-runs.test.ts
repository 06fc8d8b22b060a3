/**
 * What a saved run keeps, end to end through the CLI on a real SQLite file: trades for every
 * kind of save (run, sweep, run --all), the stored report and dashboard page with price chart
 * and monthly returns, finding runs by model and symbol however they are typed, rerun naming
 * what changed, the "Created database" notice, out-of-money runs, and sweeps of a strategy module.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { createDashboardApp } from '../src/web/dashboard-app.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const EURUSD = join(ROOT, 'data/bars/EURUSD.csv');
const dir = mkdtempSync(join(tmpdir(), 'backtest-stored-runs-'));
const db = join(dir, 'runs.db');
/** As a user types it, relative to `dir`. */
const GOOG_MODEL = 'models/rl_symbols/GOOG_1Day.onnx';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function cli(args: string[], database = db) {
  return runCli([...args, '--db', database], dir);
}

async function ok(args: string[], database = db) {
  const run = await cli(args, database);
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run;
}

async function json(args: string[], database = db) {
  return JSON.parse((await ok([...args, '--json'], database)).stdout);
}

function savedId(stdout: string): number {
  const match = /Saved backtest to database with id=(\d+)/.exec(stdout);
  expect(match, stdout).not.toBeNull();
  return Number(match?.[1]);
}

/** The trade table of a command's output: from the border above its `# │ Side` header to the bottom border. */
function tradeTable(stdout: string): string {
  const lines = stdout.split('\n');
  const header = lines.findIndex((line) => /^│ #\s+│ Side\s+│/.test(line));
  expect(header, stdout).toBeGreaterThan(0);
  const end = lines.findIndex((line, i) => i > header && line.startsWith('└'));
  return lines.slice(header - 1, end + 1).join('\n');
}

const pageData = (page: string) =>
  JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page)?.[1] ?? 'null');
const monthlyTable = (page: string) => /<table class="data monthly">.*?<\/table>/s.exec(page)?.[0];
const tradeRows = (page: string) =>
  (/<table class="data trades">.*?<tbody>(.*?)<\/tbody>/s.exec(page)?.[1] ?? '').match(/<tr>/g)?.length ?? 0;

interface StoredTrade {
  side: 'long' | 'short';
  entryTimeMs: number;
  exitTimeMs: number;
}

/** Saved in `beforeAll`; every test only reads them (tests run shuffled). */
const ids = {
  /** `run --strategy sma-cross --trades --save-to-db` on GOOG.csv. */
  run: 0,
  runTradesText: '',
  /** Sweep runs by their `fast` parameter (slow=30). */
  sweep: new Map<number, number>(),
  /** `run --all` runs by absolute model path. */
  all: new Map<string, number>(),
  /** `run --model models/rl_symbols/GOOG_1Day.onnx --save-to-db`, the path relative. */
  model: 0,
};

beforeAll(async () => {
  mkdirSync(join(dir, 'models'));
  cpSync(join(ROOT, 'models/rl_symbols'), join(dir, 'models/rl_symbols'), { recursive: true });
  await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day']);
  await ok(['data', 'import', EURUSD, '--symbol', 'EURUSD', '--timeframe', '1Hour']);

  const run = await ok(['run', '--data', GOOG, '--strategy', 'sma-cross', '--trades', '--save-to-db']);
  ids.run = savedId(run.stdout);
  ids.runTradesText = tradeTable(run.stdout);

  const sweep = await json([
    'sweep',
    '--strategy',
    'sma-cross',
    '--symbol',
    'GOOG',
    '--timeframe',
    '1Day',
    '--grid',
    'fast=5,10',
    '--grid',
    'slow=30',
    '--workers',
    '2',
    '--save-to-db',
  ]);
  for (const row of sweep.top) ids.sweep.set(row.params.fast, row.id);
  expect([...ids.sweep.keys()].sort()).toEqual([10, 5]);

  const all = await json(['run', '--all', '--models-dir', 'models', '--save-to-db']);
  for (const outcome of all) ids.all.set(outcome.modelPath, outcome.savedId);
  expect(ids.all.size).toBe(2);

  ids.model = (await json(['run', '--model', GOOG_MODEL, '--save-to-db'])).id;
});

describe('trades are stored for every saved run, sweeps included', () => {
  it('show --trades prints the trade list run --trades printed, and --json has the same trades', async () => {
    const show = await ok(['show', String(ids.run), '--trades']);
    expect(tradeTable(show.stdout)).toBe(ids.runTradesText);
    const fresh = await json(['run', '--data', GOOG, '--strategy', 'sma-cross']);
    const stored = await json(['show', String(ids.run), '--trades']);
    expect(stored.trades.length).toBeGreaterThan(0);
    expect(stored.trades).toEqual(fresh.trades);
  });

  it('keeps the trades of each sweep run, the same as run --trades with its parameters', async () => {
    for (const [fast, id] of ids.sweep) {
      const args = ['run', '--symbol', 'GOOG', '--timeframe', '1Day', '--strategy', 'sma-cross'];
      const params = ['--param', `fast=${fast}`, '--param', 'slow=30'];
      const run = await ok([...args, ...params, '--trades']);
      const show = await ok(['show', String(id), '--trades']);
      expect(tradeTable(show.stdout), `fast=${fast}`).toBe(tradeTable(run.stdout));
      const stored = await json(['show', String(id), '--trades']);
      expect(stored.sweep_id).not.toBeNull();
      expect(stored.trades).toEqual((await json([...args, ...params])).trades);
    }
  });

  it('keeps the trades of each run --all model run, the same as run --model --trades', async () => {
    for (const [model, id] of ids.all) {
      const run = await ok(['run', '--model', model, '--trades']);
      const show = await ok(['show', String(id), '--trades']);
      expect(tradeTable(show.stdout), model).toBe(tradeTable(run.stdout));
      const stored = await json(['show', String(id), '--trades']);
      expect(stored.trades.length, model).toBe(stored.total_trades);
      expect(stored.trades).toEqual((await json(['run', '--model', model])).trades);
    }
  });
});

describe('stored report and dashboard run page', () => {
  /** The page of a stored run, from `report` and from the dashboard. */
  async function pages(id: number, database = db): Promise<{ report: string; dashboard: string }> {
    const out = join(dir, `report-${id}-${Math.random().toString(36).slice(2)}.html`);
    await ok(['report', String(id), '--out', out], database);
    const store = await openStore({ db: database, readonly: true });
    try {
      const res = await createDashboardApp(store).request(`/runs/${id}`);
      expect(res.status).toBe(200);
      return { report: readFileSync(out, 'utf8'), dashboard: await res.text() };
    } finally {
      await store.close();
    }
  }

  it('shows trades, the price chart with a marker at every entry and exit, and the monthly returns of run --report', async () => {
    const freshReport = join(dir, 'fresh-report.html');
    await ok(['run', '--data', GOOG, '--strategy', 'sma-cross', '--report', freshReport]);
    const expectedMonthly = monthlyTable(readFileSync(freshReport, 'utf8'));
    expect(expectedMonthly).toBeDefined();
    const { trades } = (await json(['show', String(ids.run), '--trades'])) as { trades: StoredTrade[] };
    // GOOG.csv has fewer bars than the candle limit: one candle per bar, so markers sit on the fill bars.
    const expectedMarkers = trades.flatMap((t) => [
      { t: t.entryTimeMs / 1000, kind: `entry-${t.side}` },
      { t: t.exitTimeMs / 1000, kind: `exit-${t.side}` },
    ]);
    const { report, dashboard } = await pages(ids.run);
    for (const [name, page] of Object.entries({ report, dashboard })) {
      expect(tradeRows(page), name).toBe(trades.length);
      const price = pageData(page).charts.find((c: { id: string }) => c.id === 'price');
      expect(price, name).toBeDefined();
      expect(price.markers, name).toEqual(expectedMarkers);
      expect(page, name).toContain('Bars from the bar store, matched by their SHA-256.');
      expect(monthlyTable(page), name).toBe(expectedMonthly);
    }
  });

  it('shows the same for sweep runs and a run --all model run, monthly returns as run --report', async () => {
    const sources: [number, string[]][] = [
      ...[...ids.sweep].map(([fast, id]): [number, string[]] => [
        id,
        [
          '--symbol',
          'GOOG',
          '--timeframe',
          '1Day',
          '--strategy',
          'sma-cross',
          '--param',
          `fast=${fast}`,
          '--param',
          'slow=30',
        ],
      ]),
      [ids.all.get(join(dir, GOOG_MODEL)) as number, ['--model', GOOG_MODEL]],
    ];
    for (const [id, runArgs] of sources) {
      const freshReport = join(dir, `fresh-report-${id}.html`);
      await ok(['run', ...runArgs, '--report', freshReport]);
      const expectedMonthly = monthlyTable(readFileSync(freshReport, 'utf8'));
      const { trades } = (await json(['show', String(id), '--trades'])) as { trades: StoredTrade[] };
      const { report, dashboard } = await pages(id);
      for (const page of [report, dashboard]) {
        expect(tradeRows(page), `run ${id}`).toBe(trades.length);
        const price = pageData(page).charts.find((c: { id: string }) => c.id === 'price');
        expect(
          price.markers.map((m: { t: number }) => m.t),
          `run ${id}`,
        ).toEqual(trades.flatMap((t) => [t.entryTimeMs / 1000, t.exitTimeMs / 1000]));
        expect(monthlyTable(page), `run ${id}`).toBe(expectedMonthly);
      }
    }
  });

  it('says there is no price chart when the bar store lacks the bars or they changed, and still lists trades', async () => {
    const database = join(dir, 'bars-changed.db');
    const id = savedId((await ok(['run', '--data', GOOG, '--strategy', 'rsi', '--save-to-db'], database)).stdout);
    const check = async (label: string) => {
      const { trades } = await json(['show', String(id), '--trades'], database);
      const { report, dashboard } = await pages(id, database);
      for (const page of [report, dashboard]) {
        expect(page, label).toMatch(/The bar store does not hold this run(&#39;|&#x27;|')s exact bars/);
        expect(
          pageData(page).charts.some((c: { id: string }) => c.id === 'price'),
          label,
        ).toBe(false);
        expect(tradeRows(page), label).toBe(trades.length);
        // Monthly returns come from the stored month ends, not from the bars.
        expect(monthlyTable(page), label).toBeDefined();
      }
    };
    await check('never imported');

    // The same bars imported: the chart appears.
    await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day'], database);
    const { report } = await pages(id, database);
    expect(pageData(report).charts.some((c: { id: string }) => c.id === 'price')).toBe(true);

    // One close changed and re-imported over the range: no longer the run's bars.
    const lines = readFileSync(GOOG, 'utf8').split('\n');
    lines[500] = (lines[500] as string).replace(/,([\d.]+),(\d+)$/, (_, close: string, volume: string) => {
      return `,${(Number(close) + 0.01).toFixed(2)},${volume}`;
    });
    const changed = join(dir, 'GOOG-changed.csv');
    writeFileSync(changed, lines.join('\n'));
    await ok(['data', 'import', changed, '--symbol', 'GOOG', '--timeframe', '1Day'], database);
    await check('changed');
  });
});

describe('finding runs by model path and symbol', () => {
  const listIds = async (model: string) =>
    ((await json(['list', '--model', model])) as { id: number }[]).map((row) => row.id).sort((a, b) => a - b);

  it('finds a run saved with a relative --model by relative, absolute, bare file name and SHA-256 prefix', async () => {
    const absolute = join(dir, GOOG_MODEL);
    const expected = [ids.all.get(absolute) as number, ids.model].sort((a, b) => a - b);
    expect(ids.model).toBeGreaterThan(0);
    const show = await json(['show', String(ids.model)]);
    expect(show.model_path).toBe(absolute);
    // The config names the file absolutely too, so rerun finds it from any folder.
    expect(JSON.parse(show.config_json).strategy.params.model).toBe(absolute);
    for (const model of [GOOG_MODEL, absolute, 'GOOG_1Day.onnx', sha256(absolute).slice(0, 12)]) {
      expect(await listIds(model), model).toEqual(expected);
      const best = await json(['best', 'GOOG', '1Day', '--model', model]);
      expect(expected, model).toContain(best.best.id);
      expect(best.matching, model).toBe(2);
    }
  });

  it('does not find it by a different model', async () => {
    const other = 'models/rl_symbols/EURUSD_1Hour.onnx';
    const otherId = ids.all.get(join(dir, other));
    expect(otherId).toBeGreaterThan(0);
    expect(await listIds(other)).toEqual([otherId]);
    expect(await listIds('EURUSD_1Hour.onnx')).toEqual([otherId]);
    expect(await listIds(sha256(join(dir, other)).slice(0, 12))).toEqual([otherId]);
    const best = await cli(['best', 'GOOG', '1Day', '--model', other, '--json']);
    expect(best.code).toBe(1);
    expect(JSON.parse(best.stdout)).toMatchObject({ best: null, matching: 0 });
  });

  it('matches symbols in any case and timeframes in any spelling', async () => {
    const upper = ((await json(['list', '--symbol', 'GOOG'])) as { id: number }[]).map((r) => r.id);
    const lower = ((await json(['list', '--symbol', 'goog'])) as { id: number; symbol: string }[]).map((r) => r.id);
    expect(lower.length).toBeGreaterThanOrEqual(5);
    expect(lower).toEqual(upper);
    const best = await ok(['best', 'goog', '1d']);
    expect(best.stdout).toMatch(/^Best GOOG 1Day run by total_return/);
    expect((await json(['best', 'goog', '1d'])).best.symbol).toBe('GOOG');
  });
});

describe('rerun names what changed', () => {
  it('a changed strategy module: a "strategy file changed" line, then the metrics that differ, exit 1', async () => {
    const database = join(dir, 'rerun-module.db');
    const folder = mkdtempSync(join(dir, 'strategy-'));
    const module = join(folder, 'momentum.ts');
    copyFileSync(join(ROOT, 'examples/strategies/momentum.ts'), module);
    const id = savedId((await ok(['run', '--data', GOOG, '--strategy', module, '--save-to-db'], database)).stdout);
    await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day'], database);
    expect((await cli(['rerun', String(id)], database)).code).toBe(0);

    const code = readFileSync(module, 'utf8');
    const edited = code.replace(
      'if (momentumPct > this.thresholdPct) return 1;',
      'if (momentumPct > this.thresholdPct + 1) return 1;',
    );
    expect(edited).not.toBe(code);
    writeFileSync(module, edited);

    // In this process the module is cached at its first version; the change still shows by hash.
    const inProcess = await cli(['rerun', String(id), '--json'], database);
    expect(inProcess.code).toBe(1);
    const report = JSON.parse(inProcess.stdout);
    expect(report.reproduced).toBe(false);
    expect(report.changes).toEqual([
      {
        input: 'strategy file',
        stored: expect.stringMatching(/^sha256 [0-9a-f]{12}…$/),
        now: `sha256 ${sha256(module).slice(0, 12)}…`,
      },
    ]);

    // A fresh process loads the edited code: the numbers differ too (needs `npm run build`).
    const spawned = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/backtest.js'), 'rerun', String(id), '--db', database],
      {
        encoding: 'utf8',
        cwd: dir,
      },
    );
    expect(spawned.status, spawned.stderr).toBe(1);
    const lines = spawned.stdout.split('\n');
    expect(lines[0]).toBe(`Run ${id}: GOOG 1Day, run again from its stored config`);
    expect(lines[1]).toMatch(/^strategy file changed: sha256 [0-9a-f]{12}… when saved, sha256 [0-9a-f]{12}… now$/);
    expect(lines.filter((line) => line.includes(' changed: '))).toHaveLength(1);
    expect(lines[2]).toMatch(/^┌/);
    expect(lines[3]).toMatch(/^│ Metric that differs\s+│\s+Stored │\s+Re-run │$/);
    expect(spawned.stdout).toMatch(/│ Trades\s+│\s+\d+ │\s+\d+ │/);
    expect(spawned.stdout.trimEnd().endsWith('Not reproduced.')).toBe(true);
    expect(spawned.stderr).toBe(`error: run ${id} did not reproduce (see above)\n`);
  });

  it('a changed package version: a "package version changed" line, still reproduced when the numbers match', async () => {
    const database = join(dir, 'rerun-version.db');
    await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day'], database);
    const id = savedId((await ok(['run', '--data', GOOG, '--strategy', 'rsi', '--save-to-db'], database)).stdout);
    const raw = new Database(database);
    const { package_version: version } = raw
      .prepare('SELECT package_version FROM run_details WHERE backtest_id = ?')
      .get(id) as { package_version: string };
    raw.prepare("UPDATE run_details SET package_version = '0.0.1-old' WHERE backtest_id = ?").run(id);
    raw.close();

    const run = await cli(['rerun', String(id)], database);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe(`package version changed: 0.0.1-old when saved, ${version} now`);
    expect(lines.filter((line) => line.includes(' changed: '))).toHaveLength(1);
    expect(run.stdout).toContain('All 23 stored metrics are the same.');
    expect(run.stdout).toMatch(/^Reproduced/m);

    const report = await json(['rerun', String(id)], database);
    expect(report).toMatchObject({
      reproduced: true,
      changes: [{ input: 'package version', stored: '0.0.1-old', now: version }],
    });
  });
});

describe('--save-to-db and a new database file', () => {
  it('says "Created database PATH" on stderr the first time, and not on later saves', async () => {
    const database = join(dir, 'created', 'first.db');
    const first = await ok(['run', '--data', GOOG, '--save-to-db'], database);
    expect(first.stderr).toBe(`Created database ${database}\n`);
    const again = await ok(['run', '--data', GOOG, '--save-to-db'], database);
    expect(again.stderr).toBe('');
  });

  it('says so for sweep --save-to-db too', async () => {
    const database = join(dir, 'created', 'sweep.db');
    const args = ['sweep', '--data', GOOG, '--grid', 'fast=5,10', '--workers', '1', '--save-to-db', '--json'];
    expect((await ok(args, database)).stderr).toBe(`Created database ${database}\n`);
    expect((await ok(args, database)).stderr).toBe('');
  });

  it('says so for run --all --save-to-db too', async () => {
    const database = join(dir, 'created', 'all.db');
    const args = ['run', '--all', '--models-dir', 'models', '--save-to-db', '--json'];
    // No bars in the new database: every model fails, but the file was created and is named.
    const first = await cli(args, database);
    expect(first.code).toBe(1);
    expect(first.stderr.split('\n')[0]).toBe(`Created database ${database}`);
    await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day'], database);
    const again = await cli(args, database);
    expect(again.stderr).not.toContain('Created database');
  });
});

describe('a run that ran out of money', () => {
  let database: string;
  let id: number;

  beforeAll(async () => {
    database = join(dir, 'out-of-money.db');
    // Up 15 % a day for 30 days: a full-size short from the first bar is wiped out within a week.
    const lines = ['time,open,high,low,close,volume'];
    let price = 10;
    for (let day = 0; day < 30; day++) {
      const open = price;
      price *= 1.15;
      const date = new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
      lines.push(
        `${date},${open.toFixed(4)},${(price * 1.01).toFixed(4)},${(open * 0.99).toFixed(4)},${price.toFixed(4)},1000`,
      );
    }
    writeFileSync(join(dir, 'RALLY.csv'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'always-short.mjs'),
      "export default { name: 'always-short', description: 'short from the first bar', params: [], create: () => ({ onBar: () => -1 }) };\n",
    );
    const run = await cli(['run', '--data', 'RALLY.csv', '--strategy', './always-short.mjs', '--save-to-db'], database);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: the account ran out of money on 2024-01-\d\d/);
    id = savedId(run.stdout);
  });

  it('is marked in list, best, show, the dashboard and export', async () => {
    const list = await ok(['list'], database);
    expect(list.stdout).toMatch(new RegExp(`^│ ${id}! +│`, 'm'));
    expect(list.stdout).toContain('! the account ran out of money: positions closed, no trading after that bar\n');

    const best = await ok(['best', 'RALLY', '1Day'], database);
    expect(best.stdout.split('\n')[0]).toMatch(/ \[out of money 2024-01-\d\d\]$/);

    const show = await ok(['show', String(id)], database);
    expect(show.stdout).toMatch(/^Out of money: equity reached zero at 2024-01-\d\d; /);

    const store = await openStore({ db: database, readonly: true });
    try {
      const page = await (await createDashboardApp(store).request(`/runs/${id}`)).text();
      expect(page).toMatch(/<p class="error-box" data-out-of-money="\d*"><b>Out of money\.<\/b>/);
    } finally {
      await store.close();
    }

    const stored = (await json(['show', String(id)], database)).out_of_money_time_ms;
    expect(stored).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 2));
    const exported = JSON.parse((await ok(['export', '--format', 'json'], database)).stdout);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ id, out_of_money_time_ms: stored });
  });
});

describe('a sweep of a strategy module', () => {
  it('records the module path and SHA-256 on every run, and a sweep run reruns to the same numbers', async () => {
    const database = join(dir, 'module-sweep.db');
    // Given relative to the working folder; stored absolute.
    mkdirSync(join(dir, 'strategies'), { recursive: true });
    const module = join(dir, 'strategies', 'breakout.ts');
    copyFileSync(join(ROOT, 'examples/strategies/breakout.ts'), module);
    await ok(['data', 'import', GOOG, '--symbol', 'GOOG', '--timeframe', '1Day'], database);
    const sweep = await json(
      [
        'sweep',
        '--strategy',
        'strategies/breakout.ts',
        '--data',
        GOOG,
        '--grid',
        'lookback=10,20,50',
        '--workers',
        '2',
        '--save-to-db',
      ],
      database,
    );
    expect(sweep.saved).toBe(3);
    const rows = await json(['list', '--sweep', sweep.sweepId], database);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ strategy_module_path: module, strategy_module_sha256: sha256(module) });
    }
    const rerun = await cli(['rerun', String(rows[1].id)], database);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/^Reproduced/m);
  });
});
