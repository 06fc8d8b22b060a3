import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { downsampleEquity } from './downsample-equity.js';

const curve = (values: readonly number[]) => ({
  timeMs: Float64Array.from(values, (_, i) => i * 1000),
  equity: Float64Array.from(values),
});

describe('downsampleEquity', () => {
  it('copies curves that already fit', () => {
    const small = downsampleEquity(curve([1, 2, 3]));
    expect(Array.from(small.equity)).toEqual([1, 2, 3]);
    expect(Array.from(small.timeMs)).toEqual([0, 1000, 2000]);
  });

  it('keeps first, last and each bucket’s min and max, in time order', () => {
    // 10 points, maxPoints 6: 8 interior points in floor((6-2)/2) = 2 buckets, indices 1-4 and 5-8.
    // Bucket 1 values [5, 1, 9, 3]: min 1 at index 2, max 9 at index 3.
    // Bucket 2 values [4, 8, 2, 6]: max 8 at index 6, min 2 at index 7.
    const out = downsampleEquity(curve([0, 5, 1, 9, 3, 4, 8, 2, 6, 7]), 6);
    expect(Array.from(out.timeMs)).toEqual([0, 2000, 3000, 6000, 7000, 9000]);
    expect(Array.from(out.equity)).toEqual([0, 1, 9, 8, 2, 7]);
  });

  it('never exceeds the limit and always keeps first, last, peak and trough', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 4, max: 400 }),
        (values, maxPoints) => {
          const out = downsampleEquity(curve(values), maxPoints);
          expect(out.equity.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
          expect(out.timeMs[0]).toBe(0);
          expect(out.timeMs[out.timeMs.length - 1]).toBe((values.length - 1) * 1000);
          expect(Math.max(...out.equity)).toBe(Math.max(...values));
          expect(Math.min(...out.equity)).toBe(Math.min(...values));
          for (let i = 1; i < out.timeMs.length; i++)
            expect(out.timeMs[i]).toBeGreaterThan(out.timeMs[i - 1] as number);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses mismatched columns and a tiny limit', () => {
    expect(() => downsampleEquity({ timeMs: new Float64Array(2), equity: new Float64Array(3) })).toThrow(ConfigError);
    expect(() => downsampleEquity(curve([1, 2, 3, 4, 5]), 3)).toThrow(ConfigError);
  });
});
