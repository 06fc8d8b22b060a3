import type { BarColumns } from '../core/bars.js';
import { DataError, type DataIssue } from '../core/errors.js';
import type { TimeZone } from './time-zone.js';
import { findBarProblems, MAX_REPORTED_ISSUES } from './validate-bars.js';

/** The symbol column's name, as messages give it. */
export const SYMBOL_FIELD = 'symbol';
/** The adjusted close column's name, as messages give it. */
export const ADJ_CLOSE_FIELD = 'adj close';

/** A problem found while reading rows: `at` is the line (CSV) or row (Parquet) it is on. */
interface PendingIssue {
  readonly at: number;
  readonly field?: string;
  readonly reason: string;
}

/** The checked bars of one symbol of a file; `symbol` is undefined when the file has no symbol column. */
export interface BarGroup {
  readonly symbol: string | undefined;
  readonly columns: BarColumns;
}

/** How a file reader says where a row is: a 1-based CSV line, or a 1-based Parquet row. */
export const RowPlace = {
  Line: 'line',
  Row: 'row',
} as const;
export type RowPlace = (typeof RowPlace)[keyof typeof RowPlace];

/**
 * Bars as a file reader finds them, row by row, before they are checked: growing columns, the
 * line or row of each bar, each bar's symbol, and the problems found so far. Readers write a
 * row's values at index {@link BarRows.count} of the columns and then call
 * {@link BarRows.commit}; a row with an unreadable cell is reported with {@link BarRows.report}
 * and not committed, so the bar checks never report it twice. {@link BarRows.finish} checks the
 * bars and returns them grouped by symbol, or throws every problem in file order.
 *
 * @example
 * const rows = new BarRows(1000, { hasSymbols: false });
 * rows.reserve();
 * rows.timeMs[rows.count] = Date.UTC(2024, 0, 2); // ... open, high, low, close, volume
 * rows.commit(2, 0);
 * const [group] = rows.finish('bars.csv', RowPlace.Line);
 */
export class BarRows {
  timeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Line or row of each committed bar, so bar checks can say where a problem is. */
  placeOfBar: Int32Array;
  /** Symbol of each committed bar, as an index into {@link BarRows.symbols}; empty without a symbol column. */
  symbolOfBar: Int32Array;
  /** Committed bars. */
  count = 0;
  readonly symbols: string[] = [];
  readonly hasSymbols: boolean;
  /** Wall-clock times without an offset are read in this zone (`--tz`). */
  readonly zone: TimeZone | undefined;
  readonly #symbolIds = new Map<string, number>();
  readonly #pending: PendingIssue[] = [];
  #reported = 0;
  /** Time of the last committed bar of each symbol, for the hour daylight saving repeats. */
  readonly #lastTimeOfSymbol: number[] = [];

  constructor(capacity: number, options: { readonly hasSymbols: boolean; readonly zone?: TimeZone | undefined }) {
    const size = Math.max(16, Math.ceil(capacity));
    this.timeMs = new Float64Array(size);
    this.open = new Float64Array(size);
    this.high = new Float64Array(size);
    this.low = new Float64Array(size);
    this.close = new Float64Array(size);
    this.volume = new Float64Array(size);
    this.placeOfBar = new Int32Array(size);
    this.hasSymbols = options.hasSymbols;
    this.symbolOfBar = new Int32Array(options.hasSymbols ? size : 0);
    this.zone = options.zone;
  }

  /** Problems reported so far (cell problems; bar checks come in {@link BarRows.finish}). */
  get problemCount(): number {
    return this.#reported;
  }

  /**
   * Makes room for one more row at index {@link BarRows.count}, for `expectedTotal` rows when
   * the reader can estimate them (a file's size over the bytes per row so far); the column
   * arrays may be replaced, so readers that keep them in locals fetch them again when this
   * returns true.
   */
  reserve(expectedTotal = 0): boolean {
    if (this.count < this.timeMs.length) return false;
    const size = Math.max(Math.ceil(this.timeMs.length * 1.25) + 1024, Math.ceil(expectedTotal));
    const grow = <T extends Float64Array | Int32Array>(array: T, make: (n: number) => T): T => {
      const bigger = make(size);
      bigger.set(array);
      return bigger;
    };
    const f64 = (n: number) => new Float64Array(n);
    this.timeMs = grow(this.timeMs, f64);
    this.open = grow(this.open, f64);
    this.high = grow(this.high, f64);
    this.low = grow(this.low, f64);
    this.close = grow(this.close, f64);
    this.volume = grow(this.volume, f64);
    this.placeOfBar = grow(this.placeOfBar, (n) => new Int32Array(n));
    if (this.hasSymbols) this.symbolOfBar = grow(this.symbolOfBar, (n) => new Int32Array(n));
    return true;
  }

  /** The index of a symbol cell's symbol (trimmed, upper-cased), or -1 for an empty cell. */
  symbolId(cell: string): number {
    const symbol = cell.trim().toUpperCase();
    if (symbol === '') return -1;
    let id = this.#symbolIds.get(symbol);
    if (id === undefined) {
      id = this.symbols.push(symbol) - 1;
      this.#symbolIds.set(symbol, id);
      this.#lastTimeOfSymbol.push(Number.NaN);
    }
    return id;
  }

