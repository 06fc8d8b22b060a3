import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBarSeries } from '../core/bars.js';
import { StrategyError } from '../core/errors.js';
import type { Direction, Strategy } from '../core/strategy.js';
import { runEngine } from './run-engine.js';
import { barsFromRows, scriptedStrategy, testConfig } from './test-bars.js';

// open, high, low, close
const BARS = barsFromRows([
  [100, 101, 99, 100],
  [102, 106, 101, 105],
  [104, 111, 103, 110],
  [108, 109, 95, 96],
  [97, 101, 96, 100],
]);

describe('runEngine fills', () => {
  it('fills a decision on bar i at bar i+1 open and closes out at the last close', () => {
    const out = runEngine(BARS, scriptedStrategy([1]), testConfig());
    // 10 000 / 102 = 98.04 -> 98 shares for 9 996, cash 4.
    expect(out.trades).toHaveLength(1);
    const trade = out.trades[0]!;
    expect(trade).toMatchObject({
      side: 'long',
      quantity: 98,
      entryIndex: 1,
      exitIndex: 4,
      entryPrice: 102,
      exitPrice: 100,
    });
    expect(trade.pnl).toBeCloseTo(-196, 10); // (100 − 102) × 98
    expect(trade.returnPct).toBeCloseTo((-196 / 9996) * 100, 10);
    expect(trade.entryTimeMs).toBe(BARS.timeMs[1]);
    expect(Array.from(out.equity)).toEqual([10_000, 4 + 98 * 105, 4 + 98 * 110, 4 + 98 * 96, 4 + 98 * 100]);
    expect(out.barsInMarket).toBe(4);
  });

  it('fills at the same bar close when fillAt is close', () => {
    const out = runEngine(BARS, scriptedStrategy([1]), testConfig({ fillAt: 'close' }));
    // 100 shares at 100, cash 0.
    expect(Array.from(out.equity)).toEqual([10_000, 10_500, 11_000, 9_600, 10_000]);
    expect(out.trades[0]).toMatchObject({ entryIndex: 0, quantity: 100, pnl: 0 });
    expect(out.barsInMarket).toBe(5);
  });

  it('ignores a decision on the last bar when it would fill at the next open', () => {
    const out = runEngine(BARS, scriptedStrategy([undefined, undefined, undefined, undefined, 1]), testConfig());
    expect(out.trades).toHaveLength(0);
    expect(out.skippedOrders).toBe(0);
    expect(Array.from(out.equity)).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
  });
});

describe('runEngine costs and sizing', () => {
  it('charges commission, fixed fee and slippage on both sides', () => {
    const out = runEngine(
      BARS,
      scriptedStrategy([1, undefined, 0]),
      testConfig({ commission: 0.001, fixedFee: 1, slippageBps: 10 }),
    );
    // Entry: 102 × 1.001 = 102.102; units = floor((10 000 − 1) / (102.102 × 1.001)) = floor(97.83) = 97.
    // Entry value 9 903.894, cost 9.903894 + 1 = 10.903894.
    // Exit at bar 3 open: 108 × 0.999 = 107.892; value 10 465.524, cost 10.465524 + 1 = 11.465524.
    // P&L = 97 × (107.892 − 102.102) − 10.903894 − 11.465524 = 561.63 − 22.369418 = 539.260582.
    const trade = out.trades[0]!;
    expect(trade.quantity).toBe(97);
    expect(trade.entryPrice).toBeCloseTo(102.102, 10);
    expect(trade.exitPrice).toBeCloseTo(107.892, 10);
    expect(trade.costs).toBeCloseTo(22.369418, 9);
    expect(trade.pnl).toBeCloseTo(539.260582, 9);
    expect(out.equity[4]).toBeCloseTo(10_539.260582, 9);
  });

  it('commits only the configured fraction of equity', () => {
    const out = runEngine(BARS, scriptedStrategy([1]), testConfig({ size: 0.5 }));
    expect(out.trades[0]!.quantity).toBe(49); // floor(5 000 / 102)
  });

  it('buys fractional units when allowed', () => {
    const out = runEngine(BARS, scriptedStrategy([1]), testConfig({ fractional: true, commission: 0.01 }));
    // 10 000 / (102 × 1.01) = 97.0685...
    expect(out.trades[0]!.quantity).toBeCloseTo(10_000 / (102 * 1.01), 10);
    // Every cent is committed, so at the entry bar's close equity is the marked position alone.
    expect(out.equity[1]).toBeCloseTo((10_000 / (102 * 1.01)) * 105, 8);
  });

  it('skips and counts an order that cannot buy one unit', () => {
    const out = runEngine(BARS, scriptedStrategy([1, 1, 1]), testConfig({ initialCash: 50 }));
    expect(out.trades).toHaveLength(0);
    expect(out.skippedOrders).toBe(3);
    expect(Array.from(out.equity)).toEqual([50, 50, 50, 50, 50]);
  });
});

