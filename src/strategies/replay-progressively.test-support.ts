import { type BarSeries, createBarSeries } from '../core/bars.js';
import type { Direction, Strategy, StrategyContext } from '../core/strategy.js';
import { Timeframe } from '../core/timeframe.js';

/** What a strategy decided on each bar; `undefined` means "keep". */
export type Decisions = (Direction | undefined)[];

/**
 * A stand-in for the engine, for tests: reveals bar i into NaN-filled columns, calls `onBar`
 * with one reused context, and moves the position to each decision at once (as if filled at
 * the close), so strategies that look at `context.position` see a consistent history.
 *
 * @example
 * const decisions = await replayProgressively(smaCross.create(params), bars);
 */
export async function replayProgressively(strategy: Strategy, bars: BarSeries): Promise<Decisions> {
  const n = bars.length;
  const nanColumn = (): Float64Array => new Float64Array(n).fill(Number.NaN);
  const revealed = createBarSeries(bars.symbol, bars.timeframe, {
    timeMs: nanColumn(),
    open: nanColumn(),
    high: nanColumn(),
    low: nanColumn(),
    close: nanColumn(),
    volume: nanColumn(),
  });
  if (strategy.prepare !== undefined) await strategy.prepare(bars);
  const context: { -readonly [K in keyof StrategyContext]: StrategyContext[K] } = {
    index: 0,
    bars: revealed,
    position: 0,
    equity: 10_000,
  };
  const decisions: Decisions = [];
  for (let i = 0; i < n; i++) {
    for (const column of ['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const) {
      revealed[column][i] = bars[column][i]!;
    }
    context.index = i;
    const decision = strategy.onBar(context);
    decisions.push(decision);
    if (decision !== undefined) context.position = decision;
  }
  return decisions;
}

/**
 * Daily bars whose closes are the given numbers (open = previous close, high/low around both).
 *
 * @example
 * const bars = barsFromCloses([10, 11, 12]);
 */
export function barsFromCloses(closes: readonly number[]): BarSeries {
  const n = closes.length;
  const close = Float64Array.from(closes);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const timeMs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    open[i] = i === 0 ? close[i]! : close[i - 1]!;
    high[i] = Math.max(open[i]!, close[i]!) * 1.01;
    low[i] = Math.min(open[i]!, close[i]!) * 0.99;
    timeMs[i] = Date.UTC(2024, 0, 1) + i * 86_400_000;
  }
  return createBarSeries('TEST', Timeframe.OneDay, {
    timeMs,
    open,
    high,
    low,
    close,
    volume: new Float64Array(n).fill(1000),
  });
}

/**
 * A seeded random walk of `n` closes starting at 100, each step within ±`stepPct` percent;
 * with `whole` the closes are rounded to whole numbers (so moving-average sums are exact).
 *
 * @example
 * const closes = randomWalk(500, 42, 2);
 */
export function randomWalk(n: number, seed: number, stepPct: number, whole = false): number[] {
  let state = seed >>> 0;
  // mulberry32: tiny, seeded, good enough for test data.
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const closes: number[] = [];
  let price = 100;
  for (let i = 0; i < n; i++) {
    price *= 1 + ((random() * 2 - 1) * stepPct) / 100;
    closes.push(whole ? Math.max(1, Math.round(price)) : price);
  }
  return closes;
}
