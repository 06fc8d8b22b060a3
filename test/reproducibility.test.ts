/**
 * A run is reproducible from its config and its bars alone: the config a result carries (and
 * the one stored in the database) runs again to the same numbers, for a built-in strategy, a
 * user's strategy module and an ONNX policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../src/app/backtest-result.js';
import { runBacktest } from '../src/app/run-backtest.js';
import { runFromConfig } from '../src/app/run-from-config.js';
import { runModelBacktest } from '../src/app/run-model.js';
import { loadBarsCsv } from '../src/data/index.js';
import { TradingDatabase } from '../src/store/index.js';
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
