import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barReturns } from './returns-risk.js';
import { equityReturnShape, returnShape } from './return-shape.js';

describe('returnShape', () => {
  it('uses population moments: skewness m₃/m₂^1.5 and non-excess kurtosis m₄/m₂²', () => {
    // Returns 0.1, −0.1, 0.2, 0: mean 0.05, deviations ±0.05, ±0.15; m₂ = 0.0125, m₃ = 0,
    // m₄ = 2.5625e−4, kurtosis = 2.5625e−4 / 0.0125² = 1.64.
    const symmetric = returnShape(new Float64Array([0.1, -0.1, 0.2, 0]));
    expect(symmetric?.skewness).toBeCloseTo(0, 14);
    expect(symmetric?.kurtosis).toBeCloseTo(1.64, 13);
    // One spike among n: skewness (n − 2)/√(n − 1), kurtosis (n² − 3n + 3)/(n − 1).
    const spike = returnShape(new Float64Array([0, 0, 0, 0, 0, 0, 0, 0, 0, -0.5]));
    expect(spike?.skewness).toBeCloseTo(-8 / 3, 13);
    expect(spike?.kurtosis).toBeCloseTo(73 / 9, 12);
    // Any three values have kurtosis 3/2; these agree with scipy.stats.skew (bias=True).
    const three = returnShape(new Float64Array([0.1, -0.1, 7 / 33]));
    expect(three?.skewness).toBeCloseTo(-0.3286804790713899, 13);
    expect(three?.kurtosis).toBeCloseTo(1.5, 13);
  });

  it('is undefined for fewer than two returns or no variance', () => {
    expect(returnShape(new Float64Array([]))).toBeNull();
    expect(returnShape(new Float64Array([0.3]))).toBeNull();
    expect(returnShape(new Float64Array([0.01, 0.01, 0.01]))).toBeNull();
  });

  it('does not depend on the level of the returns, only their spread', () => {
    const base = returnShape(new Float64Array([0.001, -0.002, 0.0005, 0.003]));
    const shifted = returnShape(new Float64Array([1.001, 0.998, 1.0005, 1.003]));
    expect(shifted?.skewness).toBeCloseTo(base?.skewness ?? Number.NaN, 9);
    expect(shifted?.kurtosis).toBeCloseTo(base?.kurtosis ?? Number.NaN, 9);
  });
});

describe('equityReturnShape', () => {
  it('agrees with returnShape of the bar returns, and keeps kurtosis ≥ 1 + skewness²', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 80 }), (values) => {
        const equity = Float64Array.from(values);
        const returns = barReturns(equity);
        const expected = returnShape(returns);
        const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
        const actual = equityReturnShape(equity, mean);
        expect(actual === null).toBe(expected === null);
        if (actual !== null && expected !== null) {
          expect(actual.skewness).toBeCloseTo(expected.skewness, 9);
          expect(actual.kurtosis).toBeCloseTo(expected.kurtosis, 9);
          expect(actual.kurtosis).toBeGreaterThanOrEqual((1 + actual.skewness ** 2) * (1 - 1e-12));
        }
      }),
    );
  });

  it('counts 0 → 0 as a return of 0 and is undefined after any other point at or below zero', () => {
    // 100 → 50 → 0 → 0: returns −0.5, −1, 0.
    expect(equityReturnShape(new Float64Array([100, 50, 0, 0]), -0.5)).toEqual(
      returnShape(new Float64Array([-0.5, -1, 0])),
    );
    expect(equityReturnShape(new Float64Array([100, 0, 10]), 0)).toBeNull();
    expect(equityReturnShape(new Float64Array([100, -5, -1]), 0)).toBeNull();
  });
});
