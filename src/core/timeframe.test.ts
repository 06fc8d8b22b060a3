import { describe, expect, it } from 'vitest';
import { canonicalTimeframe, isTimeframe, TIMEFRAMES, Timeframe, timeframeAliases, timeframeMs } from './timeframe.js';

/** Every canonical spelling, built independently of the module under test. */
const CANONICAL: readonly string[] = [
  ...Array.from({ length: 59 }, (_, i) => `${i + 1}Min`),
  ...Array.from({ length: 23 }, (_, i) => `${i + 1}Hour`),
  '1Day',
  '1Week',
  ...[1, 2, 3, 4, 6, 12].map((n) => `${n}Month`),
];

describe('canonicalTimeframe', () => {
  it('keeps every Alpaca spelling as it is', () => {
    for (const tf of CANONICAL) expect(canonicalTimeframe(tf)).toBe(tf);
  });

  it.each([
    ['1h', '1Hour'],
    ['1H', '1Hour'],
    ['H', '1Hour'],
    ['hourly', '1Hour'],
    ['60Min', '1Hour'],
    ['60min', '1Hour'],
    ['60m', '1Hour'],
    ['60T', '1Hour'],
    ['120Min', '2Hour'],
    ['4h', '4Hour'],
    ['1d', '1Day'],
    ['1D', '1Day'],
    ['D', '1Day'],
    ['daily', '1Day'],
    ['Daily', '1Day'],
    ['24h', '1Day'],
    ['1440Min', '1Day'],
    ['1W', '1Week'],
    ['1w', '1Week'],
    ['W', '1Week'],
    ['weekly', '1Week'],
    ['7d', '1Week'],
    ['1m', '1Min'],
    ['5m', '5Min'],
    ['5T', '5Min'],
    ['15min', '15Min'],
    ['30MIN', '30Min'],
    ['30Min', '30Min'],
    ['1M', '1Month'],
    ['M', '1Month'],
    ['1Mo', '1Month'],
    ['1mo', '1Month'],
    ['monthly', '1Month'],
    ['3M', '3Month'],
    ['3mo', '3Month'],
    ['quarterly', '3Month'],
    ['6M', '6Month'],
    ['12M', '12Month'],
    ['1Y', '12Month'],
    ['1y', '12Month'],
    ['yearly', '12Month'],
  ])('reads %s as %s', (text, canonical) => {
    expect(canonicalTimeframe(text)).toBe(canonical);
  });

  it('tells a minute (m) from a month (M), as Alpaca and ccxt do', () => {
    expect(canonicalTimeframe('1m')).toBe('1Min');
    expect(canonicalTimeframe('1M')).toBe('1Month');
  });

  it.each([
    '60Hour',
    '24Hour24',
    '5Month',
    '5M',
    '0Min',
    '00Min',
    '01Min',
    '90Min',
    '25h',
    '2Day',
    '2d',
    '2Week',
    '2Y',
    '1.5h',
    '-1Min',
    '1 Hour',
    ' 1Hour',
    '',
    'Hour1',
    'minutely',
    '1ms',
    '1s',
    'abc',
  ])('refuses %j', (text) => {
    expect(canonicalTimeframe(text)).toBeUndefined();
  });
});

describe('isTimeframe', () => {
  it('is true only for canonical spellings', () => {
    for (const tf of CANONICAL) expect(isTimeframe(tf)).toBe(true);
    for (const value of ['1h', '60Min', 'D', '1d', '2Day', '', 1, null, undefined])
      expect(isTimeframe(value)).toBe(false);
  });

  it('holds for every named and common timeframe', () => {
    for (const tf of [...Object.values(Timeframe), ...TIMEFRAMES]) expect(isTimeframe(tf)).toBe(true);
  });
});

describe('timeframeMs', () => {
  it.each([
    ['1Min', 60_000],
    ['30Min', 1_800_000],
    ['1Hour', 3_600_000],
    ['23Hour', 82_800_000],
    ['1Day', 86_400_000],
    ['1Week', 604_800_000],
    ['1Month', 2_629_800_000],
    ['3Month', 3 * 2_629_800_000],
    ['12Month', 365.25 * 86_400_000],
  ] as const)('%s is %i ms', (tf, ms) => {
    expect(timeframeMs(tf)).toBe(ms);
  });
});

describe('timeframeAliases', () => {
  it('lists the canonical spelling first, and common spellings', () => {
    const hour = timeframeAliases('1Hour');
    expect(hour[0]).toBe('1Hour');
    expect(hour).toEqual(expect.arrayContaining(['1h', '1H', 'H', '60Min', '60m', 'hourly', '1hour', '1HOUR']));
    expect(timeframeAliases('1Day')).toEqual(expect.arrayContaining(['1d', '1D', 'D', 'daily', '24h', '1440Min']));
    expect(timeframeAliases('1Month')).toEqual(expect.arrayContaining(['1M', 'M', '1mo', '1Mo', 'monthly']));
    expect(timeframeAliases('1Month')).not.toContain('1m');
    expect(timeframeAliases('1Min')).not.toContain('1M');
  });

  it('lists only spellings that canonicalize back, without repeats', () => {
    for (const tf of CANONICAL as readonly Timeframe[]) {
      const aliases = timeframeAliases(tf);
      expect(new Set(aliases).size).toBe(aliases.length);
      for (const alias of aliases) expect(canonicalTimeframe(alias)).toBe(tf);
    }
  });

  it('lists every spelling that canonicalizes, counts up to a week of minutes', () => {
    const units = [
      ...['T', 't', 'm', 'H', 'h', 'D', 'd', 'W', 'w', 'M', 'Y', 'y', 'S', 's', 'q', 'Q'],
      ...['min', 'mins', 'minute', 'minutes', 'hr', 'hrs', 'hour', 'hours', 'day', 'days']
        .concat(['wk', 'wks', 'week', 'weeks', 'mo', 'mos', 'month', 'months', 'yr', 'yrs', 'year', 'years'])
        .flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase(), w[0] + w.slice(1).toUpperCase()]),
    ];
    const aliasesOf = new Map(CANONICAL.map((tf) => [tf, new Set(timeframeAliases(tf as Timeframe))]));
    const counts = ['', ...Array.from({ length: 1440 }, (_, i) => String(i + 1)), '10080'];
    let accepted = 0;
    for (const unit of units) {
      for (const count of counts) {
        const text = `${count}${unit}`;
        const tf = canonicalTimeframe(text);
        if (tf === undefined) continue;
        accepted++;
        expect(aliasesOf.get(tf)?.has(text), text).toBe(true);
      }
    }
    expect(accepted).toBeGreaterThan(1000);
  });
});
