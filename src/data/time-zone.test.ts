import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { createTimeZone, isTimeZone } from './time-zone.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of a UTC instant in a zone, as epoch milliseconds of that wall time in UTC: straight from Intl. */
function wallOf(zone: string, utcMs: number): number {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(utcMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
}

/** Every offset (on the quarter hour) the zone has between two instants. */
function offsetsBetween(zone: string, fromMs: number, toMs: number): number[] {
  const offsets = new Set<number>();
  for (let at = fromMs; at <= toMs; at += 15 * MINUTE) offsets.add(wallOf(zone, at) - at);
  return [...offsets];
}

/** Every UTC instant whose wall time in `zone` is `wallMs`, trying each of `offsets`: the brute-force answer. */
function instantsOf(zone: string, wallMs: number, offsets: readonly number[]): number[] {
  const found = offsets.filter((offset) => wallOf(zone, wallMs - offset) === wallMs).map((offset) => wallMs - offset);
  return found.sort((a, b) => a - b);
}

describe('createTimeZone', () => {
  it('reads wall times of a zone as UTC instants, in winter and summer', () => {
    const newYork = createTimeZone('America/New_York');
    expect(new Date(newYork.toUtcMs(Date.UTC(2024, 0, 2, 9, 30))).toISOString()).toBe('2024-01-02T14:30:00.000Z');
    expect(new Date(newYork.toUtcMs(Date.UTC(2024, 6, 2, 9, 30))).toISOString()).toBe('2024-07-02T13:30:00.000Z');
    expect(newYork.ambiguousLaterMs).toBeNaN();
    expect(createTimeZone('UTC').toUtcMs(Date.UTC(2024, 0, 2))).toBe(Date.UTC(2024, 0, 2));
  });

  it('gives the earlier instant of a repeated hour and keeps the later one aside', () => {
    const zone = createTimeZone('America/New_York');
    // 2024-11-03 01:30 happened at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(zone.toUtcMs(Date.UTC(2024, 10, 3, 1, 30))).toBe(Date.UTC(2024, 10, 3, 5, 30));
    expect(zone.ambiguousLaterMs).toBe(Date.UTC(2024, 10, 3, 6, 30));
    expect(zone.toUtcMs(Date.UTC(2024, 10, 3, 2, 30))).toBe(Date.UTC(2024, 10, 3, 7, 30));
    expect(zone.ambiguousLaterMs).toBeNaN();
  });

  it('moves a skipped wall time forward by the change', () => {
    const zone = createTimeZone('America/New_York');
    // 2024-03-10 02:30 never happened; read with the offset before the change it is 03:30 EDT.
    expect(zone.toUtcMs(Date.UTC(2024, 2, 10, 2, 30))).toBe(Date.UTC(2024, 2, 10, 7, 30));
    expect(zone.ambiguousLaterMs).toBeNaN();
  });

  it.each([
    'America/New_York',
    'Europe/London',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'Asia/Kolkata',
  ])('agrees with a brute-force search every 30 minutes around the changes of 2024 in %s', (name) => {
    const zone = createTimeZone(name);
    const days = [
      [0, 10],
      [2, 7],
      [2, 30],
      [3, 5],
      [8, 28],
      [9, 4],
      [9, 25],
      [10, 1],
    ] as const;
    for (const [month, first] of days) {
      const from = Date.UTC(2024, month, first);
      const to = Date.UTC(2024, month, first + 4);
      const offsets = offsetsBetween(name, from - 30 * HOUR, to + 30 * HOUR);
      for (let wall = from; wall < to; wall += 30 * MINUTE) {
        const instants = instantsOf(name, wall, offsets);
        const got = zone.toUtcMs(wall);
        if (instants.length === 0) {
          // Skipped: the offset before the change, so the time moves forward.
          expect(wallOf(name, got)).toBeGreaterThan(wall);
          expect(zone.ambiguousLaterMs).toBeNaN();
        } else {
          expect(got).toBe(instants[0]);
          if (instants.length > 1) expect(zone.ambiguousLaterMs).toBe(instants[instants.length - 1]);
          else expect(zone.ambiguousLaterMs).toBeNaN();
        }
      }
    }
  });

  it('refuses an unknown zone with a usage error naming the flag', () => {
    expect(() => createTimeZone('Mars/Olympus_Mons')).toThrow(UsageError);
    expect(() => createTimeZone('Mars/Olympus_Mons')).toThrow(
      '--tz "Mars/Olympus_Mons" is not a time zone; use an IANA name such as America/New_York, Europe/London or UTC',
    );
    expect([isTimeZone('Europe/Berlin'), isTimeZone('UTC'), isTimeZone('+02:00'), isTimeZone('')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
