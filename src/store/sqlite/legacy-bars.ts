/**
 * The `bars` table of schema versions 2 and 3 (one row per bar, keyed by symbol, timeframe and
 * time), read the way schema 4 files its bars: for the migration to chunks, and for read-only
 * access to an older file, which is never upgraded.
 *
 * Earlier releases stored the symbol and timeframe as given, so one set may be spread over
 * several spellings (`goog`/`GOOG`, `1d`/`1Day`, `BTCUSD`/`BTC/USD`), with the same bar time
 * under two of them. Such rows are one set here, and a time stored twice keeps the row of the
 * spelling ranked first (see {@link legacyBarGroups}), so the result never depends on row order.
 */
import type Database from 'better-sqlite3';
import type { BarColumns } from '../../core/bars.js';
import { symbolKey } from '../../core/symbol-key.js';
import { canonicalTimeframe } from '../../core/timeframe.js';
import { BAR_COLUMN_NAMES } from '../bar-chunks.js';

type Statement = Database.Statement<unknown[], unknown>;

/** Prepares (or fetches a cached) statement: the raw handle during a migration, the connection's cache otherwise. */
export type PrepareStatement = (sql: string) => Statement;

/** One stored symbol and timeframe spelling of the `bars` table. */
export interface LegacySpelling {
  readonly symbol: string;
  readonly timeframe: string;
}

/** The rows of one bar set in the `bars` table. */
export interface LegacyBarGroup {
  /** Upper case, as the first-ranked spelling writes it. */
  readonly symbol: string;
  readonly symbolKey: string;
  /** Canonical, or the stored spelling (trimmed) when this version does not know it. */
  readonly timeframe: string;
  /** Spellings whose rows make the set, ranked: the first one's bar wins a time stored twice. */
  readonly spellings: readonly LegacySpelling[];
}

/**
 * The bar sets of the `bars` table, sorted by symbol then timeframe. Within a set, spellings
 * rank: canonical timeframe spelling first (what the release before schema 4 wrote), then an
 * already upper-case symbol, then byte order of timeframe and symbol.
 */
export function legacyBarGroups(prepare: PrepareStatement): LegacyBarGroup[] {
  const pairs = prepare('SELECT DISTINCT symbol, timeframe FROM bars').all() as {
    symbol: unknown;
    timeframe: unknown;
  }[];
  const groups = new Map<string, { symbolKey: string; timeframe: string; spellings: LegacySpelling[] }>();
  for (const pair of pairs) {
    const spelling = { symbol: String(pair.symbol), timeframe: String(pair.timeframe) };
    const trimmed = spelling.timeframe.trim();
    const timeframe = canonicalTimeframe(trimmed) ?? trimmed;
    const key = symbolKey(spelling.symbol);
    const id = `${key}\u0000${timeframe}`;
    const group = groups.get(id) ?? { symbolKey: key, timeframe, spellings: [] };
    group.spellings.push(spelling);
    groups.set(id, group);
  }
  const rank = (s: LegacySpelling, timeframe: string): [number, number, string, string] => [
    s.timeframe === timeframe ? 0 : 1,
    s.symbol === s.symbol.trim().toUpperCase() ? 0 : 1,
    s.timeframe,
    s.symbol,
  ];
  const byRank = (timeframe: string) => (a: LegacySpelling, b: LegacySpelling) => {
    const [ra, rb] = [rank(a, timeframe), rank(b, timeframe)];
    for (let i = 0; i < ra.length; i++) {
      const [x, y] = [ra[i] as number | string, rb[i] as number | string];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  return [...groups.values()]
    .map((group) => {
      const spellings = [...group.spellings].sort(byRank(group.timeframe));
      const symbol = (spellings[0] as LegacySpelling).symbol.trim().toUpperCase();
      return { symbol, symbolKey: group.symbolKey, timeframe: group.timeframe, spellings };
    })
    .sort((a, b) => compareText(a.symbol, b.symbol) || compareText(a.timeframe, b.timeframe));
}

/** The set of `symbol`/`timeframe` as {@link legacyBarGroups} files it, matched by `symbolKey`. */
export function findLegacyBarGroup(
  prepare: PrepareStatement,
  symbol: string,
  timeframe: string,
): LegacyBarGroup | undefined {
  const key = symbolKey(symbol);
  const wanted = canonicalTimeframe(timeframe.trim()) ?? timeframe.trim();
  return legacyBarGroups(prepare).find((group) => group.symbolKey === key && group.timeframe === wanted);
}

/**
 * Bars of one legacy set, each time once, sorted: all of them, or those with
 * `fromMs <= time <= toMs` when a range is given.
 */
export function readLegacyBars(
  prepare: PrepareStatement,
  group: LegacyBarGroup,
  range?: { readonly fromMs: number; readonly toMs: number },
): BarColumns {
  const statement = prepare(
    `SELECT time_ms, open, high, low, close, volume FROM bars WHERE symbol = ? AND timeframe = ?${range === undefined ? '' : ' AND time_ms >= ? AND time_ms <= ?'} ORDER BY time_ms`,
  );
  const bounds = range === undefined ? [] : [range.fromMs, range.toMs];
  let merged: BarColumns | undefined;
  for (const spelling of group.spellings) {
    const rows = statement.raw(true).iterate(spelling.symbol, spelling.timeframe, ...bounds) as Iterable<unknown[]>;
    const columns = collectColumns(rows);
    merged = merged === undefined ? columns : mergeKeepingFirst(merged, columns);
  }
  return merged ?? collectColumns([]);
}

type MutableColumns = Record<(typeof BAR_COLUMN_NAMES)[number], Float64Array>;

/** Rows of six numbers as columns, read one row at a time (a migration may meet millions). */
function collectColumns(rows: Iterable<unknown[]>): BarColumns {
  let capacity = 1024;
  let count = 0;
  let columns = BAR_COLUMN_NAMES.map(() => new Float64Array(capacity));
  for (const row of rows) {
    if (count === capacity) {
      capacity *= 2;
      columns = columns.map((column) => {
        const grown = new Float64Array(capacity);
        grown.set(column);
        return grown;
      });
    }
    for (let c = 0; c < 6; c++) (columns[c] as Float64Array)[count] = Number(row[c]);
    count += 1;
  }
  const out = {} as MutableColumns;
  BAR_COLUMN_NAMES.forEach((name, c) => {
    out[name] = (columns[c] as Float64Array).slice(0, count);
  });
  return out;
}

/** Both sorted series as one; where both have a time, `first`'s bar is kept. */
function mergeKeepingFirst(first: BarColumns, second: BarColumns): BarColumns {
  const [a, b] = [first.timeMs, second.timeMs];
  const out = {} as MutableColumns;
  for (const name of BAR_COLUMN_NAMES) out[name] = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  const take = (from: BarColumns, index: number): void => {
    for (const name of BAR_COLUMN_NAMES) out[name][n] = from[name][index] as number;
    n += 1;
  };
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number))) {
      if (j < b.length && a[i] === b[j]) j++;
      take(first, i++);
    } else {
      take(second, j++);
    }
  }
  for (const name of BAR_COLUMN_NAMES) out[name] = out[name].slice(0, n);
  return out;
}

/** Byte order of UTF-16 code units, as SQLite's BINARY collation orders ASCII text. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
