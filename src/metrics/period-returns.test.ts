import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { MAX_GRID_PERIODS, periodGridFor, periodReturns } from './period-returns.js';
import { barReturns } from './returns-risk.js';

describe('periodGridFor', () => {
  it('uses the fewest bars per period that leave at most 2,000 periods', () => {
    expect(periodGridFor(20_001)).toEqual({ barsPerPeriod: 10, periodCount: 2000 });
    expect(periodGridFor(20_000)).toEqual({ barsPerPeriod: 10, periodCount: 2000 });
    expect(periodGridFor(100_000)).toEqual({ barsPerPeriod: 50, periodCount: 2000 });
    expect(periodGridFor(2_001)).toEqual({ barsPerPeriod: 1, periodCount: 2000 });
    expect(periodGridFor(2_002)).toEqual({ barsPerPeriod: 2, periodCount: 1001 });
    expect(periodGridFor(1)).toEqual({ barsPerPeriod: 1, periodCount: 0 });
    expect(periodGridFor(0)).toEqual({ barsPerPeriod: 1, periodCount: 0 });
    for (const bars of [2, 3, 1999, 2000, 4001, 12_345, 1_000_000]) {
      expect(periodGridFor(bars).periodCount).toBeLessThanOrEqual(MAX_GRID_PERIODS);
    }
    expect(() => periodGridFor(-1)).toThrow(ConfigError);
  });
});

describe('periodReturns', () => {
  it('compounds the bar returns of each period; the last period may be shorter', () => {
    const equity = Float64Array.from([100, 110, 99, 99, 120, 60]);
    // 5 bar returns in periods of 2: (0→2), (2→4), (4→5).
    const periods = periodReturns(equity, { barsPerPeriod: 2, periodCount: 3 });
    const bars = barReturns(equity);
    const compounded = [0, 2, 4].map(
      (from) => bars.subarray(from, from + 2).reduce((growth, r) => growth * (1 + r), 1) - 1,
    );
    expect(periods).toHaveLength(3);
    periods.forEach((r, i) => expect(r).toBeCloseTo(compounded[i] as number, 14));
    expect([...periods]).toEqual([99 / 100 - 1, 120 / 99 - 1, 60 / 120 - 1]);
  });

  it('an account at 0 stays at 0: a total loss is −1, then 0', () => {
    const periods = periodReturns(Float64Array.from([100, 50, 0, 0, 0]), { barsPerPeriod: 2, periodCount: 2 });
    expect([...periods]).toEqual([-1, 0]);
  });

  it('refuses a grid that does not fit the curve', () => {
    expect(() => periodReturns(new Float64Array(10), { barsPerPeriod: 2, periodCount: 4 })).toThrow(
      /a grid of 4 periods of 2 bars does not fit an equity curve of 10 points \(9 bar returns\)/,
    );
  });
});
