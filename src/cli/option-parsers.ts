import { InvalidArgumentError } from 'commander';
import { canonicalTimeframe, type Timeframe } from '../core/timeframe.js';
import { parseTimestampMs } from '../data/csv/parse-timestamp.js';
import { isTimeZone } from '../data/time-zone.js';

/** Commander parser for a finite number. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

/** Commander parser for a whole number of at least 1. */
export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of 1 or more.`);
  return n;
}

/** Commander parser for a finite number above 0 (seconds, sizes). */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`"${value}" is not a number above 0.`);
  return n;
}

/** Commander parser for a probability: a number from 0 to 1. */
export function parseProbability(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`"${value}" is not a probability from 0 to 1 (such as 0.95).`);
  }
  return n;
}

/** Commander parser for a fraction strictly between 0 and 1 (`--oos-fraction 0.3`). */
export function parseFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InvalidArgumentError(`"${value}" is not a fraction strictly between 0 and 1 (such as 0.3).`);
  }
  return n;
}

/** Commander parser for a whole number of 0 or more. */
export function parseNonNegativeInteger(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of 0 or more.`);
  }
  return n;
}

/** The timeframe forms `--timeframe` accepts, for help text and errors. */
export const TIMEFRAME_FORMS =
  'NMin (1-59), NHour (1-23), 1Day, 1Week or NMonth (1, 2, 3, 4, 6, 12), or an alias such as 1h, 60Min, 1d, D, 1W, 1M (month), 5m (minutes), daily';

/**
 * Commander parser for a timeframe: Alpaca's spelling or an alias, returned as Alpaca spells it
 * (`1h` → `1Hour`).
 */
export function parseTimeframe(value: string): Timeframe {
  const timeframe = canonicalTimeframe(value.trim());
  if (timeframe === undefined) throw new InvalidArgumentError(`"${value}" is not a timeframe; use ${TIMEFRAME_FORMS}.`);
  return timeframe;
}

/** Commander parser for `--tz`: an IANA time zone name such as `America/New_York`. */
export function parseTimeZone(value: string): string {
  const zone = value.trim();
  if (!isTimeZone(zone)) {
    throw new InvalidArgumentError(`"${value}" is not a time zone; use an IANA name such as America/New_York or UTC.`);
  }
  return zone;
}

/** Commander collector for repeatable options such as `--param k=v`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Commander parser for a date to unix seconds: `YYYY-MM-DD`, an ISO 8601 date-time, or unix
 * seconds. A date or time without a zone is UTC, as in bar CSV files (never the machine's
 * local time, which would make `--since` mean different instants on different machines).
 *
 * @example
 * parseDateToUnixSeconds('2026-01-01T09:30'); // 1767259800, i.e. 09:30 UTC
 */
export function parseDateToUnixSeconds(value: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const ms = parseTimestampMs(text);
  if (typeof ms !== 'number') {
    throw new InvalidArgumentError(
      `"${value}" is not a date (${ms.reason}); use YYYY-MM-DD, an ISO time such as 2026-01-01T09:30 (UTC unless it has a zone) or unix seconds.`,
    );
  }
  return Math.floor(ms / 1000);
}

const DAY_MS = 86_400_000;

/**
 * Commander parser for `--start`: the time of the first bar to use, as unix ms, from a date
 * {@link parseDateToUnixSeconds} reads (`YYYY-MM-DD` is midnight UTC).
 *
 * @example
 * parseStartTimeMs('2024-01-01'); // 1704067200000
 */
export function parseStartTimeMs(value: string): number {
  return parseDateToUnixSeconds(value) * 1000;
}

/**
 * Commander parser for `--end`: the time of the last bar to use, inclusive, as unix ms. A date
 * alone (`YYYY-MM-DD`) means through the end of that day (UTC), so `--end 2024-01-31` keeps
 * January 31's intraday bars; a time or unix seconds means through the end of that second.
 *
 * @example
 * parseEndTimeMs('2024-01-31'); // 1706745599999, i.e. 2024-01-31T23:59:59.999Z
 */
export function parseEndTimeMs(value: string): number {
  const ms = parseDateToUnixSeconds(value) * 1000;
  return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? ms + DAY_MS - 1 : ms + 999;
}

/** Commander parser for a run id. */
export function parseId(value: string): number {
  // Plain decimal digits only: Number() would also take 0x10, 1e1, 0b11 and 1.0 for other ids.
  const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`"${value}" is not a run id (a whole number of 1 or more, in decimal digits).`);
  return n;
}
