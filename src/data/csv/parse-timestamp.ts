/**
 * Reads one bar time from a CSV cell.
 *
 * Accepted forms:
 * - ISO 8601 dates with or without a time: `2004-08-19`, `2017-04-19 09:00:00`,
 *   `2017-04-19T09:00`, `2017-04-19T09:00:00.250Z`, `2017-04-19 09:00:00+02:00`
 *   (offsets `Z`, `±HH`, `±HHMM`, `±HH:MM`, optionally after one space). Without an offset the
 *   time is UTC, or wall-clock time in a given {@link TimeZone} (`--tz`). Fractions of a second
 *   are cut to whole milliseconds.
 * - Unix epoch time, a plain non-negative number, told apart by magnitude:
 *   `1e8 <= v < 1e11` is seconds, `1e11 <= v < 1e14` is milliseconds. Both ranges mean
 *   1973-03-03T09:46:40Z up to year 5138, so no value is ambiguous. Smaller numbers are
 *   refused (they would be before 1973, and a compact date such as `20040819` must not be
 *   misread as 1970-08-20), and so are larger ones (micro- or nanoseconds). They are instants,
 *   so a time zone does not apply to them.
 */

import type { TimeZone } from '../time-zone.js';
import { parseDecimalBytes } from './parse-decimal.js';

/** Why a cell could not be read as a time; the words complete "unparseable date "x": …". */
export interface TimestampProblem {
  readonly reason: string;
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?: ?([Zz]|[+-]\d{2}(?::?\d{2})?))?)?$/;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

const EXPECTED =
  'expected ISO 8601 such as 2004-08-19, 2017-04-19 09:00:00 or 2017-04-19T09:00:00Z, or unix epoch seconds or milliseconds';

const MS_PER_DAY = 86_400_000;

/** Smallest epoch value read as seconds (1973-03-03T09:46:40Z). */
export const MIN_EPOCH_SECONDS = 1e8;
/** Smallest epoch value read as milliseconds; everything below it (and from MIN_EPOCH_SECONDS) is seconds. */
export const MIN_EPOCH_MILLISECONDS = 1e11;
/** Epoch values from here on are refused: as milliseconds they would be after year 5138. */
export const MAX_EPOCH_MILLISECONDS = 1e14;

/**
 * Parses a bar time to unix epoch milliseconds UTC, or says why it cannot.
 * Returns a number on success (no allocation on the hot path) and a {@link TimestampProblem}
 * otherwise. A date or time without an offset is read in `zone` when one is given (see
 * {@link TimeZone.toUtcMs} for the hours daylight saving repeats or skips), else as UTC.
 *
 * @example
 * parseTimestampMs('2004-08-19'); // 1092873600000
 * parseTimestampMs('1092873600'); // 1092873600000 (seconds)
 * parseTimestampMs('2004-13-01'); // { reason: 'month 13 is out of range' }
 */
export function parseTimestampMs(text: string, zone?: TimeZone): number | TimestampProblem {
  const cell = text.trim();
  if (cell.length === 0) return { reason: 'empty cell' };
  const iso = ISO_DATE_TIME.exec(cell);
  if (iso !== null) return isoToMs(iso, zone);
  if (PLAIN_NUMBER.test(cell)) return epochValueToMs(Number(cell));
  return { reason: EXPECTED };
}

