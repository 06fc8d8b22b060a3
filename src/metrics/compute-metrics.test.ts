import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InternalError } from '../core/errors.js';
import type { Metrics, Trade } from '../core/result.js';
import { computeMetrics, type MetricsInput } from './compute-metrics.js';
import { calmarRatio, maxDrawdown } from './drawdown.js';
import {
  barReturns,
  cagrPct,
  periodsPerYear,
  sharpeRatio,
  sortinoRatio,
  spanYears,
  volatilityPct,
  YEAR_MS,
} from './returns-risk.js';
import { returnShape } from './return-shape.js';
import { profitFactor, systemQualityNumber, winRatePct } from './trade-stats.js';

const T0 = Date.UTC(2020, 0, 1);

function trade(pnl: number, returnPct: number, entryIndex: number, exitIndex: number): Trade {
  return {
    side: 'long',
    quantity: 1,
    entryIndex,
    exitIndex,
    entryTimeMs: T0 + entryIndex,
    exitTimeMs: T0 + exitIndex,
    entryPrice: 100,
    exitPrice: 100 + pnl,
    pnl,
    returnPct,
    costs: 0,
  };
}

function input(overrides: Partial<MetricsInput> & Pick<MetricsInput, 'timeMs' | 'equity'>): MetricsInput {
  return {
    trades: [],
    initialCash: 100,
    barsInMarket: 0,
    firstClose: 50,
    lastClose: 50,
    riskFreeRate: 0,
    ...overrides,
  };
}

describe('computeMetrics on a hand-computed two-year run', () => {
  // Bars one year apart: equity 100 → 90 → 121, initial cash 100, risk-free 5 % a year.
  //   ppy = 2 × YEAR_MS / (2 × YEAR_MS) = 1, so rfPerBar = 1.05^1 − 1 = 0.05 and √ppy = 1.
  //   r = −0.1, 121/90 − 1 = 31/90;  mean = (−9/90 + 31/90) / 2 = 11/90 = 0.12222…
  //   deviations ±20/90 → sample var = 2 × (20/90)² / 1 = 800/8100, std = √800 / 90 = 0.31426968…
  //   volatility = 31.426968… %
  //   sharpe = (11/90 − 1/20) / (√800 / 90) = (13/180) / 0.31426968… = 13 / (2√800) = 0.22980970…
  //   downside vs 0.05: (−0.1 − 0.05)² = 0.0225 (31/90 − 0.05 > 0 adds nothing) → √(0.0225 / 2) = 0.10606601…
  //   sortino = (13/180) / 0.10606601… = 0.68091764…
  //   years = 2 → cagr = √(121/100) − 1 = 10 %;  max drawdown 90/100 − 1 = −10 %, 1 bar;  calmar = 10 / 10 = 1
  // Trades: pnl 30, −10, 5 with returnPct 15, −4, 2 and lengths 1, 1, 0 bars.
  //   win rate 2/3 = 66.67 %; profit factor 35 / 10 = 3.5; avg pnl 25/3 = 8.333…; best 15, worst −4;
  //   avg duration 2/3 bar; expectancy 13/3 = 4.333… %;
  //   pnl deviations from 25/3: 65/3, −55/3, −10/3 → squares (4225 + 3025 + 100)/9 = 7350/9, var 7350/18,
  //   std 20.207259…; sqn = √3 × 8.3333… / 20.207259… = 0.71428571… (= 5/7)
  // Exposure 2 of 3 bars = 66.67 %; buy and hold 60/50 − 1 = 20 %.
  const metrics = computeMetrics({
    timeMs: new Float64Array([T0, T0 + YEAR_MS, T0 + 2 * YEAR_MS]),
    equity: new Float64Array([100, 90, 121]),
    trades: [trade(30, 15, 0, 1), trade(-10, -4, 1, 2), trade(5, 2, 2, 2)],
    initialCash: 100,
    barsInMarket: 2,
    firstClose: 50,
    lastClose: 60,
    riskFreeRate: 0.05,
  });

  it('fills every return and risk field', () => {
    expect(metrics.total_return).toBeCloseTo(21, 10);
    expect(metrics.final_equity).toBe(121);
    expect(metrics.cagr).toBeCloseTo(10, 10);
    expect(metrics.volatility).toBeCloseTo(31.42696805273545, 10);
    expect(metrics.sharpe_ratio).toBeCloseTo(0.2298097038856279, 10);
    expect(metrics.sortino_ratio).toBeCloseTo(0.6809176411426012, 10);
    expect(metrics.max_drawdown).toBeCloseTo(-10, 10);
    expect(metrics.max_drawdown_duration).toBe(1);
    expect(metrics.calmar_ratio).toBeCloseTo(1, 10);
    expect(metrics.exposure).toBeCloseTo(200 / 3, 10);
    expect(metrics.buy_and_hold_return).toBeCloseTo(20, 10);
  });

  it('fills every trade field', () => {
    expect(metrics.total_trades).toBe(3);
    expect(metrics.win_rate).toBeCloseTo(200 / 3, 10);
    expect(metrics.profit_factor).toBeCloseTo(3.5, 10);
    expect(metrics.avg_trade_pnl).toBeCloseTo(25 / 3, 10);
    expect(metrics.best_trade).toBe(15);
    expect(metrics.worst_trade).toBe(-4);
    expect(metrics.avg_trade_duration).toBeCloseTo(2 / 3, 10);
    expect(metrics.expectancy).toBeCloseTo(13 / 3, 10);
    expect(metrics.sqn).toBeCloseTo(5 / 7, 10);
  });

  it('returns exactly the fields of Metrics', () => {
    const expected: readonly (keyof Metrics)[] = [
      'total_return',
      'final_equity',
      'cagr',
      'volatility',
      'sharpe_ratio',
      'sortino_ratio',
      'calmar_ratio',
      'max_drawdown',
      'max_drawdown_duration',
      'win_rate',
      'profit_factor',
      'total_trades',
      'avg_trade_pnl',
      'best_trade',
      'worst_trade',
      'avg_trade_duration',
      'exposure',
      'buy_and_hold_return',
      'expectancy',
      'sqn',
      'returns_skewness',
      'returns_kurtosis',
      'returns_count',
    ];
    expect(Object.keys(metrics).sort()).toEqual([...expected].sort());
  });
});

