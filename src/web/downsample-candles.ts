import type { BarSeries } from '../core/bars.js';

/** OHLC candles for a chart, possibly merged from several bars. */
export interface Candles {
  /** Time of each candle's first bar, unix milliseconds. */
  readonly timeMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** How many bars each candle merges (1 when the series fits). */
  readonly barsPerCandle: number;
}

/** Default most candles drawn: enough detail for a page, small enough for a quick load. */
export const MAX_CANDLES = 3000;

/**
 * Merges runs of consecutive bars into candles so that at most `maxCandles` remain: the first
 * open, the highest high, the lowest low and the last close of each group, timed at its first
 * bar. Bar `i` lands in candle `floor(i / barsPerCandle)`, which is how trade markers are placed.
 *
 * @example
 * const candles = downsampleCandles(bars); // candles.timeMs.length <= 3000
 */
export function downsampleCandles(bars: BarSeries, maxCandles: number = MAX_CANDLES): Candles {
  const n = bars.length;
  const barsPerCandle = Math.max(1, Math.ceil(n / Math.max(1, maxCandles)));
  const count = Math.ceil(n / barsPerCandle);
  const timeMs = new Float64Array(count);
  const open = new Float64Array(count);
  const high = new Float64Array(count);
  const low = new Float64Array(count);
  const close = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const start = c * barsPerCandle;
    const end = Math.min(n, start + barsPerCandle);
    let hi = bars.high[start] as number;
    let lo = bars.low[start] as number;
    for (let i = start + 1; i < end; i++) {
      if ((bars.high[i] as number) > hi) hi = bars.high[i] as number;
      if ((bars.low[i] as number) < lo) lo = bars.low[i] as number;
    }
    timeMs[c] = bars.timeMs[start] as number;
    open[c] = bars.open[start] as number;
    high[c] = hi;
    low[c] = lo;
    close[c] = bars.close[end - 1] as number;
  }
  return { timeMs, open, high, low, close, barsPerCandle };
}
