/**
 * Bar times as real data comes, for tests: US equity sessions (9:30 to 16:00 New York time,
 * with daylight saving), weekends and NYSE holidays; and CSV text for such bars.
 */
import { formatTimeMs } from './format-time-ms.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** NYSE full-day closures of 2023 and 2024; other years get only weekends. */
const HOLIDAYS: ReadonlySet<string> = new Set([
  '2023-01-02',
  '2023-01-16',
  '2023-02-20',
  '2023-04-07',
  '2023-05-29',
  '2023-06-19',
  '2023-07-04',
  '2023-09-04',
  '2023-11-23',
  '2023-12-25',
  '2024-01-01',
  '2024-01-15',
  '2024-02-19',
  '2024-03-29',
  '2024-05-27',
  '2024-06-19',
  '2024-07-04',
  '2024-09-02',
  '2024-11-28',
  '2024-12-25',
]);

/** Day of month of the `nth` Sunday of a month (1-based month). */
function nthSunday(year: number, month: number, nth: number): number {
  const firstWeekday = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((7 - firstWeekday) % 7) + 7 * (nth - 1);
}

/** True when New York keeps summer time on this weekday (US rule since 2007). */
function isSummerTime(dayMs: number): boolean {
  const date = new Date(dayMs);
  const year = date.getUTCFullYear();
  const start = Date.UTC(year, 2, nthSunday(year, 3, 2));
  const end = Date.UTC(year, 10, nthSunday(year, 11, 1));
  return dayMs > start && dayMs < end;
}

/** Trading days from `from` to `to` (inclusive, `YYYY-MM-DD`), as UTC midnights. */
export function tradingDays(from: string, to: string): number[] {
  const days: number[] = [];
  for (let day = Date.parse(`${from}T00:00:00Z`); day <= Date.parse(`${to}T00:00:00Z`); day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !HOLIDAYS.has(formatTimeMs(day).slice(0, 10))) days.push(day);
  }
  return days;
}

/** UTC time of a New York wall-clock time on a trading day (given as its UTC midnight). */
export function newYorkTimeMs(dayMs: number, minutesAfterMidnight: number): number {
  return dayMs + minutesAfterMidnight * MINUTE_MS + (isSummerTime(dayMs) ? 4 : 5) * HOUR_MS;
}

/** Open times of `stepMinutes` bars in each day's regular session (9:30 to 16:00 New York). */
export function sessionBarTimes(days: readonly number[], stepMinutes: number): number[] {
  const times: number[] = [];
  for (const day of days) {
    for (let minute = 570; minute < 960; minute += stepMinutes) times.push(newYorkTimeMs(day, minute));
  }
  return times;
}

/** Daily bars stamped at New York midnight, as Alpaca stamps them (04:00 or 05:00 UTC). */
export function dailyBarTimes(days: readonly number[]): number[] {
  return days.map((day) => newYorkTimeMs(day, 0));
}

/** One bar per group of days (first trading day of each), stamped at New York midnight. */
function firstDayOf(days: readonly number[], key: (day: Date) => string): number[] {
  const seen = new Set<string>();
  return days.filter((day) => {
    const k = key(new Date(day));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Weekly bars on the first trading day of each week (a Tuesday after a Monday holiday). */
export function weeklyBarTimes(days: readonly number[]): number[] {
  // Weeks counted from a Monday: 1970-01-05.
  const mondays = (d: Date) => String(Math.floor((d.getTime() - 4 * DAY_MS) / (7 * DAY_MS)));
  return dailyBarTimes(firstDayOf(days, mondays));
}

/** Bars on the first trading day of every `months` months (1: monthly, 3: quarterly). */
export function monthlyBarTimes(days: readonly number[], months = 1): number[] {
  const inStep = days.filter((day) => new Date(day).getUTCMonth() % months === 0);
  return dailyBarTimes(firstDayOf(inStep, (d) => `${d.getUTCFullYear()}-${d.getUTCMonth()}`));
}

/**
 * CSV text of a valid random walk at `times`; with `symbol`, a leading `symbol` column.
 * `seed` makes the prices reproducible.
 */
export function barsCsvText(times: readonly number[], options: { symbol?: string; seed?: number } = {}): string {
  let state = options.seed ?? 1;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const prefix = options.symbol === undefined ? '' : `${options.symbol},`;
  const lines = [`${options.symbol === undefined ? '' : 'symbol,'}time,open,high,low,close,volume`];
  let price = 100;
  for (const time of times) {
    const open = price;
    const close = Math.max(1, open * (1 + (random() - 0.5) * 0.02));
    const high = Math.max(open, close) * (1 + random() * 0.005);
    const low = Math.min(open, close) * (1 - random() * 0.005);
    lines.push(
      `${prefix}${formatTimeMs(time)},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${close.toFixed(4)},${Math.round(random() * 1e5)}`,
    );
    price = close;
  }
  return `${lines.join('\n')}\n`;
}
