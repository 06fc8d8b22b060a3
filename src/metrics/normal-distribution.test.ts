import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from './normal-distribution.js';

/** Relative distance, for values whose scale varies over hundreds of orders of magnitude. */
const relative = (actual: number, expected: number): number =>
  expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);

// Reference values from mpmath at 50 digits (`mp.ncdf`, and `findroot` on it for the quantiles),
// for the exact double given.
const CDF: readonly (readonly [number, number])[] = [
  [0, 0.5],
  [1, 0.8413447460685429],
  [-1, 0.15865525393145705],
  [1.96, 0.9750021048517795],
  [-1.96, 0.024997895148220435],
  [2, 0.9772498680518208],
  [-2, 0.02275013194817921],
  [2.8284271247461903, 0.9976611325094764],
  [-3, 0.0013498980316300946],
  [3, 0.9986501019683699],
  [5, 0.9999997133484281],
  [-5, 2.866515718791939e-7],
  [-6.5, 4.016000583859118e-11],
  [-8, 6.220960574271784e-16],
  [8, 0.9999999999999993],
  [-10, 7.619853024160525e-24],
  [-20, 2.7536241186062337e-89],
  [-37, 5.725571222524577e-300],
  [0.5, 0.6914624612740131],
  [-0.25, 0.4012936743170763],
];

const QUANTILE: readonly (readonly [number, number])[] = [
  [0.5, 0],
  [0.975, 1.9599639845400538],
  [0.99, 2.3263478740408408],
  [0.995, 2.5758293035489004],
  [0.999, 3.090232306167813],
  [0.001, -3.0902323061678136],
  [0.1, -1.2815515655446004],
  [0.9, 1.2815515655446006],
  [0.3, -0.5244005127080408],
  // Either side of Acklam's break points between the central and tail approximations.
  [0.024, -1.9773684281819468],
  [0.02425, -1.9729610513118847],
  [0.97575, 1.972961051311885],
  [1e-10, -6.361340902404057],
  [1e-300, -37.0470962993612],
  [0.999999999, 5.9978070196016375],
  [0.9999999999999, 7.3487545403000425],
  // The two the deflated Sharpe ratio takes for 100 trials: 1 − 1/100 and 1 − 1/(100 e).
  [0.9963212055882856, 2.6802104449668875],
];

describe('normalCdf', () => {
  it('matches reference values to 1e-9 absolute and 1e-12 relative, far into the lower tail', () => {
    for (const [x, expected] of CDF) {
      const actual = normalCdf(x);
      expect(Math.abs(actual - expected), `Φ(${x})`).toBeLessThan(1e-9);
      expect(relative(actual, expected), `Φ(${x})`).toBeLessThan(1e-12);
    }
  });

  it('is symmetric, monotone and bounded, and says NaN for NaN', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (x, step) => {
          const p = normalCdf(x);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(Math.abs(p + normalCdf(-x) - 1)).toBeLessThan(1e-15);
          expect(normalCdf(x + step)).toBeGreaterThanOrEqual(p);
        },
      ),
      { numRuns: 2000 },
    );
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it('matches reference values to 1e-9 absolute and 1e-12 relative', () => {
    for (const [p, expected] of QUANTILE) {
      const actual = normalQuantile(p);
      expect(Math.abs(actual - expected), `Φ⁻¹(${p})`).toBeLessThan(1e-9);
      expect(relative(actual, expected), `Φ⁻¹(${p})`).toBeLessThan(1e-12);
    }
  });

  it('inverts normalCdf', () => {
    // Above 5, Φ(x) is so close to 1 that the double holding it no longer pins x down to 1e-9.
    fc.assert(
      fc.property(fc.double({ min: -30, max: 5, noNaN: true }), (x) => {
        expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThan(1e-9 * Math.max(1, Math.abs(x)));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the infinities at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    for (const p of [-0.1, 1.5, Number.NaN]) expect(normalQuantile(p)).toBeNaN();
  });
});
