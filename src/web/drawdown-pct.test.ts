import { describe, expect, it } from 'vitest';
import { drawdownPct } from './drawdown-pct.js';

describe('drawdownPct', () => {
  it('measures each point against the running peak', () => {
    // Peaks 100, 120, 120, 120, 120, 130: 90/120 - 1 = -25 %, 60/120 - 1 = -50 %.
    expect(Array.from(drawdownPct(Float64Array.from([100, 120, 90, 120, 60, 130])))).toEqual([0, 0, -25, 0, -50, 0]);
  });

  it('is zero for a flat curve', () => {
    expect(Array.from(drawdownPct(Float64Array.from([5, 5, 5])))).toEqual([0, 0, 0]);
  });
});
