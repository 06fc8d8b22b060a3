/**
 * The windows of a walk-forward: for each, a training span and the test span that follows it.
 *
 * Rules (the README repeats them), with T0 the first bar's time and k = 0, 1, 2, ...:
 * - Rolling (default): window k trains on [T0 + k·step, T0 + k·step + train) and tests on
 *   [that end, that end + test). Anchored (`--anchored`): every window trains from T0, on
 *   [T0, T0 + train + k·step), and tests on the `test` after it.
 * - Durations in bars count bars from the first one instead of time from T0 (bar i + n).
 * - A span [a, b) holds the bars whose time t has a <= t < b; a boundary in time falls on the
 *   first bar at or after it. Train, test and step must all be calendar durations or all bars.
 * - Windows are made while the test span still holds a bar; the last test span may be shorter,
 *   ending at the last bar. Test spans may leave gaps (step > test) but never overlap.
 * - Where the bars have a gap, a window whose test span holds no bar is left out (nothing to
 *   trade), and one whose training span holds no bar is kept but stays flat (nothing to choose
 *   from); windows are numbered 0, 1, 2, ... in the order they are kept.
 * - `--step` defaults to `--test`, so test spans tile the bars after the first training span.
 */
import { UsageError } from '../../core/errors.js';
import { lowerBound } from '../../store/bar-chunks.js';
import { formatTimeMs } from '../format-values.js';
import { addCalendar, type Duration } from './durations.js';

/** How windows are laid out. */
export interface WindowSpec {
  readonly train: Duration;
  readonly test: Duration;
  /** Default: `test`. */
  readonly step?: Duration | undefined;
  /** Every window trains from the first bar (an expanding window). */
  readonly anchored?: boolean | undefined;
}

/** One window, as bar indices into the bars it was planned on (`from` inclusive, `to` exclusive). */
export interface PlannedWindow {
  /** 0 for the first window. */
  readonly index: number;
  readonly trainFrom: number;
  readonly trainTo: number;
  /** Equal to `trainTo`: the test span starts right after the training span. */
  readonly testFrom: number;
  readonly testTo: number;
}

/** More windows than this is refused: each runs the whole grid. */
export const MAX_WINDOWS = 1000;

/**
 * Plans the windows over bars with times `timeMs` (strictly increasing). A `UsageError` says
 * what is wrong: mixed units, overlapping test spans, a training span without bars, too few bars
 * for one window or too many windows.
 *
 * @example
 * const windows = planWindows(bars.timeMs, { train: parseDuration('2y'), test: parseDuration('6mo') });
 */
export function planWindows(timeMs: Float64Array, spec: WindowSpec): PlannedWindow[] {
  const { train, test } = spec;
  const step = spec.step ?? test;
  const anchored = spec.anchored === true;
  const kinds = new Set([train.kind, test.kind, step.kind]);
  if (kinds.size > 1) {
    throw new UsageError(
      `--train ${train.text}, --test ${test.text} and --step ${step.text} mix calendar time and bars; give all three in calendar units (d, w, mo, y) or all in bars`,
    );
  }
  const n = timeMs.length;
  if (n === 0) throw new UsageError('there are no bars to plan walk-forward windows on');
  const t0 = timeMs[0] as number;
  // Index of the first bar at or after an offset from the first bar, given as k steps plus whole durations.
  const at = (k: number, ...whole: Duration[]): number => {
    const parts = [...whole, ...Array.from({ length: k }, () => step)];
    if (train.kind === 'bars') {
      const count = parts.reduce((sum, d) => sum + (d.kind === 'bars' ? d.bars : 0), 0);
      return Math.min(n, count);
    }
    let months = 0;
    let days = 0;
    for (const d of parts) {
      if (d.kind === 'calendar') {
        months += d.months;
        days += d.days;
      }
    }
    return lowerBound(timeMs, addCalendar(t0, months, days));
  };

  const windows: PlannedWindow[] = [];
  // k counts steps; a step can yield no window (a test span in a gap of the bars).
  for (let k = 0; ; k++) {
    // Rolling: [k·step, k·step + train); anchored: [0, train + k·step). Either way the
    // training span ends, and the test span starts, at train + k·step.
    const trainFrom = anchored ? 0 : at(k);
    const trainTo = at(k, train);
    const testTo = at(k, train, test);
    if (trainTo >= n) break;
    if (testTo <= trainTo) continue;
    if (windows.length === MAX_WINDOWS) {
      throw new UsageError(
        `--train ${train.text}, --test ${test.text} and --step ${step.text} make more than ${MAX_WINDOWS} windows on these bars; use a longer --step`,
      );
    }
    const previous = windows[windows.length - 1];
    if (previous !== undefined && trainTo < previous.testTo) {
      throw new UsageError(
        `--step ${step.text} is shorter than --test ${test.text}: the test spans of windows ${windows.length} and ${windows.length + 1} would overlap; use a --step of at least --test`,
      );
    }
    windows.push({ index: windows.length, trainFrom, trainTo, testFrom: trainTo, testTo });
  }
  if (windows.length === 0) {
    throw new UsageError(
      `the bars (${n} from ${formatTimeMs(t0)} to ${formatTimeMs(timeMs[n - 1] as number)}) are too few for one walk-forward window: --train ${train.text} leaves no bar to test on`,
    );
  }
  return windows;
}
