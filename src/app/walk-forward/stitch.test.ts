import { describe, expect, it } from 'vitest';
import type { Trade } from '../../core/result.js';
import { barsFromRows } from '../../engine/test-bars.js';
import { stitchTestSpans } from './stitch.js';

const BARS = barsFromRows(Array.from({ length: 10 }, (_, i) => [100 + i, 101 + i, 99 + i, 100 + i] as const));

const trade = (entryIndex: number, exitIndex: number, pnl: number): Trade => ({
  side: 'long',
  quantity: 10,
  entryIndex,
  exitIndex,
  entryTimeMs: 0,
  exitTimeMs: 0,
  entryPrice: 100,
  exitPrice: 101,
  pnl,
  returnPct: 1,
  costs: 2,
});

describe('stitchTestSpans', () => {
  it('chains the windows from the initial cash: continuous, each window’s returns kept, trades scaled', () => {
    const stitched = stitchTestSpans(
      BARS,
      [
        {
          from: 2,
          to: 5,
          run: {
            equity: Float64Array.from([1000, 1100, 1200]),
            trades: [trade(0, 2, 200)],
            barsInMarket: 2,
            skippedOrders: 0,
            outOfMoney: null,
          },
        },
        { from: 5, to: 7 }, // flat: no configuration qualified
        {
          from: 7,
          to: 10,
          run: {
            equity: Float64Array.from([990, 1050, 900]),
            trades: [trade(0, 2, -100)],
            barsInMarket: 3,
            skippedOrders: 1,
            outOfMoney: null,
          },
        },
      ],
      1000,
    );
    expect(Array.from(stitched.equity)).toEqual([1000, 1100, 1200, 1200, 1200, 1188, 1260, 1080]);
    expect(Array.from(stitched.bars.timeMs)).toEqual(Array.from(BARS.timeMs.subarray(2, 10)));
    expect(Array.from(stitched.bars.close)).toEqual(Array.from(BARS.close.subarray(2, 10)));
    expect(stitched.windowEndEquity).toEqual([1200, 1200, 1080]);
    expect(stitched.trades).toEqual([
      { ...trade(0, 2, 200) },
      { ...trade(5, 7, -100), quantity: 12, pnl: -120, costs: 2.4 },
    ]);
    // The scaled trades' P&L adds up to the curve's change.
    expect(stitched.trades.reduce((sum, t) => sum + t.pnl, 0)).toBeCloseTo(1080 - 1000, 9);
    expect(stitched.barsInMarket).toBe(5);
    expect(stitched.skippedOrders).toBe(1);
    expect(stitched.outOfMoney).toBeNull();
  });

  it('a window that runs out of money leaves the account at 0: later windows add nothing', () => {
    const stitched = stitchTestSpans(
      BARS,
      [
        {
          from: 0,
          to: 3,
          run: {
            equity: Float64Array.from([1000, 0, 0]),
            trades: [trade(0, 1, -1000)],
            barsInMarket: 1,
            skippedOrders: 0,
            outOfMoney: { timeMs: 5, barIndex: 1 },
          },
        },
        {
          from: 3,
          to: 5,
          run: {
            equity: Float64Array.from([1000, 1500]),
            trades: [trade(0, 1, 500)],
            barsInMarket: 2,
            skippedOrders: 0,
            outOfMoney: null,
          },
        },
      ],
      1000,
    );
    expect(Array.from(stitched.equity)).toEqual([1000, 0, 0, 0, 0]);
    expect(stitched.trades).toHaveLength(1);
    expect(stitched.outOfMoney).toEqual({ timeMs: 5, barIndex: 1 });
    expect(stitched.barsInMarket).toBe(1);
  });
});
