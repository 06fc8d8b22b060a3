/**
 * The grid behind a sweep's heatmap: one metric over two parameters. Pure data; the page
 * colours it.
 */
import type { RankDirection } from '../core/metric-catalog.js';

/** One run of the sweep as the heatmap needs it. */
export interface SweepRun {
  readonly id: number;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  /** The chosen metric; `null` when undefined for this run. */
  readonly value: number | null;
}

/** One cell: the best run among those with this pair of parameter values. */
export interface HeatmapCell {
  readonly value: number | null;
  /** The run shown (the best in the cell). */
  readonly runId: number;
  /** How many runs share these two parameter values (they differ in other parameters). */
  readonly runCount: number;
}

/** A grid of cells: rows are `y` values, columns are `x` values, both sorted. */
export interface Heatmap {
  readonly xValues: readonly string[];
  readonly yValues: readonly string[];
  /** `cells[row][column]`; `undefined` where no run has that pair. */
  readonly cells: readonly (readonly (HeatmapCell | undefined)[])[];
  /** Lowest and highest finite value in the grid; `undefined` when there is none. */
  readonly min: number | undefined;
  readonly max: number | undefined;
}

/**
 * Parameter names that vary across the runs (two or more distinct values), sorted.
 *
 * @example
 * varyingParams([{ id: 1, params: { fast: 5, slow: 30 }, value: 1 }, { id: 2, params: { fast: 10, slow: 30 }, value: 2 }]); // ['fast']
 */
export function varyingParams(runs: readonly SweepRun[]): string[] {
  const values = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const [key, value] of Object.entries(run.params ?? {})) {
      const set = values.get(key) ?? new Set<string>();
      set.add(JSON.stringify(value));
      values.set(key, set);
    }
  }
  return [...values.entries()]
    .filter(([, set]) => set.size > 1)
    .map(([key]) => key)
    .sort();
}

function paramText(value: unknown): string {
  return value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
}

function compareParamText(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when `a` is better than `b` in `better`'s direction; a number always beats `null`. */
function isBetter(a: number | null, b: number | null, better: RankDirection): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return better === 'lower' ? a < b : a > b;
}

/**
 * Builds the grid of `runs` over parameters `x` and `y` (`y` may be undefined for a single row).
 * When several runs share a cell, the best by `better` (default higher) is shown and counted.
 *
 * @example
 * const grid = buildHeatmap(runs, 'fast', 'slow', 'higher');
 */
export function buildHeatmap(
  runs: readonly SweepRun[],
  x: string,
  y: string | undefined,
  better: RankDirection = 'higher',
): Heatmap {
  const xSet = new Set<string>();
  const ySet = new Set<string>();
  const byCell = new Map<string, HeatmapCell>();
  for (const run of runs) {
    const xv = paramText(run.params?.[x]);
    const yv = y === undefined ? '' : paramText(run.params?.[y]);
    xSet.add(xv);
    ySet.add(yv);
    const key = JSON.stringify([xv, yv]);
    const current = byCell.get(key);
    if (current === undefined) {
      byCell.set(key, { value: run.value, runId: run.id, runCount: 1 });
    } else if (isBetter(run.value, current.value, better)) {
      byCell.set(key, { value: run.value, runId: run.id, runCount: current.runCount + 1 });
    } else {
      byCell.set(key, { ...current, runCount: current.runCount + 1 });
    }
  }
  const xValues = [...xSet].sort(compareParamText);
  const yValues = [...ySet].sort(compareParamText);
  let min: number | undefined;
  let max: number | undefined;
  const cells = yValues.map((yv) =>
    xValues.map((xv) => {
      const cell = byCell.get(JSON.stringify([xv, yv]));
      const v = cell?.value;
      if (typeof v === 'number' && Number.isFinite(v)) {
        min = min === undefined ? v : Math.min(min, v);
        max = max === undefined ? v : Math.max(max, v);
      }
      return cell;
    }),
  );
  return { xValues, yValues, cells, min, max };
}

/**
 * Position of `value` on the colour scale, 0 (worst) to 1 (best): linear between the grid's
 * finite min and max, ±Infinity at the ends, 0.5 when all values are equal.
 *
 * @example
 * scalePosition(5, 0, 10, 'lower'); // 0.5
 */
export function scalePosition(value: number, min: number, max: number, better: RankDirection): number {
  let t: number;
  if (value === Number.POSITIVE_INFINITY) t = 1;
  else if (value === Number.NEGATIVE_INFINITY) t = 0;
  else t = max === min ? 0.5 : (value - min) / (max - min);
  return better === 'lower' ? 1 - t : t;
}

const WORST = [214, 96, 77];
const MIDDLE = [247, 247, 247];
const BEST = [26, 152, 80];

/**
 * Background colour for a scale position (red through light grey to green) and a text colour
 * that stays readable on it.
 *
 * @example
 * heatColor(1); // { background: 'rgb(26, 152, 80)', text: '#ffffff' }
 */
export function heatColor(position: number): { background: string; text: string } {
  const t = Math.min(1, Math.max(0, position));
  const [from, to, f] = t < 0.5 ? [WORST, MIDDLE, t / 0.5] : [MIDDLE, BEST, (t - 0.5) / 0.5];
  const mix = (i: number) => Math.round((from[i] as number) + ((to[i] as number) - (from[i] as number)) * f);
  return { background: `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`, text: Math.abs(t - 0.5) > 0.35 ? '#ffffff' : '#1f2933' };
}
