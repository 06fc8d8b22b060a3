/**
 * Window lengths of a walk-forward (`--train 2y --test 6mo --step 6mo`): a whole number and a
 * unit, either of calendar time or of bars.
 *
 * Units: `d` (days of 24 hours), `w` (7 days), `mo` (calendar months), `y` (12 calendar months),
 * `bars` (that many bars). Calendar months are added in UTC to the day of the month, clamped to
 * the month's last day (January 31 + 1 mo = February 28 or 29); a boundary is always computed
 * from the first bar's time in one step (`+ k × 6 mo` as `+ 6k mo`), so clamping never drifts.
 */
import { UsageError } from '../../core/errors.js';

/** A window length: calendar months and days, or a number of bars. */
export type Duration =
  | { readonly kind: 'calendar'; readonly months: number; readonly days: number; readonly text: string }
  | { readonly kind: 'bars'; readonly bars: number; readonly text: string };

const DAY_MS = 86_400_000;
const PATTERN = /^(\d+)\s*(d|w|mo|y|bars?)$/i;

/**
 * Parses `2y`, `6mo`, `3w`, `10d` or `500bars` (also `500bar`); anything else is a
 * `UsageError` saying which units there are. `what` names the flag in the message.
 *
 * @example
 * parseDuration('6mo', '--test'); // { kind: 'calendar', months: 6, days: 0, text: '6mo' }
 * parseDuration('500bars', '--train'); // { kind: 'bars', bars: 500, text: '500bars' }
 */
export function parseDuration(text: string, what = 'duration'): Duration {
  const match = PATTERN.exec(text.trim());
  const count = match === null ? Number.NaN : Number(match[1]);
  if (match === null || !Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(
      `${what} is "${text}"; give a whole number of 1 or more and a unit: d (days), w (weeks), mo (months), y (years) or bars, e.g. 2y, 6mo or 500bars`,
    );
  }
  const unit = (match[2] as string).toLowerCase();
  const canonical = `${count}${unit.startsWith('bar') ? 'bars' : unit}`;
  switch (unit) {
    case 'd':
      return { kind: 'calendar', months: 0, days: count, text: canonical };
    case 'w':
      return { kind: 'calendar', months: 0, days: 7 * count, text: canonical };
    case 'mo':
      return { kind: 'calendar', months: count, days: 0, text: canonical };
    case 'y':
      return { kind: 'calendar', months: 12 * count, days: 0, text: canonical };
    default:
      return { kind: 'bars', bars: count, text: canonical };
  }
}

/**
 * `timeMs` plus `months` calendar months (UTC, the day clamped to the month's last) and then
 * `days` days of 24 hours.
 *
 * @example
 * addCalendar(Date.UTC(2024, 0, 31), 1, 0) === Date.UTC(2024, 1, 29); // true (a leap year)
 */
export function addCalendar(timeMs: number, months: number, days: number): number {
  const date = new Date(timeMs);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  const shifted = Date.UTC(
    targetYear,
    targetMonth,
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
  return shifted + days * DAY_MS;
}
