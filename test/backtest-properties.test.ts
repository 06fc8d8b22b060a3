import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../src/app/run-backtest.js';
import { toJsonText } from '../src/app/json-text.js';
import { generateSyntheticBars } from '../src/data/index.js';

describe('backtest properties over synthetic bars', () => {
  it('buy-and-hold (fill at close, fractional, no costs) returns exactly buy_and_hold_return', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 2, max: 400 }),
        async (seed, count) => {
          const bars = generateSyntheticBars({ count, seed });
          const result = await runBacktest({
            bars,
            strategy: 'buy-and-hold',
            config: { fillAt: 'close', fractional: true },
          });
          expect(result.metrics.total_return).toBeCloseTo(result.metrics.buy_and_hold_return as number, 8);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('whole-share buy-and-hold at the next open stays within one share and the first gap of buy_and_hold_return', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const bars = generateSyntheticBars({ count: 300, seed });
        const result = await runBacktest({ bars, strategy: 'buy-and-hold' });
        const trade = result.trades[0]!;
        const last = bars.close[bars.length - 1] as number;
        // Whole shares bought at bar 1's open, so the money result is exactly quantity × price change.
        expect(result.metrics.final_equity - 10_000).toBeCloseTo(trade.quantity * (last - (bars.open[1] as number)), 6);
      }),
      { numRuns: 30 },
    );
  });

  it('never writes NaN into the JSON of a result, whatever the strategy and costs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom('buy-and-hold', 'sma-cross', 'rsi'),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        async (seed, count, strategy, commission) => {
          const bars = generateSyntheticBars({ count, seed });
          const params = strategy === 'sma-cross' ? { fast: 3, slow: 8, short: true } : {};
          const result = await runBacktest({ bars, strategy, params, config: { commission } });
          expect(() => toJsonText(result.toJSON({ includeEquityCurve: true }))).not.toThrow();
        },
      ),
      { numRuns: 60 },
    );
  });
});
