/**
 * Every bar feature against an independent reference written straight from its definition
 * (sums over explicit windows, the textbook recursions, Date's UTC getters), plus small worked
 * examples that pin each convention: sample rather than population deviation, the EMA seeded
 * with the SMA, Wilder's smoothing for RSI and ATR, and where each warm-up ends.
 */
import { describe, expect, it } from 'vitest';
import { type BarSeries, createBarSeries } from '../../core/bars.js';
import { accountFeatureValue, computeFeatureSeries } from './feature-series.js';
import { FEATURE_NAMES, type FeatureSpec, featureSpec } from './feature-spec.js';
import { randomBars } from './feature-test-support.js';

const bars = randomBars(400, 11);

/** Relative closeness, with an absolute floor for values near 0. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance = 1e-10): void {
  expect(actual.length).toBe(expected.length);
  const problems: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) problems.push(`[${i}] ${a} should be NaN`);
    } else if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) {
      problems.push(`[${i}] ${a} should be ${e}`);
    }
  }
  expect(problems.slice(0, 5)).toEqual([]);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation: divides by n − 1. */
const sampleStd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};
const column = (bars: BarSeries, name: 'open' | 'high' | 'low' | 'close' | 'volume'): number[] =>
  Array.from(bars[name]);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The references, one per bar feature: an array per value of the feature. */
const REFERENCES: Record<string, (spec: FeatureSpec, bars: BarSeries) => number[][]> = {
  return: (spec, b) => {
    const x = column(b, spec.column!);
    const w = spec.window!;
    return [range(b.length).map((i) => (i < w ? Number.NaN : (x[i]! - x[i - w]!) / x[i - w]!))];
  },
  log_return: (spec, b) => {
    const x = column(b, spec.column!);
    const w = spec.window!;
    return [range(b.length).map((i) => (i < w ? Number.NaN : Math.log(x[i]!) - Math.log(x[i - w]!)))];
  },
  relative_to_close: (spec, b) => {
    const x = column(b, spec.column!);
    const c = column(b, 'close');
    return [range(b.length).map((i) => (x[i]! - c[i]!) / c[i]!)];
  },
  volume: (_spec, b) => [column(b, 'volume')],
  volume_zscore: (spec, b) => {
    const v = column(b, 'volume');
    const w = spec.window!;
    return [
      range(b.length).map((i) => {
        if (i < w - 1) return Number.NaN;
        const window = v.slice(i - w + 1, i + 1);
        const sd = sampleStd(window);
        return sd === 0 ? 0 : (v[i]! - mean(window)) / sd;
      }),
    ];
  },
  sma_ratio: (spec, b) => {
    const c = column(b, 'close');
    const w = spec.window!;
    return [range(b.length).map((i) => (i < w - 1 ? Number.NaN : c[i]! / mean(c.slice(i - w + 1, i + 1)) - 1))];
  },
  ema_ratio: (spec, b) => {
    // The other common form of the recursion, α·x + (1 − α)·EMA, seeded with the first SMA.
    const c = column(b, 'close');
    const w = spec.window!;
    const alpha = 2 / (w + 1);
    const ema: number[] = [];
    for (let i = 0; i < c.length; i++) {
      if (i < w - 1) ema.push(Number.NaN);
      else if (i === w - 1) ema.push(mean(c.slice(0, w)));
      else ema.push(alpha * c[i]! + (1 - alpha) * ema[i - 1]!);
    }
    return [c.map((x, i) => x / ema[i]! - 1)];
  },
  rsi: (spec, b) => {
    const c = column(b, 'close');
    const w = spec.window!;
    const gains = c.map((x, i) => (i === 0 ? 0 : Math.max(0, x - c[i - 1]!)));
    const losses = c.map((x, i) => (i === 0 ? 0 : Math.max(0, c[i - 1]! - x)));
    let g = Number.NaN;
    let l = Number.NaN;
    return [
      c.map((_, i) => {
        if (i < w) return Number.NaN;
        if (i === w) {
          g = mean(gains.slice(1, w + 1));
          l = mean(losses.slice(1, w + 1));
        } else {
          g = (g * (w - 1) + gains[i]!) / w;
          l = (l * (w - 1) + losses[i]!) / w;
        }
        if (g + l === 0) return 50;
        return l === 0 ? 100 : 100 - 100 / (1 + g / l);
      }),
    ];
  },
  atr_pct: (spec, b) => {
    const [h, l, c] = [column(b, 'high'), column(b, 'low'), column(b, 'close')];
    const w = spec.window!;
    const tr = c.map((_, i) =>
      i === 0 ? Number.NaN : Math.max(h[i]! - l[i]!, Math.abs(h[i]! - c[i - 1]!), Math.abs(l[i]! - c[i - 1]!)),
    );
    let atr = Number.NaN;
    return [
      c.map((close, i) => {
        if (i < w) return Number.NaN;
        atr = i === w ? mean(tr.slice(1, w + 1)) : (atr * (w - 1) + tr[i]!) / w;
        return (100 * atr) / close;
      }),
    ];
  },
  volatility: (spec, b) => {
    const c = column(b, 'close');
    const w = spec.window!;
    const r = c.map((x, i) => (i === 0 ? Number.NaN : x / c[i - 1]! - 1));
    return [c.map((_, i) => (i < w ? Number.NaN : sampleStd(r.slice(i - w + 1, i + 1))))];
  },
  time_of_day: (_spec, b) => {
    const seconds = Array.from(b.timeMs, (t) => {
      const d = new Date(t);
      return d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds() + d.getUTCMilliseconds() / 1000;
    });
    return [
      seconds.map((s) => Math.sin((2 * Math.PI * s) / 86_400)),
      seconds.map((s) => Math.cos((2 * Math.PI * s) / 86_400)),
    ];
  },
  day_of_week: (_spec, b) => {
    const weekday = Array.from(b.timeMs, (t) => (new Date(t).getUTCDay() + 6) % 7); // Monday = 0
    return [weekday.map((d) => Math.sin((2 * Math.PI * d) / 7)), weekday.map((d) => Math.cos((2 * Math.PI * d) / 7))];
  },
};

