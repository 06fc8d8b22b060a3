import { describe, expect, it } from 'vitest';
import { buildHeatmap, heatColor, scalePosition, type SweepRun, varyingParams } from './sweep-heatmap.js';

const runs: SweepRun[] = [
  { id: 1, params: { fast: 5, slow: 30, short: false }, value: 1.0 },
  { id: 2, params: { fast: 10, slow: 30, short: false }, value: 2.0 },
  { id: 3, params: { fast: 20, slow: 30, short: false }, value: null },
  { id: 4, params: { fast: 5, slow: 100, short: false }, value: 0.5 },
  // Same cell as run 4 but a different third parameter: the better value wins the cell.
  { id: 5, params: { fast: 5, slow: 100, short: true }, value: 0.8 },
];

describe('varyingParams', () => {
  it('lists parameters with two or more distinct values, sorted', () => {
    expect(varyingParams(runs)).toEqual(['fast', 'short', 'slow']);
  });
});

describe('buildHeatmap', () => {
  it('sorts numeric values numerically and keeps the best run of each cell', () => {
    const map = buildHeatmap(runs, 'fast', 'slow', 'higher');
    expect(map.xValues).toEqual(['5', '10', '20']);
    expect(map.yValues).toEqual(['30', '100']);
    expect(map.cells[0]?.map((c) => c?.runId)).toEqual([1, 2, 3]);
    expect(map.cells[0]?.[2]?.value).toBeNull();
    expect(map.cells[1]?.[0]).toEqual({ value: 0.8, runId: 5, runCount: 2 });
    expect(map.cells[1]?.[1]).toBeUndefined();
    expect([map.min, map.max]).toEqual([0.8, 2.0]);
  });

  it('keeps the lowest value per cell when lower is better', () => {
    const map = buildHeatmap(runs, 'fast', 'slow', 'lower');
    expect(map.cells[1]?.[0]?.runId).toBe(4);
  });

  it('makes one row when there is no second parameter', () => {
    const map = buildHeatmap(runs, 'slow', undefined);
    expect(map.yValues).toEqual(['']);
    expect(map.xValues).toEqual(['30', '100']);
  });
});

describe('scalePosition and heatColor', () => {
  it('places values linearly between min and max, inverted when lower is better', () => {
    // (7.5 - 5) / (15 - 5) = 0.25.
    expect(scalePosition(7.5, 5, 15, 'higher')).toBe(0.25);
    expect(scalePosition(7.5, 5, 15, 'lower')).toBe(0.75);
    expect(scalePosition(Infinity, 5, 15, 'higher')).toBe(1);
    expect(scalePosition(3, 3, 3, 'higher')).toBe(0.5);
  });

  it('goes from red through grey to green', () => {
    expect(heatColor(0).background).toBe('rgb(214, 96, 77)');
    expect(heatColor(0.5).background).toBe('rgb(247, 247, 247)');
    expect(heatColor(1)).toEqual({ background: 'rgb(26, 152, 80)', text: '#ffffff' });
  });
});