  /** The index of a symbol cell's symbol when it has one already; -1 otherwise (and for an empty cell). */
  knownSymbolId(cell: string): number {
    return this.#symbolIds.get(cell.trim().toUpperCase()) ?? -1;
  }

  /** Records a problem at a line or row; only the first {@link MAX_REPORTED_ISSUES} are kept. */
  report(at: number, field: string | undefined, reason: string): void {
    this.#reported++;
    if (this.#pending.length < MAX_REPORTED_ISSUES) {
      this.#pending.push(field === undefined ? { at, reason } : { at, field, reason });
    }
  }

  /**
   * Keeps the row written at index {@link BarRows.count}. With a zone, a wall time that
   * occurred twice (see `TimeZone.ambiguousLaterMs`, which the reader reset before reading the
   * time) takes its later instant when the earlier one would not follow the symbol's previous
   * bar: the repeated hour of 1-minute bars reads as it happened.
   */
  commit(at: number, symbol: number): void {
    const index = this.count;
    const zone = this.zone;
    if (zone !== undefined) {
      const key = Math.max(symbol, 0);
      const later = zone.ambiguousLaterMs;
      if (!Number.isNaN(later)) {
        const previous = this.#lastTimeOfSymbol[key] ?? Number.NaN;
        if ((this.timeMs[index] as number) <= previous) this.timeMs[index] = later;
      }
      this.#lastTimeOfSymbol[key] = this.timeMs[index] as number;
    }
    this.placeOfBar[index] = at;
    if (this.hasSymbols) this.symbolOfBar[index] = symbol;
    this.count = index + 1;
  }

  /**
   * Checks the committed bars, grouped by symbol (each symbol's times strictly increasing on
   * its own), and returns the groups in symbol order; throws a {@link DataError} listing the
   * problems of both passes in file order, naming lines (`RowPlace.Line`) or rows.
   */
  finish(source: string, place: RowPlace): BarGroup[] {
    const count = this.count;
    const trimmed = <T extends Float64Array | Int32Array>(array: T): T =>
      // A little unused room is cheaper than a copy of every column of a large file.
      count === array.length || array.length - count <= array.length / 8
        ? (array.subarray(0, count) as T)
        : (array.slice(0, count) as T);
    const columns: BarColumns = {
      timeMs: trimmed(this.timeMs),
      open: trimmed(this.open),
      high: trimmed(this.high),
      low: trimmed(this.low),
      close: trimmed(this.close),
      volume: trimmed(this.volume),
    };
    const placeOfBar = trimmed(this.placeOfBar);
    const groups =
      this.symbols.length <= 1
        ? [{ symbol: this.symbols[0], columns, placeOfBar }]
        : splitBySymbol(columns, placeOfBar, trimmed(this.symbolOfBar), this.symbols);
    const pending = this.#pending;
    for (const group of groups) {
      for (const problem of findBarProblems(group.columns)) {
        pending.push({
          at: group.placeOfBar[problem.index] as number,
          field: problem.field,
          reason:
            group.symbol === undefined || groups.length === 1 ? problem.reason : `${group.symbol}: ${problem.reason}`,
        });
      }
    }
    if (pending.length > 0) {
      // Cell and bar problems were found in two passes; the user reads them in file order.
      pending.sort((a, b) => a.at - b.at);
      const issues: DataIssue[] = pending.slice(0, MAX_REPORTED_ISSUES).map((p) => {
        const located = place === RowPlace.Line ? { source, line: p.at } : { source };
        const reason = place === RowPlace.Line ? p.reason : `row ${p.at}: ${p.reason}`;
        return { ...located, ...(p.field === undefined ? {} : { field: p.field }), reason };
      });
      throw new DataError(issues);
    }
    return groups.map(({ symbol, columns }) => ({ symbol, columns }));
  }
}

/** Splits the bars into one group per symbol, keeping file order within each, groups in symbol order. */
function splitBySymbol(
  columns: BarColumns,
  placeOfBar: Int32Array,
  symbolOfBar: Int32Array,
  symbols: readonly string[],
): { symbol: string; columns: BarColumns; placeOfBar: Int32Array }[] {
  const sizes = new Int32Array(symbols.length);
  for (const id of symbolOfBar) sizes[id] = (sizes[id] as number) + 1;
  const groups = symbols.map((symbol, id) => {
    const size = sizes[id] as number;
    return {
      symbol,
      columns: {
        timeMs: new Float64Array(size),
        open: new Float64Array(size),
        high: new Float64Array(size),
        low: new Float64Array(size),
        close: new Float64Array(size),
        volume: new Float64Array(size),
      },
      placeOfBar: new Int32Array(size),
    };
  });
  const filled = new Int32Array(symbols.length);
  for (let i = 0; i < symbolOfBar.length; i++) {
    const id = symbolOfBar[i] as number;
    const group = groups[id]!;
    const at = filled[id] as number;
    filled[id] = at + 1;
    group.columns.timeMs[at] = columns.timeMs[i] as number;
    group.columns.open[at] = columns.open[i] as number;
    group.columns.high[at] = columns.high[i] as number;
    group.columns.low[at] = columns.low[i] as number;
    group.columns.close[at] = columns.close[i] as number;
    group.columns.volume[at] = columns.volume[i] as number;
    group.placeOfBar[at] = placeOfBar[i] as number;
  }
  return groups.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
