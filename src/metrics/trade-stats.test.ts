import { describe, expect, it } from 'vitest';
import {
  avgTradeDurationBars,
  avgTradePnl,
  bestTradePct,
  expectancyPct,
  exposurePct,
  profitFactor,
  systemQualityNumber,
  winRatePct,
  worstTradePct,
} from './trade-stats.js';

// Four trades used below:
//   pnl       30, −10, 0, 20      returnPct  6, −2, 0, 4      bars (exit − entry)  3, 1, 2, 6
const TRADES = [
  { pnl: 30, returnPct: 6, entryIndex: 0, exitIndex: 3 },
  { pnl: -10, returnPct: -2, entryIndex: 4, exitIndex: 5 },
  { pnl: 0, returnPct: 0, entryIndex: 6, exitIndex: 8 },
  { pnl: 20, returnPct: 4, entryIndex: 9, exitIndex: 15 },
] as const;

describe('winRatePct', () => {
  it('counts strictly positive P&L as wins', () => {
    // 2 wins (30, 20) out of 4; the break-even trade is not a win → 50 %
    expect(winRatePct(TRADES)).toBeCloseTo(50, 12);
    // 1 of 3 → 33.333…
    expect(winRatePct([{ pnl: 1 }, { pnl: -1 }, { pnl: -1 }])).toBeCloseTo(100 / 3, 12);
  });

  it('is null with no trades', () => {
    expect(winRatePct([])).toBeNull();
  });
});

describe('profitFactor', () => {
  it('divides gross profit by gross loss', () => {
    // (30 + 20) / |−10| = 5
    expect(profitFactor(TRADES)).toBeCloseTo(5, 12);
    // 12 / |−5 − 3| = 1.5
    expect(profitFactor([{ pnl: 12 }, { pnl: -5 }, { pnl: -3 }])).toBeCloseTo(1.5, 12);
  });

  it('is Infinity with profit and no losing trade', () => {
    expect(profitFactor([{ pnl: 5 }, { pnl: 0 }])).toBe(Number.POSITIVE_INFINITY);
  });

  it('is 0 with losses only, null with no trades or only break-even trades', () => {
    expect(profitFactor([{ pnl: -5 }])).toBe(0);
    expect(profitFactor([])).toBeNull();
    expect(profitFactor([{ pnl: 0 }, { pnl: 0 }])).toBeNull();
  });
});

describe('avgTradePnl, expectancyPct, avgTradeDurationBars', () => {
  it('average P&L, return and length', () => {
    // (30 − 10 + 0 + 20) / 4 = 10
    expect(avgTradePnl(TRADES)).toBeCloseTo(10, 12);
    // (6 − 2 + 0 + 4) / 4 = 2 % per trade
    expect(expectancyPct(TRADES)).toBeCloseTo(2, 12);
    // (3 + 1 + 2 + 6) / 4 = 3 bars
    expect(avgTradeDurationBars(TRADES)).toBeCloseTo(3, 12);
  });

  it('are null with no trades', () => {
    expect(avgTradePnl([])).toBeNull();
    expect(expectancyPct([])).toBeNull();
    expect(avgTradeDurationBars([])).toBeNull();
  });
});

describe('bestTradePct and worstTradePct', () => {
  it('pick the highest and lowest returnPct', () => {
    expect(bestTradePct(TRADES)).toBe(6);
    expect(worstTradePct(TRADES)).toBe(-2);
    expect(bestTradePct([{ returnPct: -3 }])).toBe(-3);
    expect(worstTradePct([{ returnPct: -3 }])).toBe(-3);
  });

  it('are null with no trades', () => {
    expect(bestTradePct([])).toBeNull();
    expect(worstTradePct([])).toBeNull();
  });
});

describe('systemQualityNumber', () => {
  it('is √N × mean / sample std of P&L', () => {
    // mean 10; deviations 20, −20, −10, 10 → squares 400 + 400 + 100 + 100 = 1000;
    // sample var 1000 / 3 = 333.33…, std 18.2574186…; SQN = √4 × 10 / 18.2574186… = 1.0954451…
    expect(systemQualityNumber(TRADES)).toBeCloseTo(1.0954451150103321, 12);
    // pnl 30, −10, 10: mean 10, deviations 20, −20, 0 → var 800 / 2 = 400, std 20; √3 × 10 / 20 = 0.8660254…
    expect(systemQualityNumber([{ pnl: 30 }, { pnl: -10 }, { pnl: 10 }])).toBeCloseTo(0.8660254037844386, 12);
  });

  it('is null with fewer than two trades or equal P&Ls', () => {
    expect(systemQualityNumber([])).toBeNull();
    expect(systemQualityNumber([{ pnl: 50 }])).toBeNull();
    expect(systemQualityNumber([{ pnl: 0.1 }, { pnl: 0.1 }, { pnl: 0.1 }])).toBeNull();
  });
});

describe('exposurePct', () => {
  it('is the share of bars in the market', () => {
    // 25 / 100 × 100 = 25 %;  1 / 3 × 100 = 33.33…
    expect(exposurePct(25, 100)).toBeCloseTo(25, 12);
    expect(exposurePct(1, 3)).toBeCloseTo(100 / 3, 12);
    expect(exposurePct(0, 10)).toBe(0);
    expect(exposurePct(0, 0)).toBe(0);
  });
});