describe('computeMetrics on degenerate runs', () => {
  it('handles a single bar: only level fields are defined', () => {
    const m = computeMetrics(
      input({ timeMs: new Float64Array([T0]), equity: new Float64Array([97]), barsInMarket: 1 }),
    );
    // 97/100 − 1 = −3 %
    expect(m.total_return).toBeCloseTo(-3, 12);
    expect(m.final_equity).toBe(97);
    expect(m.exposure).toBe(100);
    expect(m.max_drawdown).toBe(0);
    expect(m.max_drawdown_duration).toBe(0);
    expect(m.cagr).toBeNull();
    expect(m.volatility).toBeNull();
    expect(m.sharpe_ratio).toBeNull();
    expect(m.sortino_ratio).toBeNull();
    expect(m.calmar_ratio).toBeNull();
    expect(m.returns_skewness).toBeNull();
    expect(m.returns_kurtosis).toBeNull();
    expect(m.returns_count).toBe(0);
  });

  it('measures the shape of the returns: one jump of 30 % after three flat bars', () => {
    // Returns 0, 0, 0, 0.3: one spike among n = 4 has skewness (n − 2)/√(n − 1) = 2/√3 and
    // kurtosis (n² − 3n + 3)/(n − 1) = 7/3 (population moments).
    const m = computeMetrics(
      input({
        timeMs: Float64Array.from({ length: 5 }, (_, k) => T0 + k * 86_400_000),
        equity: new Float64Array([100, 100, 100, 100, 130]),
      }),
    );
    expect(m.returns_count).toBe(4);
    expect(m.returns_skewness).toBeCloseTo(2 / Math.sqrt(3), 12);
    expect(m.returns_kurtosis).toBeCloseTo(7 / 3, 12);
  });

  it('handles a flat curve with no trades: zero volatility, undefined ratios', () => {
    const m = computeMetrics(
      input({ timeMs: new Float64Array([T0, T0 + 1000, T0 + 2000]), equity: new Float64Array([100, 100, 100]) }),
    );
    expect(m.total_return).toBe(0);
    expect(m.cagr).toBe(0);
    expect(m.volatility).toBe(0);
    expect(m.sharpe_ratio).toBeNull();
    expect(m.sortino_ratio).toBeNull();
    expect(m.calmar_ratio).toBeNull();
    expect(m.max_drawdown).toBe(0);
    expect(m.total_trades).toBe(0);
    for (const field of ['win_rate', 'profit_factor', 'avg_trade_pnl', 'best_trade', 'worst_trade'] as const) {
      expect(m[field]).toBeNull();
    }
    expect(m.avg_trade_duration).toBeNull();
    expect(m.expectancy).toBeNull();
    expect(m.sqn).toBeNull();
  });

  it('gives Infinity for a curve that only rises and a run with no losing trade', () => {
    const m = computeMetrics(
      input({
        timeMs: new Float64Array([T0, T0 + YEAR_MS, T0 + 2 * YEAR_MS]),
        equity: new Float64Array([100, 110, 121]),
        trades: [trade(10, 10, 0, 1), trade(11, 10, 1, 2)],
      }),
    );
    expect(m.sortino_ratio).toBe(Number.POSITIVE_INFINITY);
    expect(m.calmar_ratio).toBe(Number.POSITIVE_INFINITY);
    expect(m.profit_factor).toBe(Number.POSITIVE_INFINITY);
    // Returns 0.1 and 0.1 (up to rounding of 121/110): std is at most rounding noise.
    expect(m.cagr).toBeCloseTo(10, 10);
  });

  it('nulls the return ratios when equity hits zero before the end, and gives CAGR −100 when it ends there', () => {
    const m = computeMetrics(
      input({
        timeMs: new Float64Array([T0, T0 + 1000, T0 + 2000, T0 + 3000]),
        equity: new Float64Array([100, 0, -5, 0]),
      }),
    );
    expect(m.volatility).toBeNull();
    expect(m.sharpe_ratio).toBeNull();
    expect(m.sortino_ratio).toBeNull();
    expect(m.cagr).toBe(-100);
    // −5/100 − 1 = −105 %
    expect(m.max_drawdown).toBeCloseTo(-105, 10);
    expect(m.max_drawdown_duration).toBe(3);
    // −100 / 105
    expect(m.calmar_ratio).toBeCloseTo(-100 / 105, 12);
  });

  it('keeps a run that ran out of money sane: −100 % return and drawdown, a zero tail returns 0', () => {
    // Bars one year apart (ppy = 1); equity 100, 50, 0, 0, 0 as the engine leaves it after
    // running out of money on bar 2 (the curve is 0 from that bar to the end).
    //   total return 0/100 − 1 = −100 %; CAGR −100 (final <= 0); max drawdown −100 %, bars 1..4 → 4
    //   calmar −100 / 100 = −1
    //   r = −0.5, −1, 0/0 → 0, 0 → mean −0.375; Σ(r − mean)² = 0.125² + 0.625² + 2 × 0.375² = 0.6875
    //   sample std √(0.6875 / 3) = 0.47871355…; volatility 47.871355… %
    //   sharpe −0.375 / 0.47871355… = −0.78334945…
    //   downside vs 0: √((0.25 + 1) / 4) = √0.3125 = 0.55901699…; sortino −0.375 / 0.55901699… = −0.67082039…
    const m = computeMetrics(
      input({
        timeMs: new Float64Array([T0, T0 + YEAR_MS, T0 + 2 * YEAR_MS, T0 + 3 * YEAR_MS, T0 + 4 * YEAR_MS]),
        equity: new Float64Array([100, 50, 0, 0, 0]),
        trades: [trade(-150, -150, 0, 2)],
        barsInMarket: 3,
      }),
    );
    expect(m.total_return).toBe(-100);
    expect(m.final_equity).toBe(0);
    expect(m.cagr).toBe(-100);
    expect(m.max_drawdown).toBe(-100);
    expect(m.max_drawdown_duration).toBe(4);
    expect(m.calmar_ratio).toBe(-1);
    expect(m.volatility).toBeCloseTo(47.87135538781691, 10);
    expect(m.sharpe_ratio).toBeCloseTo(-0.7833494518006403, 10);
    expect(m.sortino_ratio).toBeCloseTo(-0.6708203932499369, 10);
    expect(m.worst_trade).toBe(-150);
  });

  it('leaves buy-and-hold undefined when the first close is 0 (valid data, no finite return)', () => {
    const times = new Float64Array([T0, T0 + 1]);
    const metrics = computeMetrics(
      input({ timeMs: times, equity: new Float64Array([100, 100]), firstClose: 0, lastClose: 5 }),
    );
    expect(metrics.buy_and_hold_return).toBeNull();
    expect(metrics.total_return).toBe(0);
  });

  it('rejects input that breaks its contract', () => {
    const times = new Float64Array([T0, T0 + 1]);
    expect(() => computeMetrics(input({ timeMs: new Float64Array([]), equity: new Float64Array([]) }))).toThrow(
      InternalError,
    );
    expect(() => computeMetrics(input({ timeMs: times, equity: new Float64Array([100]) }))).toThrow(/must match/);
    expect(() => computeMetrics(input({ timeMs: times, equity: new Float64Array([100, 1]), initialCash: 0 }))).toThrow(
      /above 0/,
    );
    expect(() => computeMetrics(input({ timeMs: times, equity: new Float64Array([0, 1]) }))).toThrow(/above 0/);
    expect(() => computeMetrics(input({ timeMs: times, equity: new Float64Array([100, Number.NaN]) }))).toThrow(/NaN/);
  });
});

