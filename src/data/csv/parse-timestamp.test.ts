import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTimeZone } from '../time-zone.js';
import { parseTimestampBytes, parseTimestampMs } from './parse-timestamp.js';

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

const two = (n: number) => String(n).padStart(2, '0');

/** Time cells near the accepted forms: fields in and out of range, every separator and offset form, stray bytes. */
const timeCell = fc.oneof(
  fc
    .record({
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      time: fc.option(
        fc.record({
          separator: fc.constantFrom('T', 't', ' ', '_'),
          hour: fc.integer({ min: 0, max: 25 }),
          minute: fc.integer({ min: 0, max: 61 }),
          second: fc.option(fc.integer({ min: 0, max: 61 })),
          fraction: fc.option(fc.tuple(fc.constantFrom('.', ','), fc.stringMatching(/^\d{0,6}$/))),
          offset: fc.option(
            fc.tuple(
              fc.constantFrom('', ' '),
              fc.oneof(
                fc.constantFrom('Z', 'z', '+', '-05', '+0530', '+05:30', '-24:00', '+05:', '+5'),
                fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 })),
              ),
            ),
          ),
        }),
      ),
      padding: fc.constantFrom('', '', ' ', 'x'),
    })
    .map(({ year, month, day, time, padding }) => {
      let text = `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`;
      if (time !== null) {
        text += `${time.separator}${two(time.hour)}:${two(time.minute)}`;
        if (time.second !== null) {
          text += `:${two(time.second)}`;
          if (time.fraction !== null) text += `${time.fraction[0]}${time.fraction[1]}`;
        }
        if (time.offset !== null) {
          const [space, offset] = time.offset;
          text += space + (typeof offset === 'string' ? offset : `${offset[0]}${two(offset[1])}:${two(offset[2])}`);
        }
      }
      return padding === 'x' ? `${text}x` : `${padding}${text}${padding}`;
    }),
  fc.oneof(
    fc.integer({ min: 0, max: 200_000_000_000_000 }).map(String),
    fc.tuple(fc.integer({ min: 0, max: 99_999_999_999 }), fc.stringMatching(/^\d{0,4}$/)).map(([a, b]) => `${a}.${b}`),
    fc.constantFrom('', '.5', '5.', '1e9', '-1092873600', '1092873600.5.5'),
  ),
);

describe('parseTimestampBytes', () => {
  it('gives what parseTimestampMs gives, or NaN to leave the cell to it', () => {
    const zone = createTimeZone('America/New_York');
    let fast = 0;
    fc.assert(
      fc.property(timeCell, fc.boolean(), (text, zoned) => {
        const bytes = Buffer.from(text, 'latin1');
        const fromBytes = parseTimestampBytes(bytes, 0, bytes.length, zoned ? zone : undefined);
        const fromText = parseTimestampMs(text, zoned ? zone : undefined);
        if (Number.isNaN(fromBytes)) return;
        fast++;
        expect(fromBytes).toBe(fromText);
      }),
      { numRuns: 20_000 },
    );
    // The property means something only if the fast path reads a good share of the cells.
    expect(fast).toBeGreaterThan(2_000);
  });

  it.each([
    '2004-08-19',
    '2017-04-19 09:00:00',
    '2017-04-19T09:00',
    '2017-04-19T09:00:00.250Z',
    '2017-04-19 09:00:00+02:00',
    '2017-04-19 11:00:00 +02:00',
    '2017-04-19T11:00:00+0200',
    '1092873600',
    '1092873600000',
    '1092873600.5',
  ])('reads the common form %j itself', (text) => {
    const bytes = Buffer.from(text, 'latin1');
    expect(parseTimestampBytes(bytes, 0, bytes.length)).toBe(parseTimestampMs(text));
  });
});

describe('parseTimestampMs with a time zone', () => {
  it('reads times without an offset in the zone, and leaves offsets and epoch numbers alone', () => {
    const zone = createTimeZone('America/New_York');
    expect(parseTimestampMs('2024-01-02 09:30', zone)).toBe(Date.UTC(2024, 0, 2, 14, 30));
    expect(parseTimestampMs('2024-07-02', zone)).toBe(Date.UTC(2024, 6, 2, 4));
    expect(parseTimestampMs('2024-01-02 09:30Z', zone)).toBe(Date.UTC(2024, 0, 2, 9, 30));
    expect(parseTimestampMs('2024-01-02 09:30+01:00', zone)).toBe(Date.UTC(2024, 0, 2, 8, 30));
    expect(parseTimestampMs('1704187800', zone)).toBe(1_704_187_800_000);
  });
});
