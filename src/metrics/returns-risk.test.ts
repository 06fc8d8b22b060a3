import { describe, expect, it } from 'vitest';
import {
  barReturns,
  buyAndHoldReturnPct,
  cagrPct,
  nanToNull,
  periodsPerYear,
  riskFreePerBar,
  sharpeRatio,
  sharpeRatioFromSummary,
  sortinoRatio,
  sortinoRatioFromSummary,
  spanYears,
  summarizeEquityReturns,
  summarizeReturns,
  totalReturnPct,
  volatilityPct,
  volatilityPctFromSummary,
  YEAR_MS,
} from './returns-risk.js';

const DAY_MS = 86_400_000;
const daily = (n: number): Float64Array => Float64Array.from({ length: n }, (_, k) => 1_700_000_000_000 + k * DAY_MS);

// The worked example used throughout: equity [100, 110, 99, 120] on consecutive calendar days.
//   r = 110/100 − 1 = 0.1,  99/110 − 1 = −0.1,  120/99 − 1 = 7/33 = 0.212121…
//   mean = (1/10 − 1/10 + 7/33) / 3 = 7/99 = 0.0707070707…
//   deviations: 29/990, −169/990, 140/990; squares sum (841 + 28561 + 19600) / 990² = 49002/980100
//   sample var = 49002/980100 / 2 = 24501/980100 = 0.02499846954…;  std = √24501 / 990 = 0.15810904320…
//   ppy = 3 × YEAR_MS / (3 days) = 365.25, √365.25 = 19.11151485…
const EQUITY = new Float64Array([100, 110, 99, 120]);
const TIMES = daily(4);
const MEAN = 7 / 99;
const STD = Math.sqrt(24501) / 990;

describe('periodsPerYear', () => {
  it('is 365.25 for calendar-day bars and 52.18 for weekly bars', () => {
    expect(periodsPerYear(TIMES)).toBeCloseTo(365.25, 10);
    // 2 × YEAR_MS / (2 × 7 days) = 365.25 / 7 = 52.178571…
    const weekly = new Float64Array([0, 7 * DAY_MS, 14 * DAY_MS]);
    expect(periodsPerYear(weekly)).toBeCloseTo(52.178571428571, 10);
  });

  it('is about 252 for weekday bars and 8766 for round-the-clock hourly bars', () => {
    // Hourly: (n − 1) × YEAR_MS / ((n − 1) × 3_600_000) = 8766 exactly.
    const hourly = Float64Array.from({ length: 50 }, (_, k) => k * 3_600_000);
    expect(periodsPerYear(hourly)).toBeCloseTo(8766, 8);
    // Weekdays only, over 5 weeks starting Monday: 25 bars spanning 32 days →
    // 24 × 365.25 / 32 = 273.9375 (no holidays, so above 252).
    const weekdays: number[] = [];
    for (let d = 0; weekdays.length < 25; d++) if (d % 7 < 5) weekdays.push(d * DAY_MS);
    expect(periodsPerYear(Float64Array.from(weekdays))).toBeCloseTo(273.9375, 10);
  });

  it('is null with fewer than two bars', () => {
    expect(periodsPerYear(new Float64Array([5]))).toBeNull();
    expect(periodsPerYear(new Float64Array([]))).toBeNull();
  });
});

describe('spanYears', () => {
  it('divides the time span by 365.25 days', () => {
    expect(spanYears(new Float64Array([0, YEAR_MS, 2 * YEAR_MS]))).toBeCloseTo(2, 12);
    // 3 days / 365.25 days = 0.0082135523…
    expect(spanYears(TIMES)).toBeCloseTo(0.0082135523613963, 14);
    expect(spanYears(new Float64Array([7]))).toBe(0);
  });
});

describe('totalReturnPct and buyAndHoldReturnPct', () => {
  it('are (last / first − 1) × 100', () => {
    // 120/100 − 1 = 0.2 → 20 %
    expect(totalReturnPct(100, 120)).toBeCloseTo(20, 12);
    // 80/100 − 1 = −0.2 → −20 %
    expect(totalReturnPct(100, 80)).toBeCloseTo(-20, 12);
    // 45/50 − 1 = −0.1 → −10 %
    expect(buyAndHoldReturnPct(50, 45)).toBeCloseTo(-10, 12);
  });
});

describe('cagrPct', () => {
  it('compounds over the span in years', () => {
    // (121/100)^(1/2) − 1 = 1.1 − 1 → 10 %
    expect(cagrPct(100, 121, 2)).toBeCloseTo(10, 10);
    // (81/100)^(1/2) − 1 = 0.9 − 1 → −10 %
    expect(cagrPct(100, 81, 2)).toBeCloseTo(-10, 10);
    // (150/100)^(1/0.5) − 1 = 2.25 − 1 → 125 %
    expect(cagrPct(100, 150, 0.5)).toBeCloseTo(125, 10);
  });

  it('is null for a zero span and −100 when the account is gone', () => {
    expect(cagrPct(100, 120, 0)).toBeNull();
    expect(cagrPct(100, 0, 1)).toBe(-100);
    expect(cagrPct(100, -5, 1)).toBe(-100);
  });
});

