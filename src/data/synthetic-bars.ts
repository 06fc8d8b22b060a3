import { type BarSeries, createBarSeries } from '../core/bars.js';
import { ConfigError } from '../core/errors.js';
import { Timeframe, timeframeMs } from '../core/timeframe.js';

/** Settings for {@link generateSyntheticBars}. */
export interface SyntheticBarsOptions {
  /** Number of bars, a whole number >= 0. */
  readonly count: number;
  /** Any number; it is reduced to an unsigned 32-bit integer, so `1` and `2 ** 32 + 1` give the same bars. */
  readonly seed: number;
  /** Defaults to `SYNTH`. */
  readonly symbol?: string;
  /** Spacing of the bars; defaults to `1Day`. Bars are evenly spaced, with no weekends or gaps. */
  readonly timeframe?: Timeframe;
  /** Open time of the first bar, unix epoch milliseconds; defaults to 2020-01-01T00:00:00Z. */
  readonly startTimeMs?: number;
  /** Open of the first bar, > 0; defaults to 100. */
  readonly startPrice?: number;
}

/** Standard deviation of the log return from open to close of one bar (1 %). */
const BAR_VOLATILITY = 0.01;
/** Largest wick beyond the body, as a fraction of the price (0.5 %). */
const MAX_WICK = 0.005;
const DEFAULT_START_TIME_MS = Date.UTC(2020, 0, 1);

/**
 * Makes a seeded geometric random walk of valid OHLCV bars, for benchmarks and property tests.
 * Each bar opens at the previous close; `close = open * exp(0.01 * z)` with `z` standard
 * normal; high and low add a wick of up to 0.5 % beyond the body; volume is a whole number
 * in [1000, 1000000). The same options always give the same bars, on every platform.
 * With no drift the walk wanders far over millions of bars (log-price spread about
 * `0.01 * sqrt(count)`), but prices stay positive and finite.
 *
 * @example
 * const bars = generateSyntheticBars({ count: 1_000, seed: 42 });
 * bars.open[1] === bars.close[0]; // true
 */
export function generateSyntheticBars(options: SyntheticBarsOptions): BarSeries {
  const {
    count,
    seed,
    symbol = 'SYNTH',
    timeframe = Timeframe.OneDay,
    startTimeMs = DEFAULT_START_TIME_MS,
    startPrice = 100,
  } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ConfigError(`synthetic bars: count must be a whole number >= 0, not ${count}`);
  }
  if (!Number.isFinite(startPrice) || startPrice <= 0) {
    throw new ConfigError(`synthetic bars: startPrice must be a finite number > 0, not ${startPrice}`);
  }
  if (!Number.isFinite(startTimeMs)) {
    throw new ConfigError(`synthetic bars: startTimeMs must be a finite number, not ${startTimeMs}`);
  }
  if (!Number.isFinite(seed)) {
    throw new ConfigError(`synthetic bars: seed must be a finite number, not ${seed}`);
  }
  const random = mulberry32(seed);
  const stepMs = timeframeMs(timeframe);
  const timeMs = new Float64Array(count);
  const open = new Float64Array(count);
  const high = new Float64Array(count);
  const low = new Float64Array(count);
  const close = new Float64Array(count);
  const volume = new Float64Array(count);
  let price = startPrice;
  for (let i = 0; i < count; i++) {
    // Box-Muller; 1 - u lies in (0, 1], so the log is finite.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const next = price * Math.exp(BAR_VOLATILITY * z);
    // Multiplying by a factor >= 1 (or <= 1) rounds monotonically, so high >= max(open, close)
    // and low <= min(open, close) hold exactly in floating point.
    timeMs[i] = startTimeMs + i * stepMs;
    open[i] = price;
    close[i] = next;
    high[i] = Math.max(price, next) * (1 + MAX_WICK * random());
    low[i] = Math.min(price, next) * (1 - MAX_WICK * random());
    volume[i] = 1000 + Math.floor(random() * 999_000);
    price = next;
  }
  return createBarSeries(symbol, timeframe, { timeMs, open, high, low, close, volume });
}

/**
 * mulberry32 by Tommy Ettinger: a 32-bit state PRNG, uniform on [0, 1), period 2^32. Small
 * and fast, and bit-exact across platforms because it uses only 32-bit integer operations.
 */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