const NULLABLE: ReadonlySet<keyof Metrics> = new Set([
  'cagr',
  'volatility',
  'sharpe_ratio',
  'sortino_ratio',
  'calmar_ratio',
  'win_rate',
  'profit_factor',
  'avg_trade_pnl',
  'best_trade',
  'worst_trade',
  'avg_trade_duration',
  'expectancy',
  'sqn',
  'returns_skewness',
  'returns_kurtosis',
]);

const arbitraryInput: fc.Arbitrary<MetricsInput> = fc.integer({ min: 1, max: 60 }).chain((n) => {
  const level = fc.double({ min: 1, max: 1e6, noNaN: true });
  const equity = fc.oneof(
    // Flat curves, including a single bar.
    level.map((v) => new Float64Array(n).fill(v)),
    // Positive curves with some exactly repeated values.
    fc
      .array(fc.oneof(level, fc.constantFrom(100, 100, 100)), { minLength: n, maxLength: n })
      .map((a) => Float64Array.from(a)),
    // Curves that may go to zero or below after the first bar.
    fc
      .tuple(level, fc.array(fc.double({ min: -1e3, max: 1e6, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }))
      .map(([first, rest]) => Float64Array.from([first, ...rest])),
    // Runs that ran out of money: positive, then exactly 0 from some bar to the end.
    fc
      .tuple(fc.array(level, { minLength: n, maxLength: n }), fc.integer({ min: 1, max: n }))
      .map(([values, zeroFrom]) => Float64Array.from(values, (v, k) => (k >= zeroFrom ? 0 : v))),
  );
  const gaps = fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: n - 1, maxLength: n - 1 });
  const tradeArb = fc
    .record({
      pnl: fc.oneof(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.constant(0), fc.constant(25)),
      returnPct: fc.double({ min: -100, max: 1000, noNaN: true }),
      entry: fc.integer({ min: 0, max: n - 1 }),
      length: fc.integer({ min: 0, max: n }),
    })
    .map((t) => trade(t.pnl, t.returnPct, t.entry, Math.min(n - 1, t.entry + t.length)));
  return fc.record({
    timeMs: fc.tuple(fc.integer({ min: 0, max: 2e12 }), gaps).map(([start, g]) => {
      const times = new Float64Array(n);
      times[0] = start;
      for (let k = 1; k < n; k++) times[k] = (times[k - 1] as number) + (g[k - 1] as number);
      return times;
    }),
    equity,
    trades: fc.array(tradeArb, { maxLength: 8 }),
    initialCash: fc.double({ min: 1, max: 1e6, noNaN: true }),
    barsInMarket: fc.integer({ min: 0, max: n }),
    firstClose: fc.double({ min: 0.01, max: 1e5, noNaN: true }),
    lastClose: fc.double({ min: 0, max: 1e5, noNaN: true }),
    riskFreeRate: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true })),
  });
});

