import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadBarsCsv } from './csv/parse-bars-csv.js';
import { inferTimeframe, measureSpacing, spacingContradicts } from './infer-timeframe.js';
import {
  dailyBarTimes,
  monthlyBarTimes,
  sessionBarTimes,
  tradingDays,
  weeklyBarTimes,
} from './market-calendar.test-support.js';

const load = (url: URL) => loadBarsCsv(fileURLToPath(url));
const infer = (times: readonly number[]) => inferTimeframe({ timeMs: Float64Array.from(times) });
const spacing = (times: readonly number[]) => measureSpacing([Float64Array.from(times)]);

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A year of US trading days, across both daylight-saving changes and every 2024 holiday. */
const DAYS_2024 = tradingDays('2024-01-01', '2024-12-31');
/** Ten years of weekdays (holidays only in 2023 and 2024). */
const DAYS_10Y = tradingDays('2015-01-01', '2024-12-31');

/** Bars every `stepMs` around the clock, starting on 2024-01-01. */
function roundTheClock(stepMs: number, count: number): number[] {
  const start = Date.parse('2024-01-01T00:00:00Z');
  return Array.from({ length: count }, (_, i) => start + i * stepMs);
}

describe('inferTimeframe on the bundled files', () => {
  it('reads trading-day data as 1Day despite weekend gaps', () => {
    expect(inferTimeframe(load(new URL('../../data/bars/GOOG.csv', import.meta.url)))).toBe('1Day');
  });

  it('reads hourly forex as 1Hour', () => {
    expect(inferTimeframe(load(new URL('../../data/bars/EURUSD.csv', import.meta.url)))).toBe('1Hour');
  });

  it('reads month-end bars as 1Month', () => {
    expect(inferTimeframe(load(new URL('./fixtures/BTCUSD.csv', import.meta.url)))).toBe('1Month');
  });
});

describe('inferTimeframe on US equity sessions (9:30 to 16:00 New York, weekends, holidays, daylight saving)', () => {
  it.each([
    [1, '1Min'],
    [5, '5Min'],
    [15, '15Min'],
    [30, '30Min'],
    [60, '1Hour'],
    [120, '2Hour'],
    [240, '4Hour'],
  ])('reads %i-minute session bars as %s', (stepMinutes, timeframe) => {
    expect(infer(sessionBarTimes(DAYS_2024, stepMinutes))).toBe(timeframe);
  });

  it('reads 30-minute bars of a single session as 30Min', () => {
    expect(infer(sessionBarTimes(tradingDays('2024-03-11', '2024-03-11'), 30))).toBe('30Min');
  });

  it('reads 1-minute bars with many minutes missing (thin trading) as 1Min', () => {
    const times = sessionBarTimes(DAYS_2024.slice(0, 20), 1).filter((_, i) => i % 5 !== 1 && i % 7 !== 3);
    expect(infer(times)).toBe('1Min');
  });

  it('reads daily bars stamped at New York midnight (23 and 25 hours apart at the clock changes) as 1Day', () => {
    expect(infer(dailyBarTimes(DAYS_2024))).toBe('1Day');
  });

  it('reads weekly bars, some moved to a Tuesday by a holiday, as 1Week', () => {
    const times = weeklyBarTimes(DAYS_2024);
    expect(times.some((t) => new Date(t).getUTCDay() === 2)).toBe(true);
    expect(infer(times)).toBe('1Week');
  });

  it.each([
    [1, '1Month'],
    [2, '2Month'],
    [3, '3Month'],
    [4, '4Month'],
    [6, '6Month'],
    [12, '12Month'],
  ])('reads bars on the first trading day of every %i months as %s', (months, timeframe) => {
    expect(infer(monthlyBarTimes(DAYS_10Y, months))).toBe(timeframe);
  });
});

describe('inferTimeframe on round-the-clock data', () => {
  it.each([
    [2 * 60_000, '2Min'],
    [45 * 60_000, '45Min'],
    [HOUR_MS, '1Hour'],
    [12 * HOUR_MS, '12Hour'],
    [DAY_MS, '1Day'],
    [7 * DAY_MS, '1Week'],
  ])('reads bars %i ms apart', (stepMs, timeframe) => {
    expect(infer(roundTheClock(stepMs, 500))).toBe(timeframe);
  });

  it('allows a second of jitter in intraday times', () => {
    const times = roundTheClock(HOUR_MS, 100).map((t, i) => t + (i % 3) * 400);
    expect(infer(times)).toBe('1Hour');
  });

  it('gives up on spacings that are no timeframe, on irregular spacing and on a single bar', () => {
    expect(infer(roundTheClock(90 * 60_000, 100))).toBeUndefined();
    expect(infer(roundTheClock(2 * DAY_MS, 100))).toBeUndefined();
    expect(infer(roundTheClock(7_000, 100))).toBeUndefined();
    expect(infer([0, 7_000, 14_000])).toBeUndefined();
    expect(infer([0])).toBeUndefined();
    expect(infer([])).toBeUndefined();
  });

  it('reads two bars from their one gap', () => {
    expect(infer([0, HOUR_MS])).toBe('1Hour');
  });
});

describe('measureSpacing', () => {
  it('pools the gaps of several series (one file, several symbols) without counting across them', () => {
    const daily = Float64Array.from(dailyBarTimes(DAYS_2024.slice(0, 3)));
    const result = measureSpacing([daily, daily, daily]);
    expect(result.timeframe).toBe('1Day');
    expect(result.gapCounts.get('1Day')).toBe(6);
    expect(result.gapCount).toBe(6);
  });
});

describe('spacingContradicts', () => {
  const hourly = spacing(sessionBarTimes(DAYS_2024.slice(0, 10), 60));

  it('refuses a timeframe longer than the spacing: the bars would overlap', () => {
    expect(spacingContradicts(hourly, '1Day')).toBe(true);
    expect(spacingContradicts(hourly, '2Hour')).toBe(true);
  });

  it('refuses a shorter timeframe when no two bars are that close', () => {
    expect(spacingContradicts(spacing(dailyBarTimes(DAYS_2024)), '1Hour')).toBe(true);
    expect(spacingContradicts(spacing(monthlyBarTimes(DAYS_10Y)), '1Week')).toBe(true);
  });

  it('accepts the timeframe the spacing shows', () => {
    expect(spacingContradicts(hourly, '1Hour')).toBe(false);
  });

  it('accepts a shorter timeframe that some bars show: sparse data skips bars', () => {
    const sparse = [0, 1, 3, 5, 7, 9, 11, 13, 14, 16].map((m) => m * 60_000);
    expect(spacing(sparse).timeframe).toBe('2Min');
    expect(spacingContradicts(spacing(sparse), '1Min')).toBe(false);
  });

  it('trusts the given timeframe when too few bars show the spacing, or none does', () => {
    expect(spacingContradicts(spacing([0, HOUR_MS, 2 * HOUR_MS]), '1Day')).toBe(false);
    expect(spacingContradicts(spacing([0, 7_000, 14_000, 21_000, 28_000]), '1Day')).toBe(false);
  });
});
