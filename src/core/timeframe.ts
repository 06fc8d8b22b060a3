/**
 * Bar timeframes, spelled as Alpaca spells them.
 *
 * @example
 * const tf: Timeframe = Timeframe.OneDay; // '1Day'
 */
export const Timeframe = {
  OneMinute: '1Min',
  FiveMinutes: '5Min',
  FifteenMinutes: '15Min',
  OneHour: '1Hour',
  FourHours: '4Hour',
  OneDay: '1Day',
  OneWeek: '1Week',
  OneMonth: '1Month',
} as const;

export type Timeframe = (typeof Timeframe)[keyof typeof Timeframe];

/** All valid timeframe spellings, shortest first. */
export const TIMEFRAMES: readonly Timeframe[] = Object.values(Timeframe);

/** Nominal length of one bar of each timeframe, in milliseconds (a month: 365.25 / 12 days). */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1Min': 60_000,
  '5Min': 300_000,
  '15Min': 900_000,
  '1Hour': 3_600_000,
  '4Hour': 14_400_000,
  '1Day': 86_400_000,
  '1Week': 604_800_000,
  '1Month': 2_629_800_000,
};

/** True when `value` is one of the {@link TIMEFRAMES}. */
export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === 'string' && (TIMEFRAMES as readonly string[]).includes(value);
}
