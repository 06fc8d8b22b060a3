import { DataError, type DataIssue } from '../core/errors.js';
import { ADJ_CLOSE_FIELD, SYMBOL_FIELD } from './bar-rows.js';
import type { BarField } from './validate-bars.js';

/** Header names (lowercased, trimmed) that mark the time column. */
export const TIME_HEADERS: ReadonlySet<string> = new Set(['date', 'time', 'timestamp', 'datetime']);
/** The price and volume columns every bar file has, by their lowercased names. */
export const VALUE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;

/** Yahoo's `Adj Close` and its spellings, once lowercased and stripped of spaces, `_`, `.` and `-`. */
const ADJ_CLOSE_NAMES: ReadonlySet<string> = new Set(['adjclose', 'adjustedclose']);

/** Column index of each bar field, and of the symbol and adjusted close columns when there are ones. */
export type BarLayout = Record<BarField, number> & {
  readonly symbol?: number;
  /** Present only with `adjusted`: the column whose ratio to close scales the prices. */
  readonly adjClose?: number;
  /** An `Adj Close` column left unused because `adjusted` was not asked for; its name as written. */
  readonly ignoredAdjClose?: string;
};

/** How a file's header is matched: where it is, and what the file kind allows for the time column. */
export interface BarLayoutRules {
  readonly source: string;
  /** Line of the header, for CSV files. */
  readonly line?: number | undefined;
  /** The time column when no column has a time name (CSV: an unnamed first column). */
  readonly fallbackTime?: number | undefined;
  /** What the time column may be called, completing "expected …" in a missing-column message. */
  readonly timeExpected: string;
  /** Scale open, high, low and close by `Adj Close / Close`; the column must then exist. */
  readonly adjusted: boolean;
  /** Called when columns are missing: a single issue that explains them better (CSV: not a header at all). */
  readonly explainMissing?: (() => DataIssue | undefined) | undefined;
}

/**
 * Finds the bar columns in a header: names match case-insensitively and trimmed; the time
 * column is named `date`, `time`, `timestamp` or `datetime` (else `rules.fallbackTime`);
 * `open`, `high`, `low`, `close`, `volume` in any order; an optional `symbol` column; and an
 * `Adj Close` column (also `adj_close`, `adjclose`, `Adjusted Close`), used with
 * `rules.adjusted` and otherwise reported as ignored. Other columns are ignored. Throws a
 * {@link DataError} listing every missing or repeated column.
 *
 * @example
 * findBarLayout(['Date', 'Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume'], { source: 'x.csv', timeExpected: 'a date column', adjusted: false });
 * // { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 6, ignoredAdjClose: 'Adj Close' }
 */
export function findBarLayout(header: readonly string[], rules: BarLayoutRules): BarLayout {
  const names = header.map((name) => name.trim().toLowerCase());
  const at = rules.line === undefined ? { source: rules.source } : { source: rules.source, line: rules.line };
  const issues: DataIssue[] = [];
  const positions = (wanted: (name: string) => boolean): number[] =>
    names.flatMap((name, index) => (wanted(name) ? [index] : []));

  const layout: { -readonly [K in keyof BarLayout]?: BarLayout[K] } = {};
  // A named time column wins over an unnamed first one: `df.reset_index().to_csv()` writes
  // `,Date,Open,...` where the unnamed column is pandas' row number, not the time.
  const timeColumns = positions((name) => TIME_HEADERS.has(name));
  if (timeColumns.length === 1) layout.time = timeColumns[0] as number;
  else if (timeColumns.length === 0 && rules.fallbackTime !== undefined) layout.time = rules.fallbackTime;
  else if (timeColumns.length > 1) {
    const found = timeColumns.map((i) => `"${header[i]}"`).join(' and ');
    issues.push({
      ...at,
      field: 'time',
      reason: `more than one time column (${found}); keep one column holding the full date and time`,
    });
  }
  for (const field of [...VALUE_FIELDS, SYMBOL_FIELD] as const) {
    const found = positions((name) => name === field);
    if (found.length === 1) layout[field] = found[0] as number;
    else if (found.length > 1) {
      issues.push({ ...at, field, reason: `column appears ${found.length} times in the header` });
    }
  }
  const adjColumns = positions((name) => ADJ_CLOSE_NAMES.has(name.replace(/[\s_.-]/g, '')));
  if (adjColumns.length > 1) {
    issues.push({ ...at, field: ADJ_CLOSE_FIELD, reason: `column appears ${adjColumns.length} times in the header` });
  } else if (adjColumns.length === 1) {
    const column = adjColumns[0] as number;
    if (rules.adjusted) layout.adjClose = column;
    else layout.ignoredAdjClose = (header[column] as string).trim();
  }

  const missing = (['time', ...VALUE_FIELDS] as const).filter(
    (field) => layout[field] === undefined && !issues.some((issue) => issue.field === field),
  );
  const headerText = header.map((name) => (name === '' ? '(unnamed)' : name)).join(', ');
  const explained = missing.length > 0 ? rules.explainMissing?.() : undefined;
  if (explained !== undefined) {
    issues.unshift(explained);
  } else {
    for (const field of missing) {
      const expected = field === 'time' ? rules.timeExpected : `a column named ${field}`;
      issues.push({ ...at, field, reason: `missing column: expected ${expected} (header: ${headerText})` });
    }
    if (rules.adjusted && adjColumns.length === 0) {
      issues.push({
        ...at,
        field: ADJ_CLOSE_FIELD,
        reason: `missing column: --adjusted needs an Adj Close column to scale prices by (header: ${headerText})`,
      });
    }
  }
  if (issues.length > 0) throw new DataError(issues);
  return layout as BarLayout;
}

/**
 * The one line saying an `Adj Close` column was left unused.
 *
 * @example
 * ignoredAdjCloseNotice('GOOG.csv', 'Adj Close');
 * // 'GOOG.csv: column "Adj Close" is ignored; pass --adjusted to scale open, high, low and close by Adj Close / Close'
 */
export function ignoredAdjCloseNotice(source: string, column: string): string {
  return `${source}: column "${column}" is ignored; pass --adjusted to scale open, high, low and close by Adj Close / Close`;
}