describe('runEngine reversals', () => {
  it('closes first, then opens the other side on the equity freed at that fill', () => {
    const out = runEngine(BARS, scriptedStrategy([1, undefined, -1]), testConfig({ fillAt: 'close' }));
    // Long 100 @ 100; at bar 2 close 110: sell for 11 000, short floor(11 000 / 110) = 100 @ 110,
    // cash 22 000. Bar 3: 22 000 − 100 × 96 = 12 400. Close-out at 100: 22 000 − 10 000 = 12 000.
    expect(out.trades.map((t) => [t.side, t.quantity, t.pnl])).toEqual([
      ['long', 100, 1000],
      ['short', 100, 1000],
    ]);
    expect(Array.from(out.equity)).toEqual([10_000, 10_500, 11_000, 12_400, 12_000]);
  });

  it('goes flat when asked and re-enters later', () => {
    const out = runEngine(BARS, scriptedStrategy([1, 0, undefined, 1]), testConfig());
    expect(out.trades.map((t) => [t.entryIndex, t.exitIndex])).toEqual([
      [1, 2],
      [4, 4],
    ]);
  });
});

describe('runEngine guards', () => {
  it('shows the strategy only bars up to the current one', () => {
    const seenNext: number[] = [];
    const peeking: Strategy = {
      onBar: (context) => {
        seenNext.push(context.bars.close[context.index + 1] ?? Number.NaN);
        expect(context.bars.close[context.index]).toBe(BARS.close[context.index]);
        return undefined;
      },
    };
    runEngine(BARS, peeking, testConfig());
    expect(seenNext.every(Number.isNaN)).toBe(true);
  });

  it('rejects a decision that is not a direction, naming the bar', () => {
    const bad: Strategy = { onBar: () => 2 as unknown as Direction };
    expect(() => runEngine(BARS, bad, testConfig())).toThrow(StrategyError);
    expect(() => runEngine(BARS, bad, testConfig())).toThrow(/returned 2 on bar 0 \(2024-01-01/);
  });

  it('wraps an exception thrown by the strategy with the bar it failed on', () => {
    const throwing: Strategy = {
      onBar: (context) => {
        if (context.index === 3) throw new Error('boom');
        return undefined;
      },
    };
    expect(() => runEngine(BARS, throwing, testConfig())).toThrow(
      'strategy failed on bar 3 (2024-01-04T00:00:00.000Z): boom',
    );
  });
});

describe('runEngine out of money', () => {
  // A short of 10 units at 100 on 1 000 cash (no costs): cash 2 000 after the entry, so equity at a
  // close p is 2 000 − 10 × p, at or below zero from p = 200 on.
  const RALLY = barsFromRows([
    [100, 100, 100, 100], // 0: the strategy shorts
    [100, 125, 100, 120], // 1: short 10 @ 100 at the open; 2 000 − 1 200 = 800
    [130, 165, 130, 160], // 2: 2 000 − 1 600 = 400
    [180, 215, 180, 210], // 3: 2 000 − 2 100 = −100 → out of money at this close
    [220, 235, 215, 230], // 4
    [200, 200, 150, 150], // 5: the price falls back, too late
  ]);

  it('pins backtesting.py’s rule on a short that holds through the rally', () => {
    const asked: number[] = [];
    const holder: Strategy = {
      onBar: (context) => {
        asked.push(context.index);
        // Short on bar 0, then keep signalling: cover on bar 3 (would fill at bar 4's open), long on bar 4.
        return context.index === 0 ? -1 : context.index === 3 ? 0 : context.index === 4 ? 1 : undefined;
      },
    };
    const out = runEngine(RALLY, holder, testConfig({ initialCash: 1000 }));
    expect(out.trades).toHaveLength(1);
    // Closed at bar 3's close, 210: P&L (100 − 210) × 10 = −1 100, −110 % of the 1 000 entry value.
    expect(out.trades[0]).toMatchObject({
      side: 'short',
      quantity: 10,
      entryIndex: 1,
      exitIndex: 3,
      entryPrice: 100,
      exitPrice: 210,
      pnl: -1100,
      costs: 0,
      exitTimeMs: RALLY.timeMs[3],
    });
    expect(out.trades[0]!.returnPct).toBeCloseTo(-110, 12);
    // Clamped to 0 at bar 3 (not −100) and for every later bar, whatever the price does.
    expect(Array.from(out.equity)).toEqual([1000, 800, 400, 0, 0, 0]);
    expect(out.outOfMoney).toEqual({ timeMs: RALLY.timeMs[3], barIndex: 3 });
    // The strategy was asked about bar 3 (its next-open order is dropped) and never again.
    expect(asked).toEqual([0, 1, 2, 3]);
    expect(out.barsInMarket).toBe(3);
    expect(out.skippedOrders).toBe(0);
  });

  it('counts equity of exactly zero at a close as out of money', () => {
    const bars = barsFromRows([
      [100, 100, 100, 100],
      [100, 125, 100, 120],
      [130, 200, 130, 200], // 2 000 − 10 × 200 = 0
      [150, 150, 100, 100],
    ]);
    const out = runEngine(bars, scriptedStrategy([-1, -1, -1, -1]), testConfig({ initialCash: 1000 }));
    expect(out.trades.map((t) => [t.exitIndex, t.exitPrice, t.pnl, t.returnPct])).toEqual([[2, 200, -1000, -100]]);
    expect(Array.from(out.equity)).toEqual([1000, 800, 0, 0]);
    expect(out.outOfMoney).toEqual({ timeMs: bars.timeMs[2], barIndex: 2 });
  });

  it('closes through the usual exit path, costs included, when filling at the close', () => {
    const out = runEngine(
      barsFromRows([
        [100, 100, 100, 100], // short at this close
        [100, 125, 100, 120],
        [130, 165, 130, 160],
        [180, 220, 180, 215],
        [220, 235, 215, 230],
      ]),
      scriptedStrategy([-1]),
      testConfig({ initialCash: 1000, commission: 0.001, fillAt: 'close' }),
    );
    // Short floor(1 000 / (100 × 1.001)) = 9 @ 100: cash 1 000 + 900 − 0.9 = 1 899.1.
    // Bar 3: 1 899.1 − 9 × 215 = −35.9 → closed at 215 with commission 1.935:
    // P&L (100 − 215) × 9 − 0.9 − 1.935 = −1 037.835; equity 0 from bar 3 on.
    expect(out.trades).toHaveLength(1);
    const trade = out.trades[0]!;
    expect(trade).toMatchObject({ quantity: 9, exitIndex: 3, exitPrice: 215 });
    expect(trade.costs).toBeCloseTo(2.835, 10);
    expect(trade.pnl).toBeCloseTo(-1037.835, 10);
    expect(out.equity[2]).toBeCloseTo(459.1, 10);
    expect(Array.from(out.equity.subarray(3))).toEqual([0, 0]);
    expect(out.outOfMoney?.barIndex).toBe(3);
  });

  it('is out of money on the last bar when the final close-out’s costs take equity to zero or below', () => {
    const bars = barsFromRows([
      [100, 100, 100, 100],
      [100, 211, 100, 210.2],
    ]);
    const out = runEngine(
      bars,
      scriptedStrategy([-1]),
      testConfig({ initialCash: 1000, fixedFee: 5, fillAt: 'close' }),
    );
    // Short floor(995 / 100) = 9 @ 100: cash 1 895. Marked at 210.2: 1 895 − 1 891.8 = 3.2 > 0,
    // but the close-out fee of 5 leaves −1.8, shown as 0.
    expect(out.equity[1]).toBe(0);
    expect(out.trades[0]!.pnl).toBeCloseTo(-1001.8, 9);
    expect(out.outOfMoney).toEqual({ timeMs: bars.timeMs[1], barIndex: 1 });
  });

  it('leaves outOfMoney null on a normal run', () => {
    expect(runEngine(BARS, scriptedStrategy([1]), testConfig()).outOfMoney).toBeNull();
  });
});

/** Random valid bars: a positive walk with OHLC consistent, `move` the close-over-open change. */
const walkArbitrary = (move: fc.Arbitrary<number>) =>
  fc
    .array(
      fc.record({
        move,
        gap: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
        wick: fc.double({ min: 0, max: 0.05, noNaN: true }),
      }),
      { minLength: 2, maxLength: 60 },
    )
    .map((steps) => {
      let previous = 100;
      const rows = steps.map(({ move, gap, wick }) => {
        const open = previous * (1 + gap);
        const close = open * (1 + move);
        previous = close;
        return [open, Math.max(open, close) * (1 + wick), Math.min(open, close) * (1 - wick), close] as const;
      });
      return barsFromRows(rows);
    });

/**
 * Calm walks, plus rallies steep enough for a short to run out of money (whole-percent moves:
 * fast-check's doubles cluster on a few values, and about one rally run in six goes broke).
 */
const barsArbitrary = fc.oneof(
  walkArbitrary(fc.double({ min: -0.2, max: 0.2, noNaN: true })),
  walkArbitrary(fc.integer({ min: -15, max: 70 }).map((pct) => pct / 100)),
);

const decisionsArbitrary = fc.array(fc.constantFrom<Direction | undefined>(1, 0, -1, undefined), { maxLength: 60 });

describe('runEngine properties', () => {
  it('equity at each close equals cash plus the marked position, rebuilt from the trades', () => {
    fc.assert(
      fc.property(
        barsArbitrary,
        decisionsArbitrary,
        fc.constantFrom('next-open' as const, 'close' as const),
        fc.record({
          commission: fc.double({ min: 0, max: 0.01, noNaN: true }),
          slippageBps: fc.integer({ min: 0, max: 50 }),
        }),
        (bars, decisions, fillAt, costs) => {
          const config = testConfig({ fillAt, ...costs });
          const out = runEngine(bars, scriptedStrategy(decisions), config);
          // From the bar where the account ran out of money, the curve is 0 and what the trades
          // add up to is at or below 0 (the loss beyond the account is not carried).
          const broke = out.outOfMoney?.barIndex ?? bars.length;
          for (let k = 0; k < bars.length; k++) {
            let expected = config.initialCash;
            for (const t of out.trades) {
              if (t.exitIndex <= k) expected += t.pnl;
              else if (t.entryIndex <= k) {
                // Open at this close: entry cost already paid, position marked at the close.
                const sign = t.side === 'long' ? 1 : -1;
                expected += sign * ((bars.close[k] as number) - t.entryPrice) * t.quantity - entryCostOf(t, config);
              }
            }
            if (k < broke) expect(out.equity[k]).toBeCloseTo(expected, 6);
            else {
              expect(out.equity[k]).toBe(0);
              expect(expected).toBeLessThanOrEqual(1e-6);
            }
          }
        },
      ),
    );
  });

  it('never shows negative equity; once out of money, the curve stays 0 and nothing trades', () => {
    fc.assert(
      fc.property(
        barsArbitrary,
        decisionsArbitrary,
        fc.constantFrom('next-open' as const, 'close' as const),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        (bars, decisions, fillAt, commission) => {
          const out = runEngine(bars, scriptedStrategy(decisions), testConfig({ fillAt, commission }));
          expect(out.equity.every((e) => e >= 0)).toBe(true);
          const firstZero = out.equity.findIndex((e) => e <= 0);
          if (out.outOfMoney === null) {
            expect(firstZero).toBe(-1);
            return;
          }
          const { barIndex, timeMs } = out.outOfMoney;
          expect(timeMs).toBe(bars.timeMs[barIndex]);
          expect(firstZero).toBe(barIndex);
          expect(out.equity.subarray(barIndex).every((e) => e === 0)).toBe(true);
          expect(out.trades.every((t) => t.exitIndex <= barIndex)).toBe(true);
        },
      ),
    );
  });

  it('with no costs, trade P&L sums to final equity minus initial cash', () => {
    fc.assert(
      fc.property(barsArbitrary, decisionsArbitrary, fc.boolean(), (bars, decisions, fractional) => {
        const config = testConfig({ fractional });
        const out = runEngine(bars, scriptedStrategy(decisions), config);
        const sum = out.trades.reduce((acc, t) => acc + t.pnl, 0);
        const final = out.equity[bars.length - 1] as number;
        // Out of money: the final 0 hides a loss that can exceed the account.
        if (out.outOfMoney === null) expect(sum).toBeCloseTo(final - config.initialCash, 6);
        else {
          expect(final).toBe(0);
          expect(config.initialCash + sum).toBeLessThanOrEqual(1e-6);
        }
      }),
    );
  });

  it('never lets cash go negative on entries without leverage', () => {
    fc.assert(
      fc.property(barsArbitrary, decisionsArbitrary, (bars, decisions) => {
        const config = testConfig({ commission: 0.002, fixedFee: 3 });
        const out = runEngine(bars, scriptedStrategy(decisions), config);
        for (const t of out.trades) {
          if (t.side === 'long')
            expect(t.quantity * t.entryPrice + entryCostOf(t, config)).toBeLessThanOrEqual(
              config.initialCash + sumPnlBefore(out.trades, t) + 1e-6,
            );
        }
      }),
    );
  });
});

function entryCostOf(
  t: { quantity: number; entryPrice: number },
  config: { commission: number; fixedFee: number },
): number {
  return t.quantity * t.entryPrice * config.commission + config.fixedFee;
}

function sumPnlBefore(trades: readonly { pnl: number }[], trade: object): number {
  let sum = 0;
  for (const t of trades) {
    if (t === trade) break;
    sum += t.pnl;
  }
  return sum;
}

it('handles a single bar', () => {
  const one = createBarSeries('ONE', '1Day', {
    timeMs: Float64Array.of(0),
    open: Float64Array.of(10),
    high: Float64Array.of(11),
    low: Float64Array.of(9),
    close: Float64Array.of(10),
    volume: Float64Array.of(0),
  });
  const out = runEngine(one, scriptedStrategy([1]), testConfig({ fillAt: 'close', commission: 0.001 }));
  // Buy 999 @ 10 (10 × 1.001 per unit), close out at once: P&L = −(9.99 + 9.99) = −19.98.
  expect(out.trades).toHaveLength(1);
  expect(out.trades[0]!.pnl).toBeCloseTo(-19.98, 10);
  expect(out.equity[0]).toBeCloseTo(10_000 - 19.98, 10);
});
