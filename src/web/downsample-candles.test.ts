import { describe, expect, it } from 'vitest';
import { createBarSeries } from '../core/bars.js';
import { downsampleCandles } from './downsample-candles.js';

const bars = createBarSeries('X', '1Day', {
  timeMs: Float64Array.from([0, 1, 2, 3, 4, 5, 6].map((d) => d * 86_400_000)),
  open: Float64Array.from([10, 11, 12, 13, 14, 15, 16]),
  high: Float64Array.from([11, 15, 13, 14, 20, 16, 17]),
  low: Float64Array.from([9, 10, 8, 12, 13, 11, 15]),
  close: Float64Array.from([10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5]),
  volume: new Float64Array(7),
});

describe('downsampleCandles', () => {
  it('merges groups of bars into one candle each: first open, max high, min low, last close', () => {
    // 7 bars into at most 3 candles: ceil(7/3) = 3 bars per candle, groups [0..2], [3..5], [6].
    const c = downsampleCandles(bars, 3);
    expect(c.barsPerCandle).toBe(3);
    expect(Array.from(c.timeMs)).toEqual([0, 3 * 86_400_000, 6 * 86_400_000]);
    expect(Array.from(c.open)).toEqual([10, 13, 16]);
    expect(Array.from(c.high)).toEqual([15, 20, 17]);
    expect(Array.from(c.low)).toEqual([8, 11, 15]);
    expect(Array.from(c.close)).toEqual([12.5, 15.5, 16.5]);
  });

  it('keeps every bar when the series fits', () => {
    const c = downsampleCandles(bars, 3000);
    expect(c.barsPerCandle).toBe(1);
    expect(Array.from(c.close)).toEqual(Array.from(bars.close));
  });
});
