import type { BarColumns } from '../core/bars.js';
import { DataError, type DataIssue } from '../core/errors.js';
import { formatTimeMs } from './format-time-ms.js';

/** A column of a bar series, by the name used in messages. */
export type BarField = 'time' | 'open' | 'high' | 'low' | 'close' | 'volume';

/** One broken bar invariant, located by bar index so each source can say where it came from. */
export interface BarProblem {
  /** 0-based index of the bar in the columns. */
  readonly index: number;
  readonly field: BarField;
  /** What is wrong, in words a user can act on. */
  readonly reason: string;
}

/**
 * Largest price accepted: no market quotes anything near it, and prices around 1e308 overflow
 * every money figure (position value, equity) to Infinity. Far above any real price (Berkshire
 * A is below 1e6), far below where doubles stop being exact enough for costs.
 */
export const MAX_PRICE = 1e12;
/** Largest volume accepted (the busiest tokens trade around 1e13 units a day). */
export const MAX_VOLUME = 1e18;

/** How many problems a check collects before it stops; a message shows the first. */
export const MAX_REPORTED_ISSUES = 20;

/**
 * Checks every invariant of {@link BarColumns} documented on `BarSeries` and returns the
 * problems in bar order, at most `limit` of them; an empty list means the bars are valid.
 * Columns must have equal lengths (see {@link assertValidBars}).
 *
 * Checks: times and values are finite numbers; prices and volume are not negative and not
 * beyond {@link MAX_PRICE} / {@link MAX_VOLUME};
 * `high >= low`; open and close lie in `[low, high]`; times strictly increase.
 *
 * @example
 * const problems = findBarProblems(columns);
 * if (problems.length > 0) console.log(problems[0].reason); // 'high 9 is below low 10'
 */
export function findBarProblems(columns: BarColumns, limit: number = MAX_REPORTED_ISSUES): BarProblem[] {
  const { timeMs, open, high, low, close, volume } = columns;
  const problems: BarProblem[] = [];
  const count = timeMs.length;
  let previousTimeMs = Number.NaN;
  for (let i = 0; i < count && problems.length < limit; i++) {
    const t = timeMs[i] as number;
    if (!Number.isFinite(t)) {
      problems.push({ index: i, field: 'time', reason: `time ${t} is not a finite number` });
    } else {
      // NaN previous (first bar, or after a broken time) compares false both ways: no report.
      if (t === previousTimeMs) {
        problems.push({
          index: i,
          field: 'time',
          reason: `duplicate timestamp ${formatTimeMs(t)}: the previous bar has the same time`,
        });
      } else if (t < previousTimeMs) {
        problems.push({
          index: i,
          field: 'time',
          reason: `out of order: ${formatTimeMs(t)} is before the previous bar's ${formatTimeMs(previousTimeMs)}; times must strictly increase`,
        });
      }
      previousTimeMs = t;
    }
    const o = open[i] as number;
    const h = high[i] as number;
    const l = low[i] as number;
    const c = close[i] as number;
    const v = volume[i] as number;
    // Fast path: a valid bar costs five comparisons and nothing else.
    if (l >= 0 && h >= l && o >= l && o <= h && c >= l && c <= h && v >= 0 && h <= MAX_PRICE && v <= MAX_VOLUME) {
      continue;
    }
    checkBar(i, o, h, l, c, v, problems);
  }
  return problems.length > limit ? problems.slice(0, limit) : problems;
}

function checkBar(i: number, o: number, h: number, l: number, c: number, v: number, problems: BarProblem[]): void {
  let pricesOk = true;
  const prices: [BarField, number][] = [
    ['open', o],
    ['high', h],
    ['low', l],
    ['close', c],
  ];
  for (const [field, value] of prices) {
    if (!Number.isFinite(value)) {
      problems.push({ index: i, field, reason: `${field} ${value} is not a finite number` });
      pricesOk = false;
    } else if (value < 0) {
      problems.push({ index: i, field, reason: `negative price ${value}` });
      pricesOk = false;
    } else if (value > MAX_PRICE) {
      problems.push({
        index: i,
        field,
        reason: `${field} ${value} is beyond ${MAX_PRICE}, more than any market quotes; money figures would overflow`,
      });
      pricesOk = false;
    }
  }
  if (!Number.isFinite(v)) problems.push({ index: i, field: 'volume', reason: `volume ${v} is not a finite number` });
  else if (v < 0) problems.push({ index: i, field: 'volume', reason: `negative volume ${v}` });
  else if (v > MAX_VOLUME) {
    problems.push({ index: i, field: 'volume', reason: `volume ${v} is beyond ${MAX_VOLUME}; check the column` });
  }
  if (!pricesOk) return;
  if (h < l) {
    // With high below low, no open or close can lie between them; one report says it all.
    problems.push({ index: i, field: 'high', reason: `high ${h} is below low ${l}` });
    return;
  }
  if (o > h) problems.push({ index: i, field: 'open', reason: `open ${o} is above high ${h}` });
  else if (o < l) problems.push({ index: i, field: 'open', reason: `open ${o} is below low ${l}` });
  if (c > h) problems.push({ index: i, field: 'close', reason: `close ${c} is above high ${h}` });
  else if (c < l) problems.push({ index: i, field: 'close', reason: `close ${c} is below low ${l}` });
}

/**
 * Throws a {@link DataError} unless `columns` hold valid bars: equal lengths and every check
 * of {@link findBarProblems}. Issues name the bar by index and time, for sources that have no
 * line numbers (APIs, generated data); the CSV reader reports lines instead.
 *
 * @example
 * assertValidBars(columns, 'alpaca GOOG 1Day'); // throws 'alpaca GOOG 1Day column high: bar 3 at 2024-01-04T00:00:00Z: high 9 is below low 10'
 */
export function assertValidBars(columns: BarColumns, source: string): void {
  const count = columns.timeMs.length;
  const lengths: [BarField, number][] = [
    ['open', columns.open.length],
    ['high', columns.high.length],
    ['low', columns.low.length],
    ['close', columns.close.length],
    ['volume', columns.volume.length],
  ];
  const uneven: DataIssue[] = lengths
    .filter(([, length]) => length !== count)
    .map(([field, length]) => ({ source, field, reason: `has ${length} values but time has ${count}` }));
  if (uneven.length > 0) throw new DataError(uneven);
  const problems = findBarProblems(columns);
  if (problems.length === 0) return;
  throw new DataError(
    problems.map((p) => ({
      source,
      field: p.field,
      reason: `bar ${p.index} at ${formatTimeMs(columns.timeMs[p.index] as number)}: ${p.reason}`,
    })),
  );
}
