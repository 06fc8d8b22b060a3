import { describe, expect, it } from 'vitest';
import { addCalendar, parseDuration } from './durations.js';
import { planWindows } from './plan-windows.js';

const DAY = 86_400_000;
/** Daily times from 2020-01-01, one per day, `n` of them. */
const daily = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * DAY);
const d = parseDuration;
/** Windows as [trainFrom, trainTo, testFrom, testTo] index tuples. */
const spans = (w: ReturnType<typeof planWindows>) => w.map((x) => [x.trainFrom, x.trainTo, x.testFrom, x.testTo]);

describe('parseDuration', () => {
  it('reads days, weeks, months, years and bars', () => {
    expect(d('10d')).toEqual({ kind: 'calendar', months: 0, days: 10, text: '10d' });
    expect(d('3w')).toEqual({ kind: 'calendar', months: 0, days: 21, text: '3w' });
    expect(d('6mo')).toEqual({ kind: 'calendar', months: 6, days: 0, text: '6mo' });
    expect(d('2y')).toEqual({ kind: 'calendar', months: 24, days: 0, text: '2y' });
    expect(d('500bars')).toEqual({ kind: 'bars', bars: 500, text: '500bars' });
    expect(d(' 1BAR ')).toEqual({ kind: 'bars', bars: 1, text: '1bars' });
  });

  it('refuses anything else in one line naming the flag and the units', () => {
    for (const bad of ['', '2', 'y', '0d', '-1d', '1.5y', '3m', '2 years', '6months']) {
      expect(() => d(bad, '--train')).toThrow(
        /--train is ".*"; give a whole number of 1 or more and a unit: d \(days\)/,
      );
    }
  });

  it('adds calendar months in UTC, the day clamped to the month’s last', () => {
    expect(addCalendar(Date.UTC(2024, 0, 31), 1, 0)).toBe(Date.UTC(2024, 1, 29));
    expect(addCalendar(Date.UTC(2023, 0, 31), 1, 0)).toBe(Date.UTC(2023, 1, 28));
    expect(addCalendar(Date.UTC(2024, 0, 31), 2, 0)).toBe(Date.UTC(2024, 2, 31));
    expect(addCalendar(Date.UTC(2024, 10, 15, 9, 30), 14, 2)).toBe(Date.UTC(2026, 0, 17, 9, 30));
  });
});

describe('planWindows', () => {
  it('rolling bar windows: train k·step.., test the span after it, the last one cut at the last bar', () => {
    const w = planWindows(daily(23), { train: d('10bars'), test: d('5bars') });
    expect(spans(w)).toEqual([
      [0, 10, 10, 15],
      [5, 15, 15, 20],
      [10, 20, 20, 23],
    ]);
    expect(w.map((x) => x.index)).toEqual([0, 1, 2]);
  });

  it('anchored bar windows train from the first bar and grow by the step', () => {
    const w = planWindows(daily(23), { train: d('10bars'), test: d('5bars'), anchored: true });
    expect(spans(w)).toEqual([
      [0, 10, 10, 15],
      [0, 15, 15, 20],
      [0, 20, 20, 23],
    ]);
  });

  it('a step longer than the test leaves gaps between test spans; a shorter one is refused', () => {
    expect(spans(planWindows(daily(30), { train: d('10bars'), test: d('5bars'), step: d('8bars') }))).toEqual([
      [0, 10, 10, 15],
      [8, 18, 18, 23],
      [16, 26, 26, 30],
    ]);
    expect(() => planWindows(daily(30), { train: d('10bars'), test: d('5bars'), step: d('4bars') })).toThrow(
      /--step 4bars is shorter than --test 5bars/,
    );
  });

  it('rolling calendar windows on daily bars, boundaries on the first bar at or after each date', () => {
    // 2020-01-01 .. 2020-12-31 (366 days, a leap year); train 3 months, test 2 months.
    const times = daily(366);
    const w = planWindows(times, { train: d('3mo'), test: d('2mo') });
    const index = (y: number, m: number, day: number) => (Date.UTC(y, m, day) - Date.UTC(2020, 0, 1)) / DAY;
    // The step defaults to the test: window k trains from January + 2k months.
    expect(spans(w)).toEqual([
      [0, index(2020, 3, 1), index(2020, 3, 1), index(2020, 5, 1)],
      [index(2020, 2, 1), index(2020, 5, 1), index(2020, 5, 1), index(2020, 7, 1)],
      [index(2020, 4, 1), index(2020, 7, 1), index(2020, 7, 1), index(2020, 9, 1)],
      [index(2020, 6, 1), index(2020, 9, 1), index(2020, 9, 1), index(2020, 11, 1)],
      [index(2020, 8, 1), index(2020, 11, 1), index(2020, 11, 1), 366],
    ]);
  });

  it('anchored calendar windows, and a test span in a gap of the bars is left out', () => {
    // Bars on days 0..59 and 120..179: the window testing days 60..89 has no bar to trade.
    const times = Float64Array.from(
      [...Array(60).keys(), ...Array.from({ length: 60 }, (_, i) => 120 + i)],
      (i) => i * DAY,
    );
    const w = planWindows(times, { train: d('30d'), test: d('30d'), anchored: true });
    expect(spans(w)).toEqual([
      [0, 30, 30, 60],
      // days 60..89: no bar; days 90..119: no bar
      [0, 60, 60, 90],
      [0, 90, 90, 120],
    ]);
  });

  it('a training span in a gap is kept (the window will stay flat); too few bars or mixed units are refused', () => {
    // Bars on days 0..9 and 25..34. Steps of 10 days: the first test span (days 10..19) has no
    // bar and is left out; the next window trains on days 10..19 (no bar) and tests on 20..29.
    const times = Float64Array.from(
      [...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 25 + i)],
      (i) => i * DAY,
    );
    const w = planWindows(times, { train: d('10d'), test: d('10d') });
    expect(spans(w)).toEqual([
      [10, 10, 10, 15],
      [10, 15, 15, 20],
    ]);
    expect(w.map((x) => x.index)).toEqual([0, 1]);
    expect(() => planWindows(daily(5), { train: d('10bars'), test: d('5bars') })).toThrow(
      /too few for one walk-forward window/,
    );
    expect(() => planWindows(daily(50), { train: d('1mo'), test: d('5bars') })).toThrow(/mix calendar time and bars/);
  });
});
