import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBarSeries } from '../../core/bars.js';
import { Timeframe } from '../../core/timeframe.js';
import { fingerprintBars } from '../fingerprint-bars.js';
import { generateSyntheticBars } from '../synthetic-bars.js';
import { parseBarsCsv } from './parse-bars-csv.js';
import { writeBarsCsv } from './write-bars-csv.js';

describe('writeBarsCsv', () => {
  it('writes the header, ISO UTC times and the numbers as they are', () => {
    const bars = createBarSeries('ACME', Timeframe.OneHour, {
      // 2017-04-19T09:00:00Z, then 10:00:00.250Z (3_600_250 ms later).
      timeMs: Float64Array.of(1_492_592_400_000, 1_492_596_000_250),
      open: Float64Array.of(1.0716, 1.07214),
      high: Float64Array.of(1.0722, 1.07296),
      low: Float64Array.of(1.07083, 1.07214),
      close: Float64Array.of(1.07219, 1.0728),
      volume: Float64Array.of(1413, 0),
    });
    expect(writeBarsCsv(bars)).toBe(
      'time,open,high,low,close,volume\n' +
        '2017-04-19T09:00:00Z,1.0716,1.0722,1.07083,1.07219,1413\n' +
        '2017-04-19T10:00:00.250Z,1.07214,1.07296,1.07214,1.0728,0\n',
    );
  });

  it('writes only the header for no bars', () => {
    expect(writeBarsCsv(generateSyntheticBars({ count: 0, seed: 1 }))).toBe('time,open,high,low,close,volume\n');
  });

  it('round-trips through parseBarsCsv bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (seed, count, startTimeMs) => {
          const bars = generateSyntheticBars({ count, seed, startTimeMs, timeframe: Timeframe.OneMinute });
          const back = parseBarsCsv(writeBarsCsv(bars), 'round-trip.csv', {
            symbol: bars.symbol,
            timeframe: bars.timeframe,
          });
          expect(fingerprintBars(back)).toEqual(fingerprintBars(bars));
        },
      ),
      { numRuns: 100 },
    );
  });
});