function isoToMs(m: RegExpExecArray, zone: TimeZone | undefined): number | TimestampProblem {
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7];
  const offset = m[8];
  if (month < 1 || month > 12) return { reason: `month ${month} is out of range 1-12` };
  const monthDays = daysInMonth(year, month);
  if (day < 1 || day > monthDays) return { reason: `day ${day} is out of range 1-${monthDays} for ${m[1]}-${m[2]}` };
  if (hour > 23) return { reason: `hour ${hour} is out of range 0-23` };
  if (minute > 59) return { reason: `minute ${minute} is out of range 0-59` };
  // Leap seconds (:60) are refused: unix time has no slot for them.
  if (second > 59) return { reason: `second ${second} is out of range 0-59` };
  const ms = fraction === undefined ? 0 : Number(fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0'));
  if (offset === undefined && zone !== undefined) {
    return zone.toUtcMs(
      daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms,
    );
  }
  let offsetMinutes = 0;
  if (offset !== undefined && offset !== 'Z' && offset !== 'z') {
    const sign = offset.charCodeAt(0) === 45 /* - */ ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return { reason: `time zone offset ${offset} is out of range` };
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  return (
    daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + ms
  );
}

/**
 * Reads a plain non-negative number as unix epoch seconds or milliseconds by its magnitude
 * (see the module notes), or says why it is neither.
 *
 * @example
 * epochValueToMs(1092873600); // 1092873600000
 */
export function epochValueToMs(value: number): number | TimestampProblem {
  if (value < MIN_EPOCH_SECONDS) {
    return {
      reason:
        'a number below 100000000 is not read as a unix time (it would be before 1973-03-03); write dates as ISO 8601, e.g. 2004-08-19',
    };
  }
  if (value < MIN_EPOCH_MILLISECONDS) return Math.round(value * 1000);
  if (value < MAX_EPOCH_MILLISECONDS) return Math.round(value);
  return {
    reason:
      'too large for unix epoch milliseconds (it would be after year 5138); microseconds and nanoseconds are not supported',
  };
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
 * Used instead of `Date.UTC`, which maps years 0-99 to 1900-1999.
 *
 * @example
 * daysFromCivil(1970, 1, 2); // 1
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The fast path of {@link parseTimestampMs} for a cell still in the file's bytes: the same
 * result for the common forms (`2024-01-02`, `2024-01-02 09:30:00`, ISO with a fraction or an
 * offset, plain epoch seconds or milliseconds) without decoding a string or building a `Date`.
 * Returns NaN for anything else, valid or not (white space, out-of-range fields, other forms):
 * the caller then decodes the cell and asks {@link parseTimestampMs}, which also says what is
 * wrong.
 *
 * @example
 * parseTimestampBytes(Buffer.from('2004-08-19'), 0, 10); // 1092873600000
 */
export function parseTimestampBytes(bytes: Uint8Array, start: number, end: number, zone?: TimeZone): number {
  const length = end - start;
  if (length >= 10 && bytes[start + 4] === 45 /* - */ && bytes[start + 7] === 45) {
    return isoBytesToMs(bytes, start, end, zone);
  }
  // Plain epoch number: digits, optionally a point and more digits.
  let point = -1;
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    if (c === 46 /* . */ && point < 0 && i > start && i < end - 1) point = i;
    else if (c < 48 || c > 57) return Number.NaN;
  }
  if (length === 0) return Number.NaN;
  const value = parseDecimalBytes(bytes, start, end);
  if (Number.isNaN(value)) return Number.NaN;
  const ms = epochValueToMs(value);
  return typeof ms === 'number' ? ms : Number.NaN;
}

function isoBytesToMs(bytes: Uint8Array, start: number, end: number, zone: TimeZone | undefined): number {
  const year = digits(bytes, start, 4);
  const month = digits(bytes, start + 5, 2);
  const day = digits(bytes, start + 8, 2);
  // Bars of a day share its date, so the date's checks and day count are worked out once.
  const dateKey = (year * 100 + month) * 100 + day;
  let dayMs = lastDayMs;
  if (dateKey !== lastDateKey) {
    // NaN fails every range check below, so a non-digit needs no test of its own.
    if (!(month >= 1 && month <= 12 && day >= 1 && year >= 0)) return Number.NaN;
    if (day > daysInMonth(year, month)) return Number.NaN;
    dayMs = daysFromCivil(year, month, day) * MS_PER_DAY;
    lastDateKey = dateKey;
    lastDayMs = dayMs;
  }
  let p = start + 10;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offsetMinutes = 0;
  let hasOffset = false;
  if (p < end) {
    const separator = bytes[p] as number;
    if (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) return Number.NaN;
    if (p + 6 > end || bytes[p + 3] !== 58 /* : */) return Number.NaN;
    hour = digits(bytes, p + 1, 2);
    minute = digits(bytes, p + 4, 2);
    if (!(hour <= 23 && minute <= 59)) return Number.NaN;
    p += 6;
    if (p < end && bytes[p] === 58 /* : */) {
      if (p + 3 > end) return Number.NaN;
      second = digits(bytes, p + 1, 2);
      if (!(second <= 59)) return Number.NaN;
      p += 3;
      if (p < end && (bytes[p] === 46 /* . */ || bytes[p] === 44) /* , */) {
        p++;
        const from = p;
        while (p < end && (bytes[p] as number) >= 48 && (bytes[p] as number) <= 57) p++;
        if (p === from) return Number.NaN;
        // Cut, not rounded, to milliseconds: .1239 is 123 ms.
        for (let i = 0, scale = 100; i < 3; i++, scale /= 10) {
          if (from + i < p) ms += ((bytes[from + i] as number) - 48) * scale;
        }
      }
    }
    if (p < end) {
      if (bytes[p] === 32 && p + 1 < end) p++;
      const sign = bytes[p] as number;
      if ((sign | 0x20) === 122 /* Z or z */) {
        p++;
      } else if (sign === 43 /* + */ || sign === 45 /* - */) {
        if (p + 3 > end) return Number.NaN;
        const offsetHours = digits(bytes, p + 1, 2);
        let offsetMins = 0;
        p += 3;
        if (p < end) {
          if (bytes[p] === 58 /* : */) p++;
          if (p + 2 > end) return Number.NaN;
          offsetMins = digits(bytes, p, 2);
          p += 2;
        }
        if (!(offsetHours <= 23 && offsetMins <= 59)) return Number.NaN;
        offsetMinutes = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
      } else {
        return Number.NaN;
      }
      hasOffset = true;
      if (p !== end) return Number.NaN;
    }
  }
  const wallMs = dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  if (!hasOffset && zone !== undefined) return zone.toUtcMs(wallMs);
  return wallMs - offsetMinutes * 60_000;
}

/** The last date {@link isoBytesToMs} read, as `yyyymmdd` (NaN: none yet), and its midnight in epoch milliseconds. */
let lastDateKey = Number.NaN;
let lastDayMs = 0;

/** The decimal number of `count` ASCII digits at `at`, or NaN if one is not a digit. */
function digits(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = (bytes[i] as number) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}
