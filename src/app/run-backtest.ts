import type { BarSeries } from '../core/bars.js';
import type { BacktestConfig, BacktestConfigInput } from '../core/config.js';
import { resolveConfig } from '../core/config.js';
import { DataError } from '../core/errors.js';
import type { BarsFingerprint, Metrics, ModelFingerprint, OutOfSampleData } from '../core/result.js';
import type { ParamValue, Strategy, StrategyDefinition } from '../core/strategy.js';
import { fingerprintBars } from '../data/index.js';
import { type EngineOutput, runEngine } from '../engine/run-engine.js';
import { computeMetrics } from '../metrics/index.js';
import { resolveParams, resolveStrategy } from '../strategies/index.js';
import { BacktestResult } from './backtest-result.js';
import { evaluateFrom, isSplitSet, type OutOfSampleSplit, outOfSampleIndex, viewBars } from './out-of-sample.js';

/** Everything one backtest needs. */
export interface RunBacktestOptions {
  readonly bars: BarSeries;
  /**
   * A built-in strategy name (`sma-cross`), a path to a strategy module (`./my.ts`, relative to
   * `process.cwd()` or absolute; read as a path when it has a path separator or ends in `.ts`,
   * `.mts`, `.cts`, `.js`, `.mjs` or `.cjs`, as on the command line), or a definition already in hand.
   */
  readonly strategy: string | StrategyDefinition;
  /** Strategy parameters; strings are parsed (as from `--param k=v`), missing ones take defaults. */
  readonly params?: Readonly<Record<string, string | ParamValue>>;
  /** Settings that differ from the defaults (cash, costs, sizing, fill timing). */
  readonly config?: Partial<Omit<BacktestConfigInput, 'strategy'>>;
  /** The model file behind the strategy, recorded with the result. */
  readonly model?: ModelFingerprint;
  /**
   * Split the run into an in-sample and an out-of-sample part (see `out-of-sample.ts`): the
   * result's metrics are then the in-sample part's, and `outOfSample` holds the other.
   */
  readonly outOfSample?: OutOfSampleSplit | undefined;
}

/**
 * Runs one backtest end to end: loads the strategy (a built-in, a module file or a definition),
 * checks the parameters and config, prepares the strategy, replays the bars and computes the metrics.
 *
 * @throws ConfigError for an unknown built-in name or bad parameters; StrategyError naming the
 *   file when a strategy module is missing or malformed
 *
 * @example
 * const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
 * const mine = await runBacktest({ bars, strategy: './strategies/breakout.ts', params: { lookback: 50 } });
 * console.log(result.metrics.sharpe_ratio, mine.config.strategy.module);
 */
export async function runBacktest(options: RunBacktestOptions): Promise<BacktestResult> {
  const definition = typeof options.strategy === 'string' ? await resolveStrategy(options.strategy) : options.strategy;
  const params = resolveParams(definition, options.params ?? {});
  const strategyConfig =
    definition.module === undefined
      ? { name: definition.name, params }
      : { name: definition.name, params, module: definition.module };
  const config = resolveConfig({ ...options.config, strategy: strategyConfig });
  const strategy = definition.create(params);
  return runPrepared(options.bars, strategy, config, {
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(isSplitSet(options.outOfSample)
      ? {
          outOfSample: {
            fromIndex: outOfSampleIndex(options.bars, options.outOfSample),
            strategy: definition.create(params),
          },
        }
      : {}),
  });
}

/** What {@link runPrepared} records beside the numbers. */
export interface RunExtras {
  /** The model file behind the strategy. */
  readonly model?: ModelFingerprint;
  /**
   * The bars' fingerprint, when already known (sweeps hash the bars once, not once per run); of
   * the in-sample bars when the run is split.
   */
  readonly fingerprint?: BarsFingerprint;
  /**
   * Split the run at bar `fromIndex`: `runPrepared`'s strategy runs the in-sample bars before
   * it, and this second, fresh instance of the strategy the out-of-sample evaluation (a warm-up
   * over every earlier bar, then trading from flat with the initial cash).
   */
  readonly outOfSample?: {
    readonly fromIndex: number;
    readonly strategy: Strategy;
    /** The out-of-sample bars' fingerprint, when already known. */
    readonly fingerprint?: BarsFingerprint | undefined;
  };
}

/** The part of {@link runBacktest} after the strategy exists; used by sweeps that build it themselves. */
export async function runPrepared(
  bars: BarSeries,
  strategy: Strategy,
  config: BacktestConfig,
  extras: RunExtras = {},
): Promise<BacktestResult> {
  if (bars.length === 0) throw new DataError({ source: bars.symbol, reason: 'no bars to backtest' });
  const split = extras.outOfSample;
  let outOfSample: OutOfSampleData | undefined;
  if (split !== undefined) {
    // First, and on all the bars: the in-sample strategy must never be prepared with later bars.
    outOfSample = await evaluateFrom(bars, split.strategy, config, split.fromIndex, split.fingerprint);
  }
  const inSample = split === undefined ? bars : viewBars(bars, 0, split.fromIndex);
  if (strategy.prepare !== undefined) await strategy.prepare(inSample);
  const output = runEngine(inSample, strategy, config);
  const metrics = metricsOfRun(inSample, output, config);
  return new BacktestResult({
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    config,
    equityCurve: { timeMs: inSample.timeMs, equity: output.equity },
    trades: output.trades,
    skippedOrders: output.skippedOrders,
    outOfMoney: output.outOfMoney,
    metrics,
    bars: extras.fingerprint ?? (() => fingerprintBars(inSample)),
    ...(extras.model === undefined ? {} : { model: extras.model }),
    ...(outOfSample === undefined ? {} : { outOfSample }),
  });
}

/**
 * The metrics of an engine run: the glue between the engine's output and the pure statistics.
 *
 * @example
 * const metrics = metricsOfRun(bars, runEngine(bars, strategy, config), config);
 */
export function metricsOfRun(bars: BarSeries, output: EngineOutput, config: BacktestConfig): Metrics {
  return computeMetrics({
    timeMs: bars.timeMs,
    equity: output.equity,
    trades: output.trades,
    initialCash: config.initialCash,
    barsInMarket: output.barsInMarket,
    firstClose: bars.close[0] as number,
    lastClose: bars.close[bars.length - 1] as number,
    riskFreeRate: config.riskFreeRate,
  });
}
