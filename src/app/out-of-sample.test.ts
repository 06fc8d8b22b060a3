import { describe, expect, it } from 'vitest';
import { sliceBars } from '../core/bars.js';
import { type BacktestConfigInput, resolveConfig } from '../core/config.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import { generateSyntheticBars } from '../data/index.js';
import { runEngine } from '../engine/run-engine.js';
import { barsFromRows, scriptedStrategy, testConfig } from '../engine/test-bars.js';
import { computeMetrics } from '../metrics/index.js';
import { getStrategy, resolveParams } from '../strategies/index.js';
import { evaluateFrom, outOfSampleIndex } from './out-of-sample.js';
import { runBacktest, runPrepared } from './run-backtest.js';

const BARS = generateSyntheticBars({ count: 600, seed: 7 });
const SMA = getStrategy('sma-cross');
const SMA_PARAMS = resolveParams(SMA, { fast: 5, slow: 20 });

function smaConfig(overrides: Partial<Omit<BacktestConfigInput, 'strategy'>> = {}) {
  return resolveConfig({ strategy: { name: SMA.name, params: SMA_PARAMS }, commission: 0.001, ...overrides });
}

/**
 * The reference: the strategy is fed every bar before `k` (its onBar is called, its answer
 * thrown away, the account flat), then trades from bar `k`; metrics over `[k, n)` computed
 * directly. Written without the engine's warm-up option, which is what is checked.
 */
function fedThenTraded(inner: Strategy, k: number): Strategy {
  return {
    onBar: (context: StrategyContext) => {
      const decision = inner.onBar(context);
      return context.index < k ? 0 : decision;
    },
  };
}

describe('runEngine tradeFromIndex (warm-up)', () => {
  it('asks the strategy about every bar but trades only from the index on, equity at the cash before it', () => {
    const bars = barsFromRows([
      [100, 101, 99, 100],
      [102, 106, 101, 105],
      [104, 111, 103, 110],
      [108, 109, 95, 96],
      [97, 101, 96, 100],
    ]);
    const asked: number[] = [];
    const strategy: Strategy = {
      onBar: (context) => {
        asked.push(context.index);
        return 1;
      },
    };
    const out = runEngine(bars, strategy, testConfig(), { tradeFromIndex: 2 });
    expect(asked).toEqual([0, 1, 2, 3, 4]);
    expect(out.equity[0]).toBe(10_000);
    expect(out.equity[1]).toBe(10_000);
    expect(out.equity[2]).toBe(10_000);
    // Bar 2's decision fills at bar 3's open (108): 92 shares.
    expect(out.trades).toHaveLength(1);
    expect(out.trades[0]).toMatchObject({ entryIndex: 3, exitIndex: 4, quantity: 92, entryPrice: 108 });
    expect(out.barsInMarket).toBe(2);
  });

  it('with fill at close, the first decision traded is the one on the index bar', () => {
    const bars = barsFromRows([
      [100, 101, 99, 100],
      [102, 106, 101, 105],
      [104, 111, 103, 110],
    ]);
    const out = runEngine(bars, scriptedStrategy([1, 1, 1]), testConfig({ fillAt: 'close' }), { tradeFromIndex: 1 });
    expect(out.trades[0]).toMatchObject({ entryIndex: 1, entryPrice: 105 });
  });
});

