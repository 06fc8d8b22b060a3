import { InvalidArgumentError } from 'commander';
import { isTimeframe, TIMEFRAMES, type Timeframe } from '../core/timeframe.js';

/** Commander parser for a finite number. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

/** Commander parser for a whole number of at least 1. */
export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of 1 or more.`);
  return n;
}

/** Commander parser for a timeframe spelled as Alpaca spells it. */
export function parseTimeframe(value: string): Timeframe {
  if (!isTimeframe(value))
    throw new InvalidArgumentError(`"${value}" is not a timeframe; use one of ${TIMEFRAMES.join(', ')}.`);
  return value;
}

/** Commander collector for repeatable options such as `--param k=v`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Commander parser for a date (ISO, `YYYY-MM-DD`, or unix seconds) to unix seconds. */
export function parseDateToUnixSeconds(value: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError(`"${value}" is not a date; use YYYY-MM-DD, an ISO time or unix seconds.`);
  return Math.floor(ms / 1000);
}

/** Commander parser for a run id. */
export function parseId(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`"${value}" is not a run id (a whole number of 1 or more).`);
  return n;
}