describe('barReturns', () => {
  it('gives n − 1 simple returns', () => {
    const r = barReturns(EQUITY);
    expect(r.length).toBe(3);
    expect(r[0]).toBeCloseTo(0.1, 14);
    expect(r[1]).toBeCloseTo(-0.1, 14);
    expect(r[2]).toBeCloseTo(7 / 33, 14);
    expect(barReturns(new Float64Array([100])).length).toBe(0);
  });

  it('counts a return from 0 to 0 as 0 (the tail of a run that ran out of money)', () => {
    expect(Array.from(barReturns(new Float64Array([100, 50, 0, 0])))).toEqual([-0.5, -1, 0]);
    // Any other return from zero stays undefined.
    expect(barReturns(new Float64Array([100, 0, 10]))[1]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('riskFreePerBar', () => {
  it('de-compounds the annual rate', () => {
    // 1.02^(1/365.25) − 1 = 0.0000542181…
    expect(riskFreePerBar(0.02, 365.25)).toBeCloseTo(5.421810847860975e-5, 16);
    // 1.21^(1/2) − 1 = 0.1
    expect(riskFreePerBar(0.21, 2)).toBeCloseTo(0.1, 14);
    expect(riskFreePerBar(0, 252)).toBe(0);
  });
});

describe('summarizeReturns and summarizeEquityReturns', () => {
  it('give the hand-computed mean and sample std', () => {
    const s = summarizeReturns(barReturns(EQUITY), 0);
    if (s === null) throw new Error('summary expected');
    expect(s.count).toBe(3);
    expect(s.mean).toBeCloseTo(MEAN, 14);
    expect(s.sampleStd).toBeCloseTo(STD, 14);
    // Downside against 0: only −0.1 counts → √(0.01 / 3) = 0.0577350269…
    expect(s.downsideDev).toBeCloseTo(Math.sqrt(0.01 / 3), 14);
  });

  it('agree with each other without allocating the returns', () => {
    expect(summarizeEquityReturns(EQUITY, 0.001)).toEqual(summarizeReturns(barReturns(EQUITY), 0.001));
  });

  it('gives exactly zero std for a flat curve', () => {
    const s = summarizeEquityReturns(new Float64Array([100, 100, 100, 100]), 0);
    expect(s?.sampleStd).toBe(0);
    expect(s?.mean).toBe(0);
  });

  it('stays accurate for tiny, nearly equal returns where Σr² − n·mean² would cancel', () => {
    // Returns 1e-4 + {0, 1e-12, 2e-12}: sample std of {0, 1, 2}·1e-12 is exactly 1e-12.
    const r = new Float64Array([1e-4, 1e-4 + 1e-12, 1e-4 + 2e-12]);
    // The rounding of 1e-4 + k·1e-12 is about 1e-20, so the ratio is 1 to about eight digits.
    expect((summarizeReturns(r, 0)?.sampleStd ?? 0) / 1e-12).toBeCloseTo(1, 6);
  });

  it('is null when a return is undefined (equity at or below zero before the last bar, or not finite)', () => {
    expect(summarizeEquityReturns(new Float64Array([100, 0, 50]), 0)).toBeNull();
    expect(summarizeEquityReturns(new Float64Array([100, -10, 50]), 0)).toBeNull();
    expect(summarizeEquityReturns(new Float64Array([100, Number.NaN, 50]), 0)).toBeNull();
    expect(summarizeEquityReturns(new Float64Array([100, 110, Number.POSITIVE_INFINITY]), 0)).toBeNull();
    // 1e-300 → 1e300 is a finite return whose square overflows.
    expect(summarizeEquityReturns(new Float64Array([1e-300, 1e300, 1]), 0)).toBeNull();
    expect(summarizeReturns(new Float64Array([0, 1e200]), 0)).toBeNull();
    // Reaching zero on the last bar is a defined return of −100 %.
    expect(summarizeEquityReturns(new Float64Array([100, 50, 0]), 0)?.mean).toBeCloseTo((-0.5 - 1) / 2, 14);
  });

  it('summarize a zero tail: −100 % into the first zero, then returns of 0', () => {
    // r = −0.5, −1, 0, 0: mean −0.375; deviations −0.125, −0.625, 0.375, 0.375 → Σ² = 0.6875,
    // sample std √(0.6875 / 3); downside vs 0: √((0.25 + 1) / 4) = √0.3125.
    const equity = new Float64Array([100, 50, 0, 0, 0]);
    const s = summarizeEquityReturns(equity, 0);
    if (s === null) throw new Error('summary expected');
    expect(s.count).toBe(4);
    expect(s.mean).toBe(-0.375);
    expect(s.sampleStd).toBeCloseTo(Math.sqrt(0.6875 / 3), 14);
    expect(s.downsideDev).toBeCloseTo(Math.sqrt(0.3125), 14);
    expect(s).toEqual(summarizeReturns(barReturns(equity), 0));
  });

  it('has count 0 for a single point', () => {
    expect(summarizeEquityReturns(new Float64Array([100]), 0)?.count).toBe(0);
  });
});

describe('volatilityPct', () => {
  it('annualizes the sample std', () => {
    // 0.15810904320… × √365.25 × 100 = 302.17033277…
    expect(volatilityPct(barReturns(EQUITY), 365.25)).toBeCloseTo(302.1703327747162, 9);
  });

  it('is null with fewer than two returns or no ppy', () => {
    expect(volatilityPct(new Float64Array([0.1]), 252)).toBeNull();
    expect(volatilityPct(new Float64Array([]), 252)).toBeNull();
    expect(volatilityPct(new Float64Array([0.1, 0.2]), null)).toBeNull();
    expect(volatilityPctFromSummary(null, 252)).toBeNull();
  });

  it('is 0 for a flat curve', () => {
    expect(volatilityPct(new Float64Array([0, 0, 0]), 252)).toBe(0);
  });
});

describe('sharpeRatio', () => {
  it('matches the hand computation with no risk-free rate', () => {
    // (7/99) / 0.15810904320… × √365.25 = 0.44720… × 19.11151… = 8.54675485…
    expect(sharpeRatio(barReturns(EQUITY), 365.25, 0)).toBeCloseTo(8.546754851348046, 9);
  });

  it('subtracts the per-bar risk-free rate from the mean', () => {
    // rfPerBar = 1.02^(1/365.25) − 1 = 0.0000542181…
    // (0.0707070707… − 0.0000542181…) / 0.15810904320… × 19.11151485… = 8.54020120…
    expect(sharpeRatio(barReturns(EQUITY), 365.25, 0.02)).toBeCloseTo(8.540201208592993, 9);
  });

  it('is null for zero variance, fewer than two returns or no ppy', () => {
    expect(sharpeRatio(new Float64Array([0.01, 0.01, 0.01]), 252, 0)).toBeNull();
    expect(sharpeRatio(new Float64Array([0, 0]), 252, 0.02)).toBeNull();
    expect(sharpeRatio(new Float64Array([0.1]), 252, 0)).toBeNull();
    expect(sharpeRatio(new Float64Array([0.1, 0.2]), null, 0)).toBeNull();
    expect(sharpeRatioFromSummary(null, 252)).toBeNull();
  });
});

describe('sortinoRatio', () => {
  it('divides the mean excess by the downside deviation over all returns', () => {
    // downsideDev = √((−0.1)² / 3) = 0.0577350269…
    // (7/99) / 0.0577350269… × 19.11151485… = 1.22474487… × 19.11151485… = 23.40553567…
    expect(sortinoRatio(barReturns(EQUITY), 365.25, 0)).toBeCloseTo(23.40553567196932, 8);
  });

  it('measures the downside against the per-bar risk-free rate', () => {
    // rfPerBar = 0.0000542181…; downsideDev = √((−0.1 − 0.0000542181…)² / 3) = 0.0577663297…
    // (0.0707070707… − 0.0000542181…) / 0.0577663297… × 19.11151485… = 23.37491489…
    expect(sortinoRatio(barReturns(EQUITY), 365.25, 0.02)).toBeCloseTo(23.37491489477857, 8);
  });

  it('is Infinity with no downside and a positive mean excess, null otherwise', () => {
    expect(sortinoRatio(new Float64Array([0.01, 0.02, 0.03]), 252, 0)).toBe(Number.POSITIVE_INFINITY);
    // All returns exactly at the risk-free rate: no downside, no excess → undefined.
    expect(sortinoRatio(new Float64Array([0, 0, 0]), 252, 0)).toBeNull();
  });

  it('is null with fewer than two returns or no ppy', () => {
    expect(sortinoRatio(new Float64Array([-0.1]), 252, 0)).toBeNull();
    expect(sortinoRatio(new Float64Array([-0.1, 0.1]), null, 0)).toBeNull();
    expect(sortinoRatioFromSummary(null, 252)).toBeNull();
  });
});

describe('nanToNull', () => {
  it('maps NaN to null and keeps everything else', () => {
    expect(nanToNull(Number.NaN)).toBeNull();
    expect(nanToNull(null)).toBeNull();
    expect(nanToNull(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(nanToNull(-3.5)).toBe(-3.5);
  });
});
