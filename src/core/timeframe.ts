/**
 * Bar timeframes, spelled as Alpaca spells them: `NMin` (1–59), `NHour` (1–23), `1Day`, `1Week`
 * and `NMonth` (1, 2, 3, 4, 6 or 12). Other common spellings (`1h`, `60Min`, `1d`, `D`, `daily`)
 * are aliases: {@link canonicalTimeframe} turns them into the Alpaca spelling on input, and
 * {@link timeframeAliases} lists them so rows written with another spelling can still be matched.
 *
 * Trap: a single `m` is a minute and a single `M` a month (`1m` vs `1M`), as in Alpaca and ccxt.
 */

/** The numbers 0 to N − 1 as a union of number literals. */
type Below<N extends number, Counted extends number[] = []> = Counted['length'] extends N
  ? Counted[number]
  : Below<N, [...Counted, Counted['length']]>;

/**
 * A timeframe in its canonical (Alpaca) spelling, e.g. `30Min`, `1Hour`, `1Day`, `3Month`.
 *
 * @example
 * const tf: Timeframe = Timeframe.OneDay; // '1Day'
 */
export type Timeframe =
  | `${Exclude<Below<60>, 0>}Min`
  | `${Exclude<Below<24>, 0>}Hour`
  | '1Day'
  | '1Week'
  | `${1 | 2 | 3 | 4 | 6 | 12}Month`;

/**
 * Names for the timeframes used most; every {@link Timeframe} is valid, not only these.
 *
 * @example
 * const tf: Timeframe = Timeframe.ThirtyMinutes; // '30Min'
 */
export const Timeframe = {
  OneMinute: '1Min',
  FiveMinutes: '5Min',
  FifteenMinutes: '15Min',
  ThirtyMinutes: '30Min',
  OneHour: '1Hour',
  FourHours: '4Hour',
  OneDay: '1Day',
  OneWeek: '1Week',
  OneMonth: '1Month',
  ThreeMonths: '3Month',
} as const satisfies Record<string, Timeframe>;

/**
 * The common timeframes, shortest first, for help text and menus. Not a list of the valid
 * ones: any {@link Timeframe} is valid (test with {@link isTimeframe}).
 */
export const TIMEFRAMES: readonly Timeframe[] = Object.values(Timeframe);

const MINUTE_MS = 60_000;
/** A month is 365.25 / 12 days long, nominally. */
const MONTH_MS = 2_629_800_000;
const MINUTES_PER_HOUR = 60;
const MINUTES_PER_DAY = 1_440;
const MINUTES_PER_WEEK = 10_080;

/** A unit of a timeframe spelling: so many minutes, or so many calendar months. */
interface Unit {
  readonly kind: 'minutes' | 'months';
  readonly size: number;
}

/** A word as written in lower case, capitalized and in upper case (`min`, `Min`, `MIN`). */
function caseForms(word: string): string[] {
  return [...new Set([word, word.charAt(0).toUpperCase() + word.slice(1), word.toUpperCase()])];
}

/**
 * Every unit spelling, exactly as written. Case matters only for single letters, where `m` is a
 * minute and `M` a month; words are accepted in three casings, so the list of aliases stays finite.
 */
const UNITS: ReadonlyMap<string, Unit> = new Map(
  (
    [
      [['T', 't', 'm'], ['min', 'mins', 'minute', 'minutes'], { kind: 'minutes', size: 1 }],
      [['H', 'h'], ['hr', 'hrs', 'hour', 'hours'], { kind: 'minutes', size: MINUTES_PER_HOUR }],
      [['D', 'd'], ['day', 'days'], { kind: 'minutes', size: MINUTES_PER_DAY }],
      [['W', 'w'], ['wk', 'wks', 'week', 'weeks'], { kind: 'minutes', size: MINUTES_PER_WEEK }],
      [['M'], ['mo', 'mos', 'month', 'months'], { kind: 'months', size: 1 }],
      [['Y', 'y'], ['yr', 'yrs', 'year', 'years'], { kind: 'months', size: 12 }],
    ] as const
  ).flatMap(([letters, words, unit]) =>
    [...letters, ...words.flatMap(caseForms)].map((spelling) => [spelling, unit as Unit] as const),
  ),
);

/** Words that name a timeframe without a count. */
const WORDS: ReadonlyMap<string, Timeframe> = new Map(
  (
    [
      ['hourly', '1Hour'],
      ['daily', '1Day'],
      ['weekly', '1Week'],
      ['monthly', '1Month'],
      ['quarterly', '3Month'],
      ['yearly', '12Month'],
    ] as const
  ).flatMap(([word, tf]) => caseForms(word).map((spelling) => [spelling, tf] as const)),
);

/** A count (no leading zeros, so the aliases stay finite) and a unit; no count means 1. */
const SPELLING = /^([1-9][0-9]{0,5})?([A-Za-z]+)$/;

