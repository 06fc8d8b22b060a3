import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestampMs } from './parse-timestamp.js';

// 2004-08-19T00:00:00Z: 1970..2003 is 34 years with 8 leap days (1972..2000) = 12418 days;
// Jan..Jul 2004 = 31+29+31+30+31+30+31 = 213 days, plus 18 = 231; 12649 days * 86_400_000 ms.
const GOOG_FIRST_MS = 12_649 * 86_400_000; // 1_092_873_600_000
// 2017-04-19T09:00:00Z, the first EURUSD bar.
const EURUSD_FIRST_MS = 1_492_592_400_000;

describe('parseTimestampMs', () => {
  it('reads an ISO date without a time as UTC midnight', () => {
    expect(GOOG_FIRST_MS).toBe(1_092_873_600_000);
    expect(parseTimestampMs('2004-08-19')).toBe(GOOG_FIRST_MS);
  });

  it.each([
    ['2017-04-19 09:00:00', EURUSD_FIRST_MS],
    ['2017-04-19T09:00:00', EURUSD_FIRST_MS],
    ['2017-04-19T09:00', EURUSD_FIRST_MS],
    ['2017-04-19T09:00:00Z', EURUSD_FIRST_MS],
    ['2017-04-19t09:00:00z', EURUSD_FIRST_MS],
    ['2017-04-19 09:00:00+00:00', EURUSD_FIRST_MS],
    // 11:00 at +02:00 is 09:00 UTC.
    ['2017-04-19T11:00:00+02:00', EURUSD_FIRST_MS],
    ['2017-04-19T11:00:00+0200', EURUSD_FIRST_MS],
    ['2017-04-19T11:00:00+02', EURUSD_FIRST_MS],
    ['2017-04-19 11:00:00 +02:00', EURUSD_FIRST_MS],
    // 04:30 at -04:30 is 09:00 UTC.
    ['2017-04-19T04:30:00-04:30', EURUSD_FIRST_MS],
    // Fractions are cut to milliseconds: .25 -> 250 ms, .1239 -> 123 ms.
    ['2017-04-19T09:00:00.25Z', EURUSD_FIRST_MS + 250],
    ['2017-04-19T09:00:00.1239Z', EURUSD_FIRST_MS + 123],
    ['  2017-04-19 09:00:00  ', EURUSD_FIRST_MS],
  ])('reads %j', (text, expected) => {
    expect(parseTimestampMs(text)).toBe(expected);
  });

  it('crosses a day boundary with an offset', () => {
    // 2004-08-19T01:00+05:00 is 2004-08-18T20:00Z: 4 hours before the 19th.
    expect(parseTimestampMs('2004-08-19T01:00:00+05:00')).toBe(GOOG_FIRST_MS - 4 * 3_600_000);
  });

  it('reads unix epoch seconds and milliseconds by magnitude', () => {
    expect(parseTimestampMs('1092873600')).toBe(GOOG_FIRST_MS);
    expect(parseTimestampMs('1092873600000')).toBe(GOOG_FIRST_MS);
    expect(parseTimestampMs('1092873600.5')).toBe(GOOG_FIRST_MS + 500);
    // Boundaries: 1e8 is the first value read as seconds, 1e11 the first read as milliseconds.
    expect(parseTimestampMs('100000000')).toBe(100_000_000_000);
    expect(parseTimestampMs('99999999999')).toBe(99_999_999_999_000);
    expect(parseTimestampMs('100000000000')).toBe(100_000_000_000);
  });

  it('refuses numbers that would be misread', () => {
    expect(parseTimestampMs('20040819')).toEqual({ reason: expect.stringContaining('below 100000000') });
    expect(parseTimestampMs('99999999')).toEqual({ reason: expect.stringContaining('before 1973-03-03') });
    // Nanoseconds, as pandas can write them.
    expect(parseTimestampMs('1092873600000000000')).toEqual({ reason: expect.stringContaining('nanoseconds') });
    expect(parseTimestampMs('-1092873600')).toEqual({ reason: expect.stringContaining('expected ISO 8601') });
  });

  it.each([
    ['2004-13-01', 'month 13 is out of range 1-12'],
    ['2004-00-10', 'month 0 is out of range 1-12'],
    ['2003-02-29', 'day 29 is out of range 1-28 for 2003-02'],
    ['2004-04-31', 'day 31 is out of range 1-30 for 2004-04'],
    ['2004-08-19 24:00:00', 'hour 24 is out of range 0-23'],
    ['2004-08-19 10:60:00', 'minute 60 is out of range 0-59'],
    ['2004-08-19 10:00:60', 'second 60 is out of range 0-59'],
    ['2004-08-19T10:00:00+25:00', 'time zone offset +25:00 is out of range'],
    ['', 'empty cell'],
  ])('says why %j is not a time', (text, reason) => {
    expect(parseTimestampMs(text)).toEqual({ reason });
  });

  it.each(['08/19/2004', '2004/08/19', '19.08.2004', 'yesterday', '2004-8-19', '2004-08-19T', 'NaN'])(
    'refuses %j with the accepted forms',
    (text) => {
      const result = parseTimestampMs(text);
      expect(result).toEqual({ reason: expect.stringContaining('expected ISO 8601 such as 2004-08-19') });
    },
  );

  it('accepts 29 February in leap years only, century rule included', () => {
    expect(parseTimestampMs('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestampMs('1900-02-29')).toEqual({ reason: 'day 29 is out of range 1-28 for 1900-02' });
  });

  it('agrees with Date.UTC on every valid date and time from year 1000 to 9999', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        (date) => {
          const iso = date.toISOString(); // e.g. 2004-08-19T00:00:00.000Z
          expect(parseTimestampMs(iso)).toBe(date.getTime());
          expect(parseTimestampMs(iso.slice(0, 10))).toBe(
            Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()),
          );
        },
      ),
    );
  });
});
