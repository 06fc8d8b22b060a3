/**
 * Fitting a table to the terminal: a pure function from the table and a width in characters to
 * the columns and cells to print. Nothing here draws; `renderFittedTable` in format.ts does.
 *
 * Widths count code points. Every character this program prints in a table (digits, ASCII
 * names, `…`, `→`, box lines) takes one terminal cell; a name with wide (East Asian) characters
 * may come out a little wider than computed, which only costs a wrapped line.
 */

/** One column of a table to fit. */
export interface TableColumn {
  readonly header: string;
  /** Right-align numbers; default left. */
  readonly align?: 'left' | 'right';
  /**
   * When the table is too wide, columns with a drop rank are removed, the highest rank first.
   * Columns without one always stay.
   */
  readonly dropRank?: number;
  /** Cells of this column may be shortened (names, paths); the header is never shortened. */
  readonly shrink?: boolean;
  /** Shortened cells of this column keep at least this many characters (default {@link MIN_SHRINK_WIDTH}). */
  readonly minWidth?: number;
}

/** A table to fit: columns and rows of already formatted cells. */
export interface TableToFit {
  readonly columns: readonly TableColumn[];
  readonly rows: readonly (readonly string[])[];
  /** Rows whose cells may be shortened in every column (compare's run names run across columns). */
  readonly shrinkRows?: readonly number[];
  /**
   * How a shortened cell keeps its text: `truncate` cuts the middle out and puts `…` there, so a
   * name keeps its start and a path its file name; `wrap` breaks it onto more lines, at a space
   * or after a `/` or `.` when it can. Default `truncate`.
   */
  readonly overflow?: 'truncate' | 'wrap';
}

/** What to print: the columns kept, their cells shortened to fit, and what was left out. */
export interface FittedTable {
  readonly columns: readonly TableColumn[];
  /** Cells of the kept columns; a wrapped cell holds `\n` between its lines. */
  readonly rows: readonly (readonly string[])[];
  /** Headers of the columns dropped to fit, in their original order. */
  readonly hidden: readonly string[];
  /** Width of the drawn table in characters, borders included. */
  readonly width: number;
}

/** Shortened cells keep at least this many characters while a column can still be dropped instead. */
export const COMFORTABLE_SHRINK_WIDTH = 24;
/** Shortened cells never go below this many characters; a table that still does not fit overflows. */
export const MIN_SHRINK_WIDTH = 12;

/**
 * Fits a table into `maxWidth` characters. Long names are shortened first, down to
 * {@link COMFORTABLE_SHRINK_WIDTH}; when that is not enough, columns are dropped by rank until it
 * is; when every droppable column is gone, names are shortened further, down to
 * {@link MIN_SHRINK_WIDTH}. With `maxWidth` undefined (output is not a terminal, or `--wide`) the
 * table comes back whole. A table that cannot fit even then is returned at its smallest.
 *
 * @example
 * const fitted = fitTable(
 *   { columns: [{ header: 'Name', shrink: true }, { header: 'Trades', align: 'right', dropRank: 1 }], rows },
 *   80,
 * );
 * fitted.hidden; // ['Trades'] when the names alone fill 80 characters
 */
export function fitTable(table: TableToFit, maxWidth: number | undefined): FittedTable {
  const all = table.columns.map((_, index) => index);
  if (maxWidth === undefined) return build(table, all, naturalWidths(table, all));

  const dropOrder = all
    .filter((index) => table.columns[index]!.dropRank !== undefined)
    .sort((a, b) => table.columns[b]!.dropRank! - table.columns[a]!.dropRank! || b - a);

  for (const floor of [COMFORTABLE_SHRINK_WIDTH, MIN_SHRINK_WIDTH]) {
    for (let dropped = 0; dropped <= dropOrder.length; dropped++) {
      const gone = new Set(dropOrder.slice(0, dropped));
      const kept = all.filter((index) => !gone.has(index));
      const widths = fitWidths(table, kept, floor, maxWidth);
      if (widths !== undefined) return build(table, kept, widths);
    }
  }
  const kept = all.filter((index) => table.columns[index]!.dropRank === undefined);
  return build(table, kept, floorLimits(table, kept, MIN_SHRINK_WIDTH));
}

/** Characters a table takes with these content widths: one space either side of each cell and n + 1 rules. */
export function tableWidth(widths: readonly number[]): number {
  return widths.reduce((sum, width) => sum + width + 3, 1);
}

/** Display width of a cell: its longest line. */
function cellWidth(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, [...line].length);
  return widest;
}

function isShrinkable(table: TableToFit, column: number, row: number): boolean {
  return table.columns[column]!.shrink === true || (table.shrinkRows?.includes(row) ?? false);
}

function naturalWidths(table: TableToFit, kept: readonly number[]): number[] {
  return kept.map((column) =>
    table.rows.reduce(
      (widest, row) => Math.max(widest, cellWidth(row[column] ?? '')),
      cellWidth(table.columns[column]!.header),
    ),
  );
}

/**
 * Each column's limit at its narrowest: `floor`, the column's own `minWidth`, or the width its
 * header and unshortened cells take anyway, whichever is largest (a name may as well use room
 * the column has regardless).
 */
function floorLimits(table: TableToFit, kept: readonly number[], floor: number): number[] {
  return kept.map((column) =>
    table.rows.reduce(
      (widest, row, rowIndex) =>
        isShrinkable(table, column, rowIndex) ? widest : Math.max(widest, cellWidth(row[column] ?? '')),
      Math.max(floor, table.columns[column]!.minWidth ?? 0, cellWidth(table.columns[column]!.header)),
    ),
  );
}

