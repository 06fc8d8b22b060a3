import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import {
  deflatedSharpeRatio,
  EULER_MASCHERONI,
  expectedMaxSharpe,
  probabilisticSharpeRatio,
} from './deflated-sharpe.js';

/**
 * The numerical example of Bailey and López de Prado, "The Deflated Sharpe Ratio" (Journal of
 * Portfolio Management, 2014): a strategy chosen as the best of N = 100 independent trials
 * shows an annualized Sharpe ratio of 2.5 over five years of daily returns (T = 1,250, 250 a
 * year); the trials' annualized Sharpe ratios have variance 1/2; the chosen returns have
 * skewness −3 and kurtosis 10. The paper finds SR₀ ≈ 0.1132 per day and DSR ≈ 0.9004: below
 * 0.95, so the strategy is not significant at 95 %. More digits from mpmath at 40 digits.
 */
const DAYS_PER_YEAR = 250;
const PAPER = {
  sharpe: 2.5 / Math.sqrt(DAYS_PER_YEAR),
  sharpeVariance: 0.5 / DAYS_PER_YEAR,
  trials: 100,
  observations: 1250,
  skewness: -3,
  kurtosis: 10,
} as const;

describe('the paper’s worked example', () => {
  it('reproduces SR₀ ≈ 0.1132 (1.7894 annualized) and DSR ≈ 0.9004', () => {
    const sr0 = expectedMaxSharpe(PAPER);
    expect(sr0).toBeCloseTo(0.1132, 4);
    expect(sr0 * Math.sqrt(DAYS_PER_YEAR)).toBeCloseTo(1.7894, 4);
    expect(Math.abs(sr0 - 0.11317200186513203)).toBeLessThan(1e-12);
    const dsr = deflatedSharpeRatio(PAPER);
    expect(dsr).toBeCloseTo(0.9004, 4);
    expect(Math.abs(dsr - 0.900396834449391)).toBeLessThan(1e-12);
    expect(dsr).toBe(probabilisticSharpeRatio({ ...PAPER, benchmarkSharpe: sr0 }));
  });
});

describe('probabilisticSharpeRatio', () => {
  it('is Φ of the standardized distance to the benchmark', () => {
    // 0.1 × √251 / √(1 + (3 − 1)/4 × 0.01) = 1.58024…; Φ of it from mpmath.
    expect(
      probabilisticSharpeRatio({ sharpe: 0.1, benchmarkSharpe: 0, observations: 252, skewness: 0, kurtosis: 3 }),
    ).toBeCloseTo(0.9429868610243622, 13);
    // At the benchmark it is a coin toss; below it, under one half.
    const at = { sharpe: 0.05, benchmarkSharpe: 0.05, observations: 100, skewness: 1, kurtosis: 5 };
    expect(probabilisticSharpeRatio(at)).toBe(0.5);
    expect(probabilisticSharpeRatio({ ...at, sharpe: 0.01 })).toBeLessThan(0.5);
  });

  it('falls with negative skewness and fat tails, and rises with the track record', () => {
    const base = { sharpe: 0.08, benchmarkSharpe: 0, observations: 500, skewness: 0, kurtosis: 3 };
    const normal = probabilisticSharpeRatio(base);
    expect(probabilisticSharpeRatio({ ...base, skewness: -2 })).toBeLessThan(normal);
    expect(probabilisticSharpeRatio({ ...base, kurtosis: 12 })).toBeLessThan(normal);
    expect(probabilisticSharpeRatio({ ...base, observations: 2000 })).toBeGreaterThan(normal);
  });

  it('answers by the sign of the edge when skewness and kurtosis leave no variance', () => {
    // 1 − γ₃ SR + (γ₄ − 1)/4 SR² = 1 − 10 × 0.5 + 0 < 0: moments no sample can have.
    const input = { sharpe: 0.5, benchmarkSharpe: 0, observations: 10, skewness: 10, kurtosis: 1 };
    expect(probabilisticSharpeRatio(input)).toBe(1);
    expect(probabilisticSharpeRatio({ ...input, benchmarkSharpe: 0.6 })).toBe(0);
  });
});