/** The canonical timeframe of a whole number of minutes or months, if Alpaca has one. */
function fromCount(kind: Unit['kind'], count: number): Timeframe | undefined {
  if (kind === 'months') {
    return count === 1 || count === 2 || count === 3 || count === 4 || count === 6 || count === 12
      ? `${count}Month`
      : undefined;
  }
  if (count >= 1 && count < MINUTES_PER_HOUR) return `${count}Min` as Timeframe;
  // Minutes that are whole hours are hours, 24 hours a day and 7 days a week.
  if (count % MINUTES_PER_HOUR === 0 && count < MINUTES_PER_DAY) return `${count / MINUTES_PER_HOUR}Hour` as Timeframe;
  if (count === MINUTES_PER_DAY) return '1Day';
  if (count === MINUTES_PER_WEEK) return '1Week';
  return undefined;
}

/**
 * The canonical (Alpaca) spelling of a timeframe written in any accepted way, or `undefined`
 * when `text` is not a timeframe Alpaca has. Accepted: a count (1 if left out) and a unit among
 * `Min`/`min`/`T`/`m`/`minute(s)`, `Hour`/`H`/`h`/`hr`, `Day`/`D`/`d`, `Week`/`W`/`w`/`wk`,
 * `Month`/`M`/`mo`, `Year`/`Y`/`y` (12 months), words in lower, capitalized or upper case; and
 * the words `hourly`, `daily`, `weekly`, `monthly`, `quarterly`, `yearly`. Minutes or hours that
 * make a whole larger unit become it: `60Min` is `1Hour`, `24h` and `1440Min` are `1Day`, `7d`
 * is `1Week`. Out of Alpaca's ranges (`0Min`, `90Min`, `2Day`, `5Month`) is `undefined`.
 *
 * @example
 * canonicalTimeframe('1h'); // '1Hour'
 * canonicalTimeframe('1m'); // '1Min'
 * canonicalTimeframe('1M'); // '1Month'
 * canonicalTimeframe('2Day'); // undefined
 */
export function canonicalTimeframe(text: string): Timeframe | undefined {
  const word = WORDS.get(text);
  if (word !== undefined) return word;
  const match = SPELLING.exec(text);
  if (match === null) return undefined;
  const unit = UNITS.get(match[2] as string);
  if (unit === undefined) return undefined;
  const count = match[1] === undefined ? 1 : Number(match[1]);
  return fromCount(unit.kind, count * unit.size);
}

/**
 * True only for a timeframe in its canonical spelling (`1Hour`, not `1h`); use
 * {@link canonicalTimeframe} to accept aliases.
 *
 * @example
 * isTimeframe('30Min'); // true
 * isTimeframe('1h'); // false
 */
export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && canonicalTimeframe(value) === value;
}

/**
 * Nominal length of one bar, in milliseconds; a month is 365.25 / 12 days.
 *
 * @example
 * timeframeMs('30Min'); // 1_800_000
 */
export function timeframeMs(tf: Timeframe): number {
  const { kind, count } = countOf(tf);
  return kind === 'months' ? count * MONTH_MS : count * MINUTE_MS;
}

/**
 * Every spelling that {@link canonicalTimeframe} turns into `tf`, the canonical one first: the
 * finite list to match stored rows written with another spelling (`1h`, `60Min`, `H` for `1Hour`).
 *
 * @example
 * timeframeAliases('1Day'); // ['1Day', '1D', 'D', '1d', 'd', 'day', ..., '24h', ..., '1440Min', ..., 'daily', ...]
 */
export function timeframeAliases(tf: Timeframe): string[] {
  const { kind, count } = countOf(tf);
  const spellings = new Set<string>([tf]);
  for (const [spelling, unit] of UNITS) {
    if (unit.kind !== kind || count % unit.size !== 0) continue;
    const amount = count / unit.size;
    spellings.add(`${amount}${spelling}`);
    if (amount === 1) spellings.add(spelling);
  }
  for (const [word, wordTf] of WORDS) if (wordTf === tf) spellings.add(word);
  return [...spellings];
}

/** A canonical timeframe as a count of minutes or of months. */
function countOf(tf: Timeframe): { kind: Unit['kind']; count: number } {
  const match = /^(\d+)(Min|Hour|Day|Week|Month)$/.exec(tf);
  if (match === null) throw new TypeError(`"${tf}" is not a canonical timeframe`);
  const amount = Number(match[1]);
  switch (match[2]) {
    case 'Min':
      return { kind: 'minutes', count: amount };
    case 'Hour':
      return { kind: 'minutes', count: amount * MINUTES_PER_HOUR };
    case 'Day':
      return { kind: 'minutes', count: amount * MINUTES_PER_DAY };
    case 'Week':
      return { kind: 'minutes', count: amount * MINUTES_PER_WEEK };
    default:
      return { kind: 'months', count: amount };
  }
}
