/**
 * Test data for the feature tests: seeded OHLCV bars that exercise every feature (hourly bars
 * across days and weekends, volumes in the millions, flat stretches). Not part of the public API.
 */
import { type BarSeries, createBarSeries } from '../../core/bars.js';

/**
 * A seeded generator of numbers in [0, 1) (mulberry32).
 *
 * @example
 * const random = seededRandom(7);
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` hourly bars from Friday 2024-01-05 13:00 UTC, with a 3-hour gap every 50 bars, a random
 * walk of closes near 100, highs and lows around open and close, and volumes between 0.5 and
 * 3 million (equal for a few bars every 97 bars, so a volume window can be flat).
 *
 * @example
 * const bars = randomBars(400, 11);
 */
export function randomBars(n: number, seed: number): BarSeries {
  const random = seededRandom(seed);
  const timeMs = new Float64Array(n);
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  let t = Date.UTC(2024, 0, 5, 13);
  let price = 100;
  for (let i = 0; i < n; i++) {
    timeMs[i] = t;
    t += i % 50 === 49 ? 4 * 3_600_000 : 3_600_000;
    const o = price;
    price *= 1 + (random() * 2 - 1) * 0.02;
    const c = price;
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + random() * 0.01);
    low[i] = Math.min(o, c) * (1 - random() * 0.01);
    volume[i] = i % 97 < 3 && i > 3 ? volume[i - 1]! : Math.round(500_000 + random() * 2_500_000);
  }
  return createBarSeries('TEST', '1Hour', { timeMs, open, high, low, close, volume });
}
