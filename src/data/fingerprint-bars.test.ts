import { describe, expect, it } from 'vitest';
import { createBarSeries, sliceBars } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import { Timeframe } from '../core/timeframe.js';
import { fingerprintBars } from './fingerprint-bars.js';
import { generateSyntheticBars } from './synthetic-bars.js';

const JAN_2_MS = 1_704_153_600_000; // 2024-01-02T00:00:00Z
const JAN_3_MS = JAN_2_MS + 86_400_000;

const twoBars = () =>
  createBarSeries('ACME', Timeframe.OneDay, {
    timeMs: Float64Array.of(JAN_2_MS, JAN_3_MS),
    open: Float64Array.of(10, 10.5),
    high: Float64Array.of(11, 12),
    low: Float64Array.of(9, 10),
    close: Float64Array.of(10.5, 11.5),
    volume: Float64Array.of(1000, 2500),
  });

describe('fingerprintBars', () => {
  it('hashes the little-endian bytes of time, open, high, low, close, volume in that order', () => {
    // Computed independently in Python:
    //   cols = [[1704153600000, 1704240000000], [10, 10.5], [11, 12], [9, 10], [10.5, 11.5], [1000, 2500]]
    //   hashlib.sha256(b''.join(struct.pack('<2d', *c) for c in cols)).hexdigest()
    expect(fingerprintBars(twoBars())).toEqual({
      sha256: '9f90a511245c8243f5f5fc98a1017636d14f9f2c14cdef4f206e66046b13aafe',
      count: 2,
      firstTimeMs: JAN_2_MS,
      lastTimeMs: JAN_3_MS,
    });
  });

  it('is the same for the same numbers under another symbol or timeframe', () => {
    const renamed = { ...twoBars(), symbol: 'OTHER', timeframe: Timeframe.OneHour };
    expect(fingerprintBars(renamed).sha256).toBe(fingerprintBars(twoBars()).sha256);
  });

  it('changes when one close changes, even by one ulp', () => {
    const bars = generateSyntheticBars({ count: 500, seed: 3 });
    const before = fingerprintBars(bars).sha256;
    const changed = sliceBars(bars, 0, bars.length);
    changed.close[250] = (changed.close[250] as number) * (1 + Number.EPSILON);
    expect(changed.close[250]).not.toBe(bars.close[250]);
    expect(fingerprintBars(changed).sha256).not.toBe(before);
    expect(fingerprintBars(bars).sha256).toBe(before);
  });

  it('changes when values move between columns', () => {
    const bars = twoBars();
    const swapped = { ...bars, open: bars.close, close: bars.open };
    expect(fingerprintBars(swapped).sha256).not.toBe(fingerprintBars(bars).sha256);
  });

  it('hashes only the series when the columns are views into a larger buffer', () => {
    const bars = generateSyntheticBars({ count: 10, seed: 1 });
    const view = (column: Float64Array): Float64Array => {
      const padded = new Float64Array(column.length + 4);
      padded.set(column, 2);
      return padded.subarray(2, 2 + column.length);
    };
    const viewed = createBarSeries(bars.symbol, bars.timeframe, {
      timeMs: view(bars.timeMs),
      open: view(bars.open),
      high: view(bars.high),
      low: view(bars.low),
      close: view(bars.close),
      volume: view(bars.volume),
    });
    expect(fingerprintBars(viewed)).toEqual(fingerprintBars(bars));
  });

  it('refuses an empty series', () => {
    const empty = generateSyntheticBars({ count: 0, seed: 1 });
    expect(() => fingerprintBars(empty)).toThrow(DataError);
    expect(() => fingerprintBars(empty)).toThrow('SYNTH 1Day: no bars to fingerprint');
  });
});
