/**
 * Reads one bar time from a CSV cell.
 *
 * Accepted forms:
 * - ISO 8601 dates with or without a time: `2004-08-19`, `2017-04-19 09:00:00`,
 *   `2017-04-19T09:00`, `2017-04-19T09:00:00.250Z`, `2017-04-19 09:00:00+02:00`
 *   (offsets `Z`, `±HH`, `±HHMM`, `±HH:MM`, optionally after one space). Without an offset the
 *   time is UTC. Fractions of a second are cut to whole milliseconds.
 * - Unix epoch time, a plain non-negative number, told apart by magnitude:
 *   `1e8 <= v < 1e11` is seconds, `1e11 <= v < 1e14` is milliseconds. Both ranges mean
 *   1973-03-03T09:46:40Z up to year 5138, so no value is ambiguous. Smaller numbers are
 *   refused (they would be before 1973, and a compact date such as `20040819` must not be
 *   misread as 1970-08-20), and so are larger ones (micro- or nanoseconds).
 */

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
 * otherwise.
 *
 * @example
 * parseTimestampMs('2004-08-19'); // 1092873600000
 * parseTimestampMs('1092873600'); // 1092873600000 (seconds)
 * parseTimestampMs('2004-13-01'); // { reason: 'month 13 is out of range' }
 */
export function parseTimestampMs(text: string): number | TimestampProblem {
  const cell = text.trim();
  if (cell.length === 0) return { reason: 'empty cell' };
  const iso = ISO_DATE_TIME.exec(cell);
  if (iso !== null) return isoToMs(iso);
  if (PLAIN_NUMBER.test(cell)) return epochToMs(Number(cell));
  return { reason: EXPECTED };
}

function isoToMs(m: RegExpExecArray): number | TimestampProblem {
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

function epochToMs(value: number): number | TimestampProblem {
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
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
