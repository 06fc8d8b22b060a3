import { describe, expect, it } from 'vitest';
import { RollingMean } from './rolling-mean.js';

describe('RollingMean', () => {
  it('is NaN until the window is full, then the mean of the last period values', () => {
    const mean = new RollingMean(3);
    const out = [4, 8, 6, 10, 1, 1].map((value) => mean.push(value));
    // (4+8+6)/3 = 6; (8+6+10)/3 = 8; (6+10+1)/3 = 17/3; (10+1+1)/3 = 4
    expect(out.slice(0, 2)).toEqual([Number.NaN, Number.NaN]);
    expect(out.slice(2)).toEqual([6, 8, 17 / 3, 4]);
    expect(mean.value).toBe(4);
  });

  it('with period 1 is the value itself', () => {
    const mean = new RollingMean(1);
    expect([5, 7, 2].map((value) => mean.push(value))).toEqual([5, 7, 2]);
  });

  it('re-adds the window when it wraps, so a huge value that left the window leaves no residue', () => {
    const mean = new RollingMean(3);
    // 1e17 + 1 rounds to 1e17, so a pure add/subtract sum would lose the small values for good.
    const out = [1e17, 1, 1, 1, 1, 1].map((value) => mean.push(value));
    // The 6th push wraps the ring: the sum is re-added from [1, 1, 1] = 3, mean exactly 1.
    expect(out[5]).toBe(1);
  });

  it('matches a from-scratch mean on a long series within rounding', () => {
    const period = 7;
    const mean = new RollingMean(period);
    const values = Array.from({ length: 5000 }, (_, i) => 100 + 50 * Math.sin(i / 13) + (i % 17) / 10);
    values.forEach((value, i) => {
      const got = mean.push(value);
      if (i + 1 < period) return;
      let sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
      expect(Math.abs(got - sum / period)).toBeLessThan(1e-10);
    });
  });

  it('rejects a period that is not a whole number of at least 1', () => {
    expect(() => new RollingMean(0)).toThrow(RangeError);
    expect(() => new RollingMean(2.5)).toThrow(RangeError);
  });
});