describe('computeMetrics properties', () => {
  it('never returns NaN, and nulls only the nullable fields', () => {
    fc.assert(
      fc.property(arbitraryInput, (inp) => {
        const m = computeMetrics(inp);
        for (const [key, value] of Object.entries(m) as [keyof Metrics, number | null][]) {
          if (value === null) expect(NULLABLE.has(key), `${key} is null`).toBe(true);
          else expect(Number.isNaN(value), `${key} is NaN`).toBe(false);
        }
        expect(m.max_drawdown).toBeLessThanOrEqual(0);
        expect(m.max_drawdown_duration).toBeGreaterThanOrEqual(0);
        expect(m.max_drawdown_duration).toBeLessThanOrEqual(inp.equity.length - 1);
        expect(m.exposure).toBeGreaterThanOrEqual(0);
        expect(m.exposure).toBeLessThanOrEqual(100);
        if (m.win_rate !== null) expect(m.win_rate).toBeGreaterThanOrEqual(0);
        if (m.win_rate !== null) expect(m.win_rate).toBeLessThanOrEqual(100);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the per-statistic functions', () => {
    fc.assert(
      fc.property(arbitraryInput, (inp) => {
        const m = computeMetrics(inp);
        const { equity, timeMs } = inp;
        const ppy = periodsPerYear(timeMs);
        const dd = maxDrawdown(equity);
        expect(m.max_drawdown).toBe(dd.maxDrawdownPct);
        expect(m.max_drawdown_duration).toBe(dd.maxDrawdownDurationBars);
        const cagr = cagrPct(inp.initialCash, equity[equity.length - 1] as number, spanYears(timeMs));
        expect(m.cagr).toBe(cagr);
        expect(m.calmar_ratio).toBe(calmarRatio(cagr, dd.maxDrawdownPct));
        expect(m.win_rate).toBe(winRatePct(inp.trades));
        expect(m.profit_factor).toBe(profitFactor(inp.trades));
        expect(m.sqn).toBe(systemQualityNumber(inp.trades));
        // The fused equity pass must match the array-based functions whenever returns are defined
        // (every point before the last above 0, or a tail of exact zeros: 0 → 0 is a return of 0).
        const firstNonPositive = equity.findIndex((e) => !(e > 0));
        const defined =
          firstNonPositive === -1 ||
          firstNonPositive === equity.length - 1 ||
          equity.subarray(firstNonPositive).every((e) => e === 0);
        expect(m.returns_count).toBe(equity.length - 1);
        if (defined) {
          const r = barReturns(equity);
          expect(m.volatility).toBe(volatilityPct(r, ppy));
          expect(m.sharpe_ratio).toBe(sharpeRatio(r, ppy, inp.riskFreeRate));
          expect(m.sortino_ratio).toBe(sortinoRatio(r, ppy, inp.riskFreeRate));
          // The curve pass takes moments around the scan's mean, the array one around its own sum.
          const shape = returnShape(r);
          if (shape === null || m.returns_skewness === null || m.returns_kurtosis === null) {
            expect(m.returns_skewness === null ? null : 'defined').toBe(shape === null ? null : 'defined');
          } else {
            expect(Math.abs(m.returns_skewness - shape.skewness)).toBeLessThanOrEqual(
              1e-6 * (1 + Math.abs(shape.skewness)),
            );
            expect(Math.abs(m.returns_kurtosis - shape.kurtosis)).toBeLessThanOrEqual(1e-6 * shape.kurtosis);
          }
        } else {
          expect(m.returns_skewness).toBeNull();
          expect(m.returns_kurtosis).toBeNull();
        }
        if (m.returns_kurtosis !== null && m.returns_skewness !== null) {
          // Population moments always satisfy kurtosis ≥ 1 + skewness² (Pearson).
          expect(m.returns_kurtosis).toBeGreaterThanOrEqual((1 + m.returns_skewness ** 2) * (1 - 1e-9));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('computeMetrics speed', () => {
  it('handles a million bars in well under the engine budget', () => {
    // The benchmark floor is 20M bars/s for engine + metrics, i.e. 50 ms per million bars in
    // total; metrics take a few ms. The bound here is loose so a shared CI box cannot flake it,
    // yet an accidental per-bar allocation or second-order loop would blow through it.
    const n = 1_000_000;
    const timeMs = new Float64Array(n);
    const equity = new Float64Array(n);
    let value = 100_000;
    for (let k = 0; k < n; k++) {
      timeMs[k] = T0 + k * 60_000;
      value *= 1 + Math.sin(k * 0.37) * 0.001;
      equity[k] = value;
    }
    const run = (): Metrics =>
      computeMetrics(input({ timeMs, equity, initialCash: 100_000, barsInMarket: n / 2, riskFreeRate: 0.02 }));
    run();
    const start = performance.now();
    const m = run();
    const elapsedMs = performance.now() - start;
    expect(m.sharpe_ratio).not.toBeNull();
    expect(elapsedMs).toBeLessThan(250);
  });
});