describe('out-of-sample evaluation', () => {
  it('equals a run started at the out-of-sample bar by a strategy fed the preceding bars', async () => {
    for (const fillAt of ['next-open', 'close'] as const) {
      const config = smaConfig({ fillAt });
      for (const k of [1, 19, 20, 21, 250, 599]) {
        const oos = await evaluateFrom(BARS, SMA.create(SMA_PARAMS), config, k);
        const output = runEngine(BARS, fedThenTraded(SMA.create(SMA_PARAMS), k), config);
        const trades = output.trades.map((t) => ({ ...t, entryIndex: t.entryIndex - k, exitIndex: t.exitIndex - k }));
        const expected = computeMetrics({
          timeMs: BARS.timeMs.subarray(k),
          equity: output.equity.subarray(k),
          trades,
          initialCash: config.initialCash,
          barsInMarket: output.barsInMarket,
          firstClose: BARS.close[k] as number,
          lastClose: BARS.close[BARS.length - 1] as number,
          riskFreeRate: 0,
        });
        expect(oos.metrics).toEqual(expected);
        expect(oos.trades).toEqual(trades);
        expect(Array.from(oos.equityCurve.equity)).toEqual(Array.from(output.equity.subarray(k)));
        expect(oos.equityCurve.equity[0]).toBeLessThanOrEqual(config.initialCash);
        expect(oos.bars.firstTimeMs).toBe(BARS.timeMs[k]);
        expect(oos.bars.count).toBe(BARS.length - k);
      }
    }
  });

  it('for a strategy without memory, equals a plain run on the out-of-sample bars alone', async () => {
    const definition = getStrategy('buy-and-hold');
    const config = resolveConfig({ strategy: { name: definition.name, params: {} }, commission: 0.001 });
    const k = 400;
    const oos = await evaluateFrom(BARS, definition.create({}), config, k);
    const plain = await runPrepared(sliceBars(BARS, k, BARS.length), definition.create({}), config);
    expect(oos.metrics).toEqual(plain.metrics);
    expect(oos.trades).toEqual(plain.trades);
    expect(oos.bars).toEqual(plain.bars);
  });

  it('never lets the strategy see a bar before it has closed', async () => {
    let latestSeen = -1;
    const peeking: Strategy = {
      onBar: (context) => {
        const close = context.bars.close;
        // The last revealed close is the current bar's; every later one reads NaN.
        let seen = context.index;
        while (seen + 1 < close.length && !Number.isNaN(close[seen + 1] as number)) seen++;
        latestSeen = Math.max(latestSeen, seen - context.index);
        return 1;
      },
    };
    await evaluateFrom(BARS, peeking, smaConfig(), 300);
    expect(latestSeen).toBe(0);
  });

  it('does not depend on bars after the ones evaluated (no look-ahead)', async () => {
    const config = smaConfig();
    const k = 200;
    const whole = await evaluateFrom(BARS, SMA.create(SMA_PARAMS), config, k);
    const shorter = await evaluateFrom(sliceBars(BARS, 0, 400), SMA.create(SMA_PARAMS), config, k);
    // Equal up to the shorter run's last bar, where it closes its position out.
    const m = 400 - k - 1;
    expect(Array.from(shorter.equityCurve.equity.subarray(0, m))).toEqual(
      Array.from(whole.equityCurve.equity.subarray(0, m)),
    );
  });

  it('splits by fraction (rounded count of out-of-sample bars) and by time', () => {
    expect(outOfSampleIndex(BARS, { fraction: 0.3 })).toBe(420);
    const ten = sliceBars(BARS, 0, 10);
    expect(outOfSampleIndex(ten, { fraction: 0.3 })).toBe(7);
    expect(outOfSampleIndex(BARS, { fromMs: BARS.timeMs[123] as number })).toBe(123);
    expect(outOfSampleIndex(BARS, { fromMs: (BARS.timeMs[123] as number) - 1 })).toBe(123);
    expect(() => outOfSampleIndex(BARS, { fromMs: (BARS.timeMs[599] as number) + 1 })).toThrow(
      /leaves no out-of-sample bar/,
    );
    expect(() => outOfSampleIndex(BARS, { fromMs: 0 })).toThrow(/no in-sample bar/);
    expect(() => outOfSampleIndex(BARS, { fraction: 1 })).toThrow(/strictly between 0 and 1/);
    expect(() => outOfSampleIndex(BARS, { fraction: 0.3, fromMs: 0 })).toThrow(/not both/);
  });

  it('runBacktest with a split: in-sample metrics over the bars before it, out-of-sample beside them', async () => {
    const result = await runBacktest({
      bars: BARS,
      strategy: 'sma-cross',
      params: { fast: 5, slow: 20 },
      config: { commission: 0.001 },
      outOfSample: { fraction: 0.25 },
    });
    const k = 450;
    const inSample = await runBacktest({
      bars: sliceBars(BARS, 0, k),
      strategy: 'sma-cross',
      params: { fast: 5, slow: 20 },
      config: { commission: 0.001 },
    });
    expect(result.metrics).toEqual(inSample.metrics);
    expect(result.bars).toEqual(inSample.bars);
    const oos = await evaluateFrom(BARS, SMA.create(SMA_PARAMS), smaConfig(), k);
    expect(result.outOfSample?.metrics).toEqual(oos.metrics);
    const json = result.toJSON();
    expect(json.metrics).toEqual(inSample.metrics);
    expect(json.oos_metrics).toEqual(oos.metrics);
  });
});
