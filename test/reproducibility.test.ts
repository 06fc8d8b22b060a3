/**
 * A run is reproducible from its config and its bars alone: the config a result carries (and
 * the one stored in the database) runs again to the same numbers, for a built-in strategy, a
 * user's strategy module and an ONNX policy.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../src/app/backtest-result.js';
import { runBacktest } from '../src/app/run-backtest.js';
import { runFromConfig } from '../src/app/run-from-config.js';
import { runModelBacktest } from '../src/app/run-model.js';
import { loadBarsCsv } from '../src/data/index.js';
import { TradingDatabase } from '../src/store/sqlite/index.js';
import { loadStrategyModule } from '../src/strategies/index.js';
import { writeExampleModels } from '../src/strategies/onnx/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bars = loadBarsCsv(join(ROOT, 'data/bars/GOOG.csv'), { symbol: 'GOOG', timeframe: '1Day' });
const dir = mkdtempSync(join(tmpdir(), 'reproduce-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameRun(again: BacktestResult, first: BacktestResult): void {
  expect(again.config).toEqual(first.config);
  expect(again.metrics).toEqual(first.metrics);
  expect(again.trades).toEqual(first.trades);
  expect(Array.from(again.equityCurve.equity)).toEqual(Array.from(first.equityCurve.equity));
}

describe('runFromConfig', () => {
  it('reproduces a built-in strategy with costs from the JSON of its config', async () => {
    const first = await runBacktest({
      bars,
      strategy: 'sma-cross',
      params: { fast: 7, slow: 40, short: true },
      config: { commission: 0.001, fixedFee: 1, slippageBps: 3, size: 0.8, fillAt: 'close', riskFreeRate: 0.02 },
    });
    expectSameRun(await runFromConfig(bars, JSON.parse(JSON.stringify(first.config))), first);
  });

  it('reproduces a strategy module, which the config names by its file', async () => {
    const definition = await loadStrategyModule(join(ROOT, 'examples/strategies/momentum.ts'));
    const first = await runBacktest({ bars, strategy: definition, params: { lookback: 15 } });
    expect(first.config.strategy.module).toBe(join(ROOT, 'examples/strategies/momentum.ts'));
    expectSameRun(await runFromConfig(bars, first.config), first);
  });

  it('reproduces an ONNX policy, which the config names by its model path', async () => {
    const [modelPath] = (await writeExampleModels(dir)).filter((path) => path.endsWith('GOOG_1Day.onnx'));
    const first = await runModelBacktest({ bars, modelPath: modelPath!, config: { commission: 0.0005 } });
    expectSameRun(await runFromConfig(bars, first.config), first);
  });

  it('reproduces the saved summary from the config stored in the database', async () => {
    const db = TradingDatabase.open(join(dir, 'runs.db'));
    try {
      const first = await runBacktest({ bars, strategy: 'rsi', params: { period: 10 }, config: { commission: 0.002 } });
      const id = await first.saveToDb({ db });
      const row = db.getBacktestOrThrow(id);
      const again = await runFromConfig(bars, JSON.parse(row.config_json ?? 'null'));
      expect(again.metrics.total_return).toBe(row.total_return);
      expect(again.metrics.sharpe_ratio).toBe(row.sharpe_ratio);
      expect(again.metrics.total_trades).toBe(row.total_trades);
      expect(again.bars.sha256).toBe(row.bars_sha256);
    } finally {
      db.close();
    }
  });

  it('refuses a config that does not describe a run, naming the setting', async () => {
    await expect(
      runFromConfig(bars, { strategy: { name: 'sma-cross', params: {} }, commission: -1 } as never),
    ).rejects.toThrow(/commission/);
  });
});

describe('backtest rerun', () => {
  const db = join(dir, 'rerun.db');
  const goog = join(ROOT, 'data/bars/GOOG.csv');
  const cli = async (args: string[]) => {
    const { runCli } = await import('./cli-harness.js');
    return runCli([...args, '--db', db], dir);
  };

  beforeAll(async () => {
    expect((await cli(['data', 'import', goog, '--symbol', 'GOOG', '--timeframe', '1Day'])).code).toBe(0);
  });

  it('reproduces a saved run on the stored bars, metric by metric', async () => {
    const saved = await cli([
      'run',
      '--data',
      goog,
      '--strategy',
      'sma-cross',
      '--commission',
      '0.001',
      '--save-to-db',
      '--json',
    ]);
    const { id } = JSON.parse(saved.stdout);
    const run = await cli(['rerun', String(id), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ id, reproduced: true, sameBars: true, sameModel: null });
    expect(report.metrics.length).toBe(23);
    expect(report.metrics.every((m: { same: boolean }) => m.same)).toBe(true);
  });

  it('says so when a stored number no longer matches', async () => {
    const saved = await cli(['run', '--data', goog, '--strategy', 'rsi', '--save-to-db', '--json']);
    const { id } = JSON.parse(saved.stdout);
    const raw = new Database(db);
    raw.prepare('UPDATE backtest_results SET sharpe_ratio = sharpe_ratio + 0.5 WHERE id = ?').run(id);
    raw.close();
    const run = await cli(['rerun', String(id)]);
    expect(run.code).toBe(1);
    // Only the metric that differs is listed, stored value first.
    expect(run.stdout).toMatch(/Metric that differs\s+│ Stored\s+│ Re-run/);
    expect(run.stdout).toMatch(/Sharpe ratio \(annualized\)\s+│\s+[\d.]+\s+│\s+[\d.]+\s+│?\n/);
    expect(run.stdout).not.toMatch(/Total return/);
    expect(run.stdout).toContain('Not reproduced.');
    expect(run.stderr).toContain(`run ${id} did not reproduce`);
  });

  it('says so when the bars are not the ones the run used', async () => {
    const saved = await cli(['run', '--data', goog, '--strategy', 'buy-and-hold', '--save-to-db', '--json']);
    const { id } = JSON.parse(saved.stdout);
    const changed = join(dir, 'GOOG-changed.csv');
    const lines = readFileSync(goog, 'utf8').split('\n');
    lines[1000] = lines[1000]!.replace(
      /,([\d.]+),([\d.]+)$/,
      (_, close: string, volume: string) => `,${close},${Number(volume) + 1}`,
    );
    writeFileSync(changed, lines.join('\n'));
    const run = await cli(['rerun', String(id), '--data', changed, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ reproduced: false, sameBars: false });
  });

  it('says so when the model file changed since the run', async () => {
    const modelDir = join(dir, 'rerun-models');
    const [model] = (await writeExampleModels(modelDir)).filter((path) => path.endsWith('GOOG_1Day.onnx'));
    const saved = await cli(['run', '--model', model!, '--data', goog, '--save-to-db', '--json']);
    const { id } = JSON.parse(saved.stdout);
    expect((await cli(['rerun', String(id), '--json'])).code).toBe(0);
    copyFileSync(join(modelDir, 'EURUSD_1Hour.onnx'), model!);
    const run = await cli(['rerun', String(id), '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ reproduced: false, sameModel: false });
  });

  it('refuses a row saved without a config, in one line', async () => {
    const raw = new Database(db);
    const { lastInsertRowid } = raw
      .prepare(
        `INSERT INTO backtest_results (symbol, timeframe, run_timestamp, start_date, end_date, initial_capital, final_equity, total_return)
         VALUES ('GOOG', '1Day', 1735430400, 1092873600, 1362096000, 10000, 11000, 10)`,
      )
      .run();
    raw.close();
    const run = await cli(['rerun', String(lastInsertRowid)]);
    expect(run.code).toBe(5);
    expect(run.stderr.trim()).toBe(
      `error: run ${lastInsertRowid} has no stored config (it was saved by another program), so it cannot be run again`,
    );
  });
});
