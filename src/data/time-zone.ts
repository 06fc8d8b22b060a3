import { UsageError } from '../core/errors.js';
import { daysFromCivil } from './csv/parse-timestamp.js';

/**
 * Wall-clock times in an IANA time zone (`America/New_York`), turned into UTC with the zone
 * rules `Intl` carries, so no time zone database is bundled.
 *
 * `Intl.DateTimeFormat#formatToParts` costs microseconds, so offsets are cached per local day:
 * a day whose neighbourhood has one offset converts with one subtraction; a day near a daylight
 * saving change keeps the exact instant of the change, found once by bisection.
 */

const MS_PER_DAY = 86_400_000;
/** How far from a local day the UTC instants of its wall times can lie (offsets are within ±15 hours). */
const WINDOW_MS = MS_PER_DAY;

/** Offsets around one local day: constant (`changeMs` NaN) or one change at `changeMs`. */
interface DayOffsets {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly changeMs: number;
  /** More than one change near this day: every time is worked out with `Intl`. */
  readonly irregular: boolean;
}

/**
 * Converts wall-clock times of one IANA zone to UTC. Create one with {@link createTimeZone}.
 *
 * A wall time that occurs twice (the hour repeated when clocks go back) converts to the
 * earlier instant, and {@link TimeZone.ambiguousLaterMs} then holds the later one, so a reader
 * of consecutive bars can take the later instant when the earlier would not follow the previous
 * bar. A wall time that does not exist (skipped when clocks go forward) is read with the offset
 * in force before the change, i.e. moved forward by the change, as `Temporal`'s `compatible`
 * disambiguation does.
 *
 * @example
 * const zone = createTimeZone('America/New_York');
 * zone.toUtcMs(Date.UTC(2024, 0, 2, 9, 30)); // 2024-01-02T14:30:00Z
 */
export class TimeZone {
  /** The zone's IANA name as given. */
  readonly name: string;
  /**
   * The later instant of the last {@link TimeZone.toUtcMs} call when its wall time occurred
   * twice; NaN otherwise.
   */
  ambiguousLaterMs = Number.NaN;
  readonly #format: Intl.DateTimeFormat;
  readonly #days = new Map<number, DayOffsets>();
  #lastDay = Number.NaN;
  #lastOffsetMs = Number.NaN;

  constructor(name: string, format: Intl.DateTimeFormat) {
    this.name = name;
    this.#format = format;
  }

  /**
   * The UTC instant (epoch milliseconds) of a wall-clock time given as the epoch milliseconds
   * it would be in UTC (`Date.UTC(year, month - 1, day, hour, minute)`).
   */
  toUtcMs(wallMs: number): number {
    const day = Math.floor(wallMs / MS_PER_DAY);
    if (day === this.#lastDay) {
      this.ambiguousLaterMs = Number.NaN;
      return wallMs - this.#lastOffsetMs;
    }
    const offsets = this.#offsetsAround(day);
    if (Number.isNaN(offsets.changeMs) && !offsets.irregular) {
      this.#lastDay = day;
      this.#lastOffsetMs = offsets.beforeMs;
      this.ambiguousLaterMs = Number.NaN;
      return wallMs - offsets.beforeMs;
    }
    return this.#convertNearChange(wallMs, offsets);
  }

  /** Offset from UTC (milliseconds, east positive) in force at a UTC instant. */
  offsetAtMs(utcMs: number): number {
    const seconds = Math.floor(utcMs / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of this.#format.formatToParts(seconds)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        default:
          break;
      }
    }
    const wallMs = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
    return wallMs - seconds;
  }

  #offsetsAround(day: number): DayOffsets {
    let offsets = this.#days.get(day);
    if (offsets === undefined) {
      const from = day * MS_PER_DAY - WINDOW_MS;
      const to = (day + 1) * MS_PER_DAY + WINDOW_MS;
      const beforeMs = this.offsetAtMs(from);
      const afterMs = this.offsetAtMs(to);
      const middleMs = this.offsetAtMs((from + to) / 2);
      if (beforeMs === afterMs && middleMs === beforeMs) {
        offsets = { beforeMs, afterMs, changeMs: Number.NaN, irregular: false };
      } else if (middleMs !== beforeMs && middleMs !== afterMs) {
        offsets = { beforeMs, afterMs, changeMs: Number.NaN, irregular: true };
      } else {
        offsets = { beforeMs, afterMs, changeMs: this.#findChange(from, to, beforeMs), irregular: false };
      }
      this.#days.set(day, offsets);
    }
    return offsets;
  }

  /** First instant in `(from, to]` whose offset is not `beforeMs`, to the millisecond. */
  #findChange(from: number, to: number, beforeMs: number): number {
    let low = from;
    let high = to;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (this.offsetAtMs(middle) === beforeMs) low = middle;
      else high = middle;
    }
    return high;
  }

  #convertNearChange(wallMs: number, offsets: DayOffsets): number {
    this.#lastDay = Number.NaN;
    let beforeMs = offsets.beforeMs;
    let afterMs = offsets.afterMs;
    let earlyValid: boolean;
    let lateValid: boolean;
    if (offsets.irregular) {
      beforeMs = this.offsetAtMs(wallMs - WINDOW_MS);
      afterMs = this.offsetAtMs(wallMs + WINDOW_MS);
      earlyValid = this.offsetAtMs(wallMs - beforeMs) === beforeMs;
      lateValid = this.offsetAtMs(wallMs - afterMs) === afterMs;
    } else {
      earlyValid = wallMs - beforeMs < offsets.changeMs;
      lateValid = wallMs - afterMs >= offsets.changeMs;
    }
    this.ambiguousLaterMs = Number.NaN;
    if (earlyValid && lateValid && beforeMs !== afterMs) {
      const first = wallMs - Math.max(beforeMs, afterMs);
      this.ambiguousLaterMs = wallMs - Math.min(beforeMs, afterMs);
      return first;
    }
    if (lateValid && !earlyValid) return wallMs - afterMs;
    // Valid before the change, or skipped by it: the offset before the change.
    return wallMs - beforeMs;
  }
}

/** Whether `Intl` knows an IANA zone name (`Europe/Berlin`, `UTC`; not `CEST` or `+02:00`). */
export function isTimeZone(name: string): boolean {
  return formatFor(name) !== undefined;
}

/**
 * A {@link TimeZone} for an IANA name; throws a {@link UsageError} naming the flag for an
 * unknown zone.
 *
 * @example
 * createTimeZone('Europe/London').toUtcMs(Date.UTC(2024, 6, 1, 9)); // 2024-07-01T08:00:00Z
 */
export function createTimeZone(name: string): TimeZone {
  const format = formatFor(name);
  if (format === undefined) {
    throw new UsageError(
      `--tz "${name}" is not a time zone; use an IANA name such as America/New_York, Europe/London or UTC`,
    );
  }
  return new TimeZone(name, format);
}

function formatFor(name: string): Intl.DateTimeFormat | undefined {
  // Offsets such as "+02:00" are accepted by newer engines; they are not zones with rules.
  if (name.trim() === '' || /^[+-]\d/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined;
  }
}
