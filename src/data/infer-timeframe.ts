import type { BarColumns } from '../core/bars.js';
import { TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../core/timeframe.js';

const DAY_MS = 86_400_000;

/**
 * Guesses the timeframe from the median spacing between bars, which ignores weekend and
 * holiday gaps; month-end bars (28 to 31 days apart) are `1Month`. Returns `undefined` when the spacing matches no timeframe (monthly bars,
 * irregular data), so the caller can ask the user to say it.
 *
 * @example
 * inferTimeframe(dailyBars); // '1Day'
 */
export function inferTimeframe(bars: Pick<BarColumns, 'timeMs'>): Timeframe | undefined {
  const n = bars.timeMs.length;
  if (n < 2) return undefined;
  const gaps = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) gaps[i - 1] = (bars.timeMs[i] as number) - (bars.timeMs[i - 1] as number);
  gaps.sort();
  const median = gaps[(n - 1) >> 1] as number;
  const exact = TIMEFRAMES.find((tf) => TIMEFRAME_MS[tf] === median);
  if (exact !== undefined) return exact;
  // Calendar months are 28 to 31 days long.
  return median >= 28 * DAY_MS && median <= 31 * DAY_MS ? '1Month' : undefined;
}
