import type { BarColumns } from '../core/bars.js';
import { canonicalTimeframe, type Timeframe, timeframeMs } from '../core/timeframe.js';

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Gap ranges (milliseconds) read as one calendar bar: wide enough for daylight-saving shifts
 * (bars stamped at local midnight are 23 or 25 hours apart), months of 28 to 31 days, and bars
 * stamped at the first trading day of a week or month, which a holiday can move by days.
 */
const CALENDAR_RANGES: readonly { readonly timeframe: Timeframe; readonly fromMs: number; readonly toMs: number }[] = [
  { timeframe: '1Day', fromMs: 22 * HOUR_MS, toMs: 26 * HOUR_MS },
  { timeframe: '1Week', fromMs: 5 * DAY_MS, toMs: 9 * DAY_MS },
  { timeframe: '1Month', fromMs: 24 * DAY_MS, toMs: 35 * DAY_MS },
  { timeframe: '2Month', fromMs: 55 * DAY_MS, toMs: 66 * DAY_MS },
  { timeframe: '3Month', fromMs: 85 * DAY_MS, toMs: 96 * DAY_MS },
  { timeframe: '4Month', fromMs: 115 * DAY_MS, toMs: 127 * DAY_MS },
  { timeframe: '6Month', fromMs: 175 * DAY_MS, toMs: 190 * DAY_MS },
  { timeframe: '12Month', fromMs: 355 * DAY_MS, toMs: 375 * DAY_MS },
];

/**
 * Fewest gaps showing a spacing for it to overrule a timeframe the user gave: with fewer, the
 * bars are too few to be sure and the user's timeframe is kept.
 */
export const CONFIDENT_GAP_COUNT = 3;

/** How far apart a series' bars are. */
export interface BarSpacing {
  /** The timeframe the spacing shows; `undefined` when no common spacing is a timeframe. */
  readonly timeframe: Timeframe | undefined;
  /** Gaps between consecutive bars that match each timeframe. */
  readonly gapCounts: ReadonlyMap<Timeframe, number>;
  /** All gaps between consecutive bars, matching a timeframe or not. */
  readonly gapCount: number;
}

/** The timeframe one gap between bars matches, if any. */
function timeframeOfGap(gapMs: number): Timeframe | undefined {
  for (const range of CALENDAR_RANGES) {
    if (gapMs >= range.fromMs && gapMs <= range.toMs) return range.timeframe;
  }
  if (gapMs >= CALENDAR_RANGES[0]!.fromMs) return undefined;
  // Intraday bars are a whole number of minutes apart; a second of jitter is allowed.
  const minutes = Math.round(gapMs / MINUTE_MS);
  if (minutes < 1 || Math.abs(gapMs - minutes * MINUTE_MS) > SECOND_MS) return undefined;
  return canonicalTimeframe(`${minutes}Min`);
}

/**
 * Measures the spacing of one or more series of bar times (several when one file holds several
 * symbols: each is measured on its own and the counts are pooled). Each gap between consecutive
 * bars is matched to a timeframe (see {@link inferTimeframe} for the rules). The timeframe shown
 * is the shortest one that matches at least half as many gaps as the most common one: gaps
 * longer than a bar are sessions, nights, weekends, holidays or missing bars, but bars are never
 * closer than their length, so the shortest common spacing is the bar length. This keeps 4-hour
 * stock bars (one 4-hour gap and one overnight gap a day) from being read as daily.
 *
 * @example
 * measureSpacing([bars.timeMs]).timeframe; // '30Min'
 */
export function measureSpacing(times: readonly ArrayLike<number>[]): BarSpacing {
  const gapCounts = new Map<Timeframe, number>();
  let gapCount = 0;
  let lastGapMs = Number.NaN;
  let lastTimeframe: Timeframe | undefined;
  for (const series of times) {
    for (let i = 1; i < series.length; i++) {
      const gapMs = (series[i] as number) - (series[i - 1] as number);
      if (!(gapMs > 0)) continue;
      gapCount++;
      // Most gaps equal the one before, so the lookup is skipped for them.
      if (gapMs !== lastGapMs) {
        lastGapMs = gapMs;
        lastTimeframe = timeframeOfGap(gapMs);
      }
      if (lastTimeframe !== undefined) gapCounts.set(lastTimeframe, (gapCounts.get(lastTimeframe) ?? 0) + 1);
    }
  }
  let most = 0;
  for (const count of gapCounts.values()) most = Math.max(most, count);
  let timeframe: Timeframe | undefined;
  for (const [candidate, count] of gapCounts) {
    if (2 * count < most) continue;
    if (timeframe === undefined || timeframeMs(candidate) < timeframeMs(timeframe)) timeframe = candidate;
  }
  return { timeframe, gapCounts, gapCount };
}

/**
 * Guesses the timeframe from the spacing between bars: any Alpaca timeframe (`NMin`, `NHour`,
 * `1Day`, `1Week`, `NMonth`). Intraday bars must be a whole number of minutes apart (within a
 * second). Overnight, weekend and holiday gaps and missing bars are allowed: the shortest common
 * spacing wins (see {@link measureSpacing}). Daily bars may be 22 to 26 hours apart (daylight
 * saving), weekly 5 to 9 days, monthly 24 to 35 days, and 2, 3, 4, 6 and 12 months alike.
 * Returns `undefined` with fewer than two bars or when no common spacing is a timeframe (90
 * minutes, 2 days, irregular data), so the caller can ask the user to say it.
 *
 * @example
 * inferTimeframe(dailyStockBars); // '1Day'
 * inferTimeframe(thirtyMinuteSessionBars); // '30Min'
 */
export function inferTimeframe(bars: Pick<BarColumns, 'timeMs'>): Timeframe | undefined {
  return measureSpacing([bars.timeMs]).timeframe;
}

/**
 * True when bars with `spacing` cannot have the timeframe `timeframe`: the spacing is certain
 * (at least {@link CONFIDENT_GAP_COUNT} gaps show it) and either shorter than `timeframe`, so
 * the bars would overlap, or longer with no two bars `timeframe` apart. Bars farther apart than
 * their length are allowed when some are that close, since sparse data skips bars.
 *
 * @example
 * spacingContradicts(measureSpacing([hourlyBars.timeMs]), '1Day'); // true
 */
export function spacingContradicts(spacing: BarSpacing, timeframe: Timeframe): boolean {
  const shown = spacing.timeframe;
  if (shown === undefined || shown === timeframe) return false;
  if ((spacing.gapCounts.get(shown) ?? 0) < CONFIDENT_GAP_COUNT) return false;
  return timeframeMs(shown) < timeframeMs(timeframe) || !spacing.gapCounts.has(timeframe);
}
