import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Timeframe } from '../core/timeframe.js';
import { fingerprintBars } from './fingerprint-bars.js';
import { generateSyntheticBars } from './synthetic-bars.js';
import { findBarProblems } from './validate-bars.js';

describe('generateSyntheticBars', () => {
  it('gives the same bars for the same seed and different bars for another', () => {
    const a = generateSyntheticBars({ count: 1000, seed: 42 });
    const b = generateSyntheticBars({ count: 1000, seed: 42 });
    const c = generateSyntheticBars({ count: 1000, seed: 43 });
    expect(fingerprintBars(a)).toEqual(fingerprintBars(b));
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(fingerprintBars(c).sha256).not.toBe(fingerprintBars(a).sha256);
  });

  it('pins the first bar of seed 42, so a change to the generator shows', () => {
    const bars = generateSyntheticBars({ count: 1, seed: 42 });
    // Recomputed independently in Python: mulberry32(42) gives u1, u2 (close), u3, u4 (wicks), u5;
    // close = 100 * exp(0.01 * sqrt(-2 ln(1 - u1)) * cos(2 pi u2)); volume = 1000 + floor(u5 * 999000).
    expect(bars.open[0]).toBe(100);
    expect(bars.close[0]).toBe(98.7233806507099);
    expect(bars.volume[0]).toBe(175_639);
  });

  it('applies the defaults and the options', () => {
    const defaults = generateSyntheticBars({ count: 2, seed: 1 });
    expect(defaults.symbol).toBe('SYNTH');
    expect(defaults.timeframe).toBe('1Day');
    // 2020-01-01T00:00:00Z, then one day (86_400_000 ms) later.
    expect(Array.from(defaults.timeMs)).toEqual([1_577_836_800_000, 1_577_923_200_000]);

    const custom = generateSyntheticBars({
      count: 3,
      seed: 1,
      symbol: 'FAKE',
      timeframe: Timeframe.FiveMinutes,
      startTimeMs: 1_000_000_000_000,
      startPrice: 2,
    });
    expect(custom.symbol).toBe('FAKE');
    expect(custom.timeframe).toBe('5Min');
    // Five minutes = 300_000 ms apart.
    expect(Array.from(custom.timeMs)).toEqual([1_000_000_000_000, 1_000_000_300_000, 1_000_000_600_000]);
    expect(custom.open[0]).toBe(2);
  });

  it('makes valid bars that chain open to the previous close, for any seed and start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
        (seed, count, startPrice) => {
          const bars = generateSyntheticBars({ count, seed, startPrice });
          expect(bars.length).toBe(count);
          expect(findBarProblems(bars)).toEqual([]);
          expect(bars.open[0]).toBe(startPrice);
          // One assertion per run: expect() inside the loop would dominate the test's time.
          let firstBroken = -1;
          for (let i = 0; i < count && firstBroken < 0; i++) {
            const volume = bars.volume[i] as number;
            const chained = i === 0 || bars.open[i] === bars.close[i - 1];
            const volumeOk = Number.isInteger(volume) && volume >= 1000 && volume < 1_000_000;
            if (!chained || !volumeOk || !((bars.low[i] as number) > 0)) firstBroken = i;
          }
          expect(firstBroken).toBe(-1);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps every invariant over a million bars', () => {
    const bars = generateSyntheticBars({ count: 1_000_000, seed: 7, timeframe: Timeframe.OneMinute });
    expect(bars.length).toBe(1_000_000);
    expect(findBarProblems(bars)).toEqual([]);
  });

  it.each([
    [{ count: -1, seed: 1 }, 'synthetic bars: count must be a whole number >= 0, not -1'],
    [{ count: 1.5, seed: 1 }, 'synthetic bars: count must be a whole number >= 0, not 1.5'],
    [{ count: 1, seed: 1, startPrice: 0 }, 'synthetic bars: startPrice must be a finite number > 0, not 0'],
    [{ count: 1, seed: Number.NaN }, 'synthetic bars: seed must be a finite number, not NaN'],
    [{ count: 1, seed: 1, startTimeMs: Infinity }, 'synthetic bars: startTimeMs must be a finite number, not Infinity'],
  ])('refuses %j', (options, message) => {
    expect(() => generateSyntheticBars(options)).toThrow(new ConfigError(message));
  });
});
