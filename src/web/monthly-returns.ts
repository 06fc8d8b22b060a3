/**
 * Calendar-month returns from an equity curve.
 *
 * A month's return compares the equity at its last point (its "month end", UTC) with the
 * previous month end; the first month compares with `baseEquity` (the initial cash), so the
 * months of a year compound to the year's return. A month with no points is `null` and the
 * next month compares with the last month end that exists, so nothing is lost in a gap.
 */
import type { EquityCurve } from '../core/result.js';

/** One calendar year of monthly returns. */
export interface MonthlyReturnsRow {
  readonly year: number;
  /** Twelve entries, January first: percent return of the month, `null` when it has no points. */
  readonly monthsPct: readonly (number | null)[];
  /** Percent return from the previous year's last month end (or the base) to this year's last. */
  readonly yearPct: number;
}

/**
 * Groups an equity curve by UTC calendar month and returns one row per year, oldest first.
 *
 * @example
 * const rows = monthlyReturns(result.equityCurve, result.config.initialCash);
 * rows[0]?.monthsPct[0]; // January's return in percent, or null
 */
export function monthlyReturns(curve: EquityCurve, baseEquity?: number): MonthlyReturnsRow[] {
  const n = curve.timeMs.length;
  if (n === 0) return [];
  // Month ends as (year*12+month) → equity at that month's last point.
  const monthEnds = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const date = new Date(curve.timeMs[i] as number);
    monthEnds.set(date.getUTCFullYear() * 12 + date.getUTCMonth(), curve.equity[i] as number);
  }
  const keys = [...monthEnds.keys()].sort((a, b) => a - b);
  let previous = baseEquity ?? (curve.equity[0] as number);
  const rows: MonthlyReturnsRow[] = [];
  const firstYear = Math.floor((keys[0] as number) / 12);
  const lastYear = Math.floor((keys[keys.length - 1] as number) / 12);
  for (let year = firstYear; year <= lastYear; year++) {
    const yearStart = previous;
    const monthsPct: (number | null)[] = [];
    for (let month = 0; month < 12; month++) {
      const end = monthEnds.get(year * 12 + month);
      if (end === undefined) {
        monthsPct.push(null);
        continue;
      }
      monthsPct.push(percentChange(previous, end));
      previous = end;
    }
    rows.push({ year, monthsPct, yearPct: percentChange(yearStart, previous) });
  }
  return rows;
}

function percentChange(from: number, to: number): number {
  // A wiped-out account (equity 0) has no defined return after it; report 0 rather than NaN.
  if (from === 0) return 0;
  return (to / from - 1) * 100;
}
