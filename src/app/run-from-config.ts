import type { BarSeries } from '../core/bars.js';
import { type BacktestConfig, resolveConfig } from '../core/config.js';
import { getStrategy, loadStrategyModule } from '../strategies/index.js';
import type { BacktestResult } from './backtest-result.js';
import type { OutOfSampleSplit } from './out-of-sample.js';
import { runBacktest } from './run-backtest.js';
import { runModelBacktest } from './run-model.js';

/**
 * Runs a backtest again from a result's config (for example a saved run's `config_json`) and
 * the same bars. The config names everything that changes the numbers: a built-in strategy by
 * name, a strategy module by its file, an ONNX policy by its model path. Same config and bars,
 * same numbers.
 *
 * @example
 * const again = await runFromConfig(bars, JSON.parse(row.config_json));
 */
export async function runFromConfig(
  bars: BarSeries,
  config: BacktestConfig,
  options: { readonly outOfSample?: OutOfSampleSplit | undefined } = {},
): Promise<BacktestResult> {
  const { strategy, ...settings } = resolveConfig(config);
  const model = strategy.params.model;
  const { outOfSample } = options;
  if (strategy.name === 'onnx' && strategy.module === undefined && typeof model === 'string') {
    return runModelBacktest({ bars, modelPath: model, config: settings, outOfSample });
  }
  const definition =
    strategy.module === undefined ? getStrategy(strategy.name) : await loadStrategyModule(strategy.module);
  return runBacktest({ bars, strategy: definition, params: strategy.params, config: settings, outOfSample });
}