/** How wide each column comes out when its shortened cells are cut or wrapped at `limits`. */
function shortenedWidths(table: TableToFit, kept: readonly number[], limits: readonly number[]): number[] {
  const shorten = shortener(table);
  return kept.map((column, k) =>
    table.rows.reduce((widest, row, rowIndex) => {
      const cell = row[column] ?? '';
      const width = cellWidth(cell);
      const shortened = isShrinkable(table, column, rowIndex) && width > limits[k]! ? shorten(cell, limits[k]!) : cell;
      return Math.max(widest, cellWidth(shortened));
    }, cellWidth(table.columns[column]!.header)),
  );
}

/**
 * Limits for the kept columns within `maxWidth`, or undefined when even the narrowest do not fit.
 * Room left over widens shortened columns towards their natural width (see `grow` for which
 * column gets each character).
 */
function fitWidths(table: TableToFit, kept: readonly number[], floor: number, maxWidth: number): number[] | undefined {
  const natural = naturalWidths(table, kept);
  if (tableWidth(natural) <= maxWidth) return natural;
  let limits = floorLimits(table, kept, floor);
  let actual = shortenedWidths(table, kept, limits);
  if (tableWidth(actual) > maxWidth) return undefined;
  const longCells = kept.map((column) =>
    table.rows.flatMap((row, rowIndex) =>
      isShrinkable(table, column, rowIndex) ? [cellWidth(row[column] ?? '')] : [],
    ),
  );
  // A wrap at a space can leave a column narrower than its limit; the room that frees is handed
  // out again, a few rounds at most, since each round only widens.
  for (let round = 0; round < 8; round++) {
    const next = [...actual];
    grow(next, natural, maxWidth - tableWidth(actual), longCells);
    if (next.every((width, i) => width === actual[i])) break;
    limits = next;
    actual = shortenedWidths(table, kept, limits);
  }
  return limits;
}

/**
 * Widens `widths` towards `targets` by at most `room` characters in all; returns the room left.
 * Each character goes to the column with the most cells still too long for it (a character
 * there unwraps or uncuts the most cells), ties to the one furthest from its target.
 */
function grow(widths: number[], targets: readonly number[], room: number, longCells: readonly number[][]): number {
  const tooLong = (i: number) => longCells[i]!.filter((width) => width > widths[i]!).length;
  let left = room;
  while (left > 0) {
    let best = -1;
    let bestCount = 0;
    for (let i = 0; i < widths.length; i++) {
      const short = targets[i]! - widths[i]!;
      if (short <= 0) continue;
      const count = tooLong(i);
      if (best < 0 || count > bestCount || (count === bestCount && short > targets[best]! - widths[best]!)) {
        best = i;
        bestCount = count;
      }
    }
    if (best < 0) break;
    widths[best]!++;
    left--;
  }
  return left;
}

function shortener(table: TableToFit): (text: string, width: number) => string {
  return table.overflow === 'wrap' ? wrapText : truncateMiddle;
}

function build(table: TableToFit, kept: readonly number[], limits: readonly number[]): FittedTable {
  const shorten = shortener(table);
  const rows = table.rows.map((row, rowIndex) =>
    kept.map((column, k) => {
      const cell = row[column] ?? '';
      return isShrinkable(table, column, rowIndex) && cellWidth(cell) > limits[k]! ? shorten(cell, limits[k]!) : cell;
    }),
  );
  const keptSet = new Set(kept);
  const columns = kept.map((column) => table.columns[column]!);
  return {
    columns,
    rows,
    hidden: table.columns.filter((_, index) => !keptSet.has(index)).map((column) => column.header),
    width: tableWidth(
      columns.map((column, k) =>
        rows.reduce((widest, row) => Math.max(widest, cellWidth(row[k]!)), cellWidth(column.header)),
      ),
    ),
  };
}

/**
 * `text` in at most `width` characters, with `…` in place of its middle. The end keeps a little
 * more than the start: a path's file name tells more than its first folders.
 *
 * @example
 * truncateMiddle('models/rl_symbols/GOOG_1Day.onnx', 20); // 'models/r…G_1Day.onnx'
 */
export function truncateMiddle(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return '…'.slice(0, width);
  const keep = width - 1;
  const head = Math.floor(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/**
 * `text` broken into lines of at most `width` characters, at the last space (dropped) or after
 * the last `/` or `.` that fits (paths, dotted keys), or else mid-word.
 *
 * @example
 * wrapText('sma-cross fast=10 slow=30', 12); // 'sma-cross\nfast=10\nslow=30'
 */
export function wrapText(text: string, width: number): string {
  const size = Math.max(1, width);
  const lines: string[] = [];
  let rest = [...text];
  while (rest.length > size) {
    const window = rest.slice(0, size + 1);
    const space = window.lastIndexOf(' ');
    const slash = Math.max(window.slice(0, size).lastIndexOf('/'), window.slice(0, size).lastIndexOf('.'));
    if (space > 0) {
      lines.push(rest.slice(0, space).join(''));
      rest = rest.slice(space + 1);
    } else if (slash > 0) {
      lines.push(rest.slice(0, slash + 1).join(''));
      rest = rest.slice(slash + 1);
    } else {
      lines.push(rest.slice(0, size).join(''));
      rest = rest.slice(size);
    }
  }
  lines.push(rest.join(''));
  return lines.join('\n');
}