/** Specs covering every bar feature, with windows and columns other than the defaults too. */
const SPECS: FeatureSpec[] = [
  featureSpec({ feature: 'return' }),
  featureSpec({ feature: 'return', column: 'high', window: 5 }),
  featureSpec({ feature: 'log_return', column: 'open', window: 3 }),
  featureSpec({ feature: 'log_return' }),
  featureSpec({ feature: 'relative_to_close', column: 'open' }),
  featureSpec({ feature: 'relative_to_close', column: 'high' }),
  featureSpec({ feature: 'relative_to_close', column: 'low' }),
  featureSpec({ feature: 'volume' }),
  featureSpec({ feature: 'volume_zscore', window: 2 }),
  featureSpec({ feature: 'volume_zscore', window: 30 }),
  featureSpec({ feature: 'sma_ratio', window: 1 }),
  featureSpec({ feature: 'sma_ratio', window: 50 }),
  featureSpec({ feature: 'ema_ratio', window: 1 }),
  featureSpec({ feature: 'ema_ratio', window: 12 }),
  featureSpec({ feature: 'rsi', window: 1 }),
  featureSpec({ feature: 'rsi', window: 14 }),
  featureSpec({ feature: 'atr_pct', window: 1 }),
  featureSpec({ feature: 'atr_pct', window: 14 }),
  featureSpec({ feature: 'volatility', window: 2 }),
  featureSpec({ feature: 'volatility', window: 20 }),
  featureSpec({ feature: 'time_of_day' }),
  featureSpec({ feature: 'day_of_week' }),
];

describe('bar features against an independent reference', () => {
  it('the specs cover every bar feature in the catalogue', () => {
    const covered = new Set(SPECS.map((spec) => spec.feature));
    expect(FEATURE_NAMES.filter((name) => !covered.has(name) && !featureSpec({ feature: name }).state)).toEqual([]);
  });

  it.each(SPECS.map((spec) => [`${spec.feature} ${spec.column ?? ''} ${spec.window ?? ''}`, spec] as const))(
    '%s',
    (_label, spec) => {
      const actual = computeFeatureSeries(spec, bars);
      const expected = REFERENCES[spec.feature]!(spec, bars);
      expect(actual.length).toBe(expected.length);
      actual.forEach((values, v) => expectClose(values, expected[v]!));
      // The warm-up ends exactly where the spec says.
      expect(Number.isNaN(actual[0]![spec.warmUp])).toBe(false);
      if (spec.warmUp > 0) expect(Number.isNaN(actual[0]![spec.warmUp - 1])).toBe(true);
    },
  );
});

/** Bars with the given closes (open = previous close, high/low given or equal), one day apart from a Monday. */
function tinyBars(close: number[], extra: Partial<Record<'high' | 'low' | 'volume', number[]>> = {}): BarSeries {
  const n = close.length;
  return createBarSeries('T', '1Day', {
    timeMs: Float64Array.from(range(n), (i) => Date.UTC(2024, 0, 1) + i * 86_400_000),
    open: Float64Array.from(close, (c, i) => (i === 0 ? c : close[i - 1]!)),
    high: Float64Array.from(extra.high ?? close),
    low: Float64Array.from(extra.low ?? close),
    close: Float64Array.from(close),
    volume: Float64Array.from(extra.volume ?? close.map(() => 1)),
  });
}