describe('expectedMaxSharpe', () => {
  it('is 0 for one trial or no spread, and √V × the expected maximum of N standard normals', () => {
    expect(expectedMaxSharpe({ sharpeVariance: 0.3, trials: 1 })).toBe(0);
    expect(expectedMaxSharpe({ sharpeVariance: 0, trials: 1000 })).toBe(0);
    // N = 2: Φ⁻¹(1/2) = 0, so SR₀ = √V γ Φ⁻¹(1 − 1/(2e)); Φ⁻¹(0.816060…) = 0.900452596… (mpmath).
    expect(expectedMaxSharpe({ sharpeVariance: 4, trials: 2 })).toBeCloseTo(
      2 * EULER_MASCHERONI * 0.9004525966377903,
      12,
    );
  });

  it('grows with the number of trials and with their spread', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-8, max: 1, noNaN: true }),
        (trials, more, variance) => {
          const sr0 = expectedMaxSharpe({ sharpeVariance: variance, trials });
          const larger = expectedMaxSharpe({ sharpeVariance: variance, trials: trials + more });
          expect(sr0).toBeGreaterThanOrEqual(0);
          expect(larger).toBeGreaterThanOrEqual(sr0);
          // Strictly from 2 trials on; below about 1.28 the approximation is clamped at 0.
          if (trials >= 2) expect(larger).toBeGreaterThan(sr0);
          if (trials >= 2) expect(expectedMaxSharpe({ sharpeVariance: variance * 2, trials })).toBeGreaterThan(sr0);
        },
      ),
    );
    expect(expectedMaxSharpe({ sharpeVariance: 1, trials: 1.2 })).toBe(0);
    expect(expectedMaxSharpe({ sharpeVariance: 1, trials: 1.4 })).toBeGreaterThan(0);
  });
});

describe('deflatedSharpeRatio', () => {
  it('is the probabilistic Sharpe ratio against 0 with one trial', () => {
    const one = { ...PAPER, trials: 1 };
    expect(deflatedSharpeRatio(one)).toBe(probabilisticSharpeRatio({ ...one, benchmarkSharpe: 0 }));
  });

  it('falls as trials grow (property)', () => {
    // Moments any sample can have: kurtosis ≥ 1 + skewness².
    const shape = fc
      .tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }))
      .map(([skewness, extra]) => ({ skewness, kurtosis: 1 + skewness * skewness + extra }));
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: 1e-6, max: 0.05, noNaN: true }),
        fc.integer({ min: 2, max: 100_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        shape,
        (sharpe, sharpeVariance, observations, trials, more, { skewness, kurtosis }) => {
          const input = { sharpe, sharpeVariance, observations, skewness, kurtosis };
          const fewer = deflatedSharpeRatio({ ...input, trials });
          const many = deflatedSharpeRatio({ ...input, trials: trials + more });
          expect(many).toBeGreaterThanOrEqual(0);
          expect(fewer).toBeLessThanOrEqual(1);
          expect(many).toBeLessThanOrEqual(fewer);
          // Strictly, unless both are already 0 or 1 to double precision.
          if (fewer > 1e-300 && many < 1 - 1e-15) expect(many).toBeLessThan(fewer);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses inputs that have no meaning, naming them', () => {
    const bad = (change: Partial<Record<keyof typeof PAPER, number>>) => () =>
      deflatedSharpeRatio({ ...PAPER, ...change });
    expect(bad({ trials: 0.5 })).toThrow(new ConfigError('trials is 0.5; it must be at least 1'));
    expect(bad({ sharpeVariance: -1 })).toThrow(/sharpeVariance is -1; it must be a finite number, 0 or more/);
    expect(bad({ observations: 1 })).toThrow(/a Sharpe ratio needs at least 2 returns/);
    expect(bad({ kurtosis: 0 })).toThrow(/non-excess kurtosis: 3 for normal returns/);
    expect(bad({ sharpe: Number.NaN })).toThrow(/sharpe is NaN/);
    expect(bad({ skewness: Number.POSITIVE_INFINITY })).toThrow(ConfigError);
  });
});
