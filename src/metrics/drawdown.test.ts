import { describe, expect, it } from 'vitest';
import { calmarRatio, maxDrawdown } from './drawdown.js';

const curve = (...values: number[]): Float64Array => Float64Array.from(values);

describe('maxDrawdown', () => {
  it('measures the deepest fall from the running peak and how long it lasted', () => {
    // Peak 110 at bar 1; bar 2 = 99 → 99/110 − 1 = −0.1 → −10 %; bar 3 = 120 recovers, so 1 bar below.
    const dd = maxDrawdown(curve(100, 110, 99, 120));
    expect(dd.maxDrawdownPct).toBeCloseTo(-10, 12);
    expect(dd.maxDrawdownDurationBars).toBe(1);
  });

  it('keeps the deepest and the longest apart when they come from different drawdowns', () => {
    // First: peak 100, then 50 (−50 %), back to 100 at bar 2 → 1 bar below.
    // Second: peak 200 at bar 3, then 190, 180, 195 (worst 180/200 − 1 = −10 %), 200 recovers → 3 bars below.
    const dd = maxDrawdown(curve(100, 50, 100, 200, 190, 180, 195, 200));
    expect(dd.maxDrawdownPct).toBeCloseTo(-50, 12);
    expect(dd.maxDrawdownDurationBars).toBe(3);
  });

  it('runs to the end of the curve when the peak is never regained', () => {
    // Peak 120 at bar 1; bars 2..4 (90, 100, 110) stay below → 3 bars; worst 90/120 − 1 = −25 %.
    const dd = maxDrawdown(curve(100, 120, 90, 100, 110));
    expect(dd.maxDrawdownPct).toBeCloseTo(-25, 12);
    expect(dd.maxDrawdownDurationBars).toBe(3);
  });

  it('counts a return to exactly the peak as a recovery', () => {
    // 100 → 90 (below) → 100 (== peak, recovered) → 95 (below) → 100: two runs of 1 bar.
    expect(maxDrawdown(curve(100, 90, 100, 95, 100)).maxDrawdownDurationBars).toBe(1);
  });

  it('is zero for a flat, rising or single-point curve', () => {
    expect(maxDrawdown(curve(100, 100, 100))).toEqual({ maxDrawdownPct: 0, maxDrawdownDurationBars: 0 });
    expect(maxDrawdown(curve(1, 2, 3, 4))).toEqual({ maxDrawdownPct: 0, maxDrawdownDurationBars: 0 });
    expect(maxDrawdown(curve(100))).toEqual({ maxDrawdownPct: 0, maxDrawdownDurationBars: 0 });
    expect(maxDrawdown(curve())).toEqual({ maxDrawdownPct: 0, maxDrawdownDurationBars: 0 });
  });

  it('goes past −100 % when equity turns negative', () => {
    // −20/100 − 1 = −1.2 → −120 %
    expect(maxDrawdown(curve(100, 40, -20)).maxDrawdownPct).toBeCloseTo(-120, 12);
  });
});

describe('calmarRatio', () => {
  it('divides CAGR by the absolute max drawdown', () => {
    // 10 / |−5| = 2;  −6 / |−12| = −0.5
    expect(calmarRatio(10, -5)).toBeCloseTo(2, 14);
    expect(calmarRatio(-6, -12)).toBeCloseTo(-0.5, 14);
  });

  it('is Infinity with no drawdown and a positive CAGR, null otherwise', () => {
    expect(calmarRatio(7, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(calmarRatio(0, 0)).toBeNull();
    expect(calmarRatio(-3, 0)).toBeNull();
  });

  it('is null when CAGR is undefined', () => {
    expect(calmarRatio(null, -10)).toBeNull();
    expect(calmarRatio(Number.NaN, -10)).toBeNull();
  });
});