describe('conventions, by worked example', () => {
  it('volume z-score uses the sample deviation (n − 1) and is 0 on a flat window', () => {
    const b = tinyBars([1, 1, 1, 1, 1], { volume: [1, 2, 3, 4, 4] });
    const [z] = computeFeatureSeries(featureSpec({ feature: 'volume_zscore', window: 4 }), b);
    // volumes 1..4: mean 2.5, sample sd √(5/3) ≈ 1.29099 (population would give 1.11803).
    expect(z![3]).toBeCloseTo(1.5 / Math.sqrt(5 / 3), 12);
    expect(Number.isNaN(z![2])).toBe(true);
    const [flat] = computeFeatureSeries(featureSpec({ feature: 'volume_zscore', window: 2 }), tinyBars([1, 1, 1]));
    expect(flat![1]).toBe(0);
  });

  it('the EMA is seeded with the SMA of the first window closes', () => {
    const [ratio] = computeFeatureSeries(featureSpec({ feature: 'ema_ratio', window: 3 }), tinyBars([1, 2, 3, 7]));
    // EMA[2] = (1 + 2 + 3) / 3 = 2; EMA[3] = 2 + 0.5 × (7 − 2) = 4.5.
    expect(Array.from(ratio!)).toEqual([Number.NaN, Number.NaN, 3 / 2 - 1, 7 / 4.5 - 1]);
  });

  it("RSI is Wilder's: simple means of the first window changes, then (avg × (w − 1) + x) / w", () => {
    const [rsi] = computeFeatureSeries(featureSpec({ feature: 'rsi', window: 2 }), tinyBars([10, 12, 11, 13]));
    // changes +2, −1: averages 1 and 0.5 → 66.67; then +2: gain (1 + 2)/2 = 1.5, loss 0.25 → 85.71.
    expect(Number.isNaN(rsi![1])).toBe(true);
    expect(rsi![2]).toBeCloseTo(100 - 100 / 3, 10);
    expect(rsi![3]).toBeCloseTo(100 - 100 / (1 + 1.5 / 0.25), 10);
  });

  it("ATR starts at bar window with the mean of the true ranges of bars 1..window, then Wilder's smoothing", () => {
    const b = tinyBars([10, 11, 10, 12], { high: [10, 12, 11, 12], low: [10, 10, 9, 10] });
    const [atr] = computeFeatureSeries(featureSpec({ feature: 'atr_pct', window: 2 }), b);
    // TR: bar 1 max(2, 2, 0) = 2; bar 2 max(2, 0, 2) = 2; bar 3 max(2, 2, 0) = 2.
    expect(Number.isNaN(atr![1])).toBe(true);
    expect(atr![2]).toBeCloseTo((2 / 10) * 100, 12);
    expect(atr![3]).toBeCloseTo((2 / 12) * 100, 12);
  });

  it('volatility is the sample deviation of the last window returns', () => {
    const [vol] = computeFeatureSeries(featureSpec({ feature: 'volatility', window: 2 }), tinyBars([100, 110, 99]));
    expect(vol![2]).toBeCloseTo(sampleStd([0.1, -0.1]), 12);
  });

  it('time of day and day of week use the bar open time in UTC, Monday = 0', () => {
    const b = createBarSeries('T', '1Hour', {
      timeMs: Float64Array.from([Date.UTC(2024, 0, 1, 6), Date.UTC(2024, 0, 7, 18)]), // Monday 06:00, Sunday 18:00
      open: Float64Array.from([1, 1]),
      high: Float64Array.from([1, 1]),
      low: Float64Array.from([1, 1]),
      close: Float64Array.from([1, 1]),
      volume: Float64Array.from([1, 1]),
    });
    const [sin, cos] = computeFeatureSeries(featureSpec({ feature: 'time_of_day' }), b);
    expect([sin![0], cos![0]].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 0]);
    expect([sin![1], cos![1]].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([-1, -0]);
    const [daySin, dayCos] = computeFeatureSeries(featureSpec({ feature: 'day_of_week' }), b);
    expect([daySin![0], dayCos![0]]).toEqual([0, 1]);
    expect(daySin![1]).toBeCloseTo(Math.sin((2 * Math.PI * 6) / 7), 15);
  });

  it('a zero price gives a value that is not finite, never a made-up number', () => {
    const [r] = computeFeatureSeries(featureSpec({ feature: 'return' }), tinyBars([1, 0, 1]));
    expect(r![1]).toBe(-1);
    expect(r![2]).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('state features', () => {
  it('position, unrealised P&L in percent of the entry price, and cash over equity', () => {
    const long = { position: 1, equity: 10_300, cash: 0, entryPrice: 100, close: 103 } as const;
    const short = { ...long, position: -1, cash: 20_000, equity: 9_700 } as const;
    const flat = { ...long, position: 0, cash: 10_000, equity: 10_000 } as const;
    expect(accountFeatureValue('position', short)).toBe(-1);
    expect(accountFeatureValue('unrealized_pnl_pct', long)).toBeCloseTo(3, 12);
    expect(accountFeatureValue('unrealized_pnl_pct', short)).toBeCloseTo(-3, 12);
    expect(accountFeatureValue('unrealized_pnl_pct', { ...flat, entryPrice: Number.NaN })).toBe(0);
    expect(accountFeatureValue('cash_fraction', flat)).toBe(1);
    expect(accountFeatureValue('cash_fraction', short)).toBeCloseTo(20_000 / 9_700, 15);
  });

  it('have no series', () => {
    expect(() => computeFeatureSeries(featureSpec({ feature: 'cash_fraction' }), bars)).toThrow(/state feature/);
  });
});
