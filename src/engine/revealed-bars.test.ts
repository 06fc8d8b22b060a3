import { describe, expect, it } from 'vitest';
import { RevealedBars } from './revealed-bars.js';
import { barsFromRows } from './test-bars.js';

const BARS = barsFromRows([
  [10, 12, 9, 11],
  [11, 13, 10, 12],
  [12, 14, 11, 13],
  [13, 15, 12, 14],
]);

describe('RevealedBars', () => {
  it('shows every column up to the revealed bar and NaN after it, whenever it is first read', () => {
    const view = new RevealedBars(BARS);
    view.reveal(0);
    expect(Array.from(view.close)).toEqual([11, Number.NaN, Number.NaN, Number.NaN]);
    view.reveal(1);
    view.reveal(2);
    // First read of `high` after three bars: back-filled up to bar 2, nothing later.
    expect(Array.from(view.high)).toEqual([12, 13, 14, Number.NaN]);
    expect(Array.from(view.close)).toEqual([11, 12, 13, Number.NaN]);
    view.reveal(3);
    expect(Array.from(view.high)).toEqual([12, 13, 14, 15]);
    expect(Array.from(view.timeMs)).toEqual(Array.from(BARS.timeMs));
    expect(Array.from(view.low)).toEqual([9, 10, 11, 12]);
    expect(Array.from(view.open)).toEqual([10, 11, 12, 13]);
    expect(Array.from(view.volume)).toEqual([1000, 1000, 1000, 1000]);
  });

  it('never hands out the source arrays, so writes by a strategy cannot change the data', () => {
    const view = new RevealedBars(BARS);
    view.reveal(0);
    view.close[0] = 999;
    expect(BARS.close[0]).toBe(11);
    expect(view.symbol).toBe(BARS.symbol);
    expect(view.length).toBe(4);
  });
});
