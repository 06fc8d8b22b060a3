import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { type BarColumns, type BarSeries, createBarSeries } from '../../core/bars.js';
import { DataError, type DataIssue, UsageError } from '../../core/errors.js';
import type { Timeframe } from '../../core/timeframe.js';
import { barsFileIdentity } from '../bars-file-identity.js';
import { measureSpacing, spacingContradicts } from '../infer-timeframe.js';
import { type BarField, findBarProblems, MAX_REPORTED_ISSUES } from '../validate-bars.js';
import { parseTimestampMs } from './parse-timestamp.js';

/**
 * What a CSV file may not say about its bars; each is inferred when left out, as the CLI does.
 */
export interface CsvBarsOptions {
  /**
   * Ticker or pair, e.g. `GOOG`; stored upper-case. When the file has a `symbol` column, only
   * this symbol's rows are read. Default: the `symbol` column, else the file name
   * (`GOOGL_1Hour.csv` and `GOOGL.csv` are `GOOGL`).
   */
  readonly symbol?: string | undefined;
  /**
   * Any accepted spelling is stored canonically by the caller (see `canonicalTimeframe`). It is
   * refused when the bars' spacing contradicts it (see `spacingContradicts`). Default: from a
   * `SYMBOL_TIMEFRAME.csv` file name, else the bars' spacing.
   */
  readonly timeframe?: Timeframe | undefined;
}

/** Options of {@link loadBarsCsv}: those of {@link parseBarsCsv}, and how messages name the file. */
export interface CsvFileOptions extends CsvBarsOptions {
  /** The file as messages show it, e.g. the path the user typed (default: `path`). */
  readonly shownAs?: string | undefined;
}

/** Header names (lowercased, trimmed) that mark the time column. */
const TIME_HEADERS: ReadonlySet<string> = new Set(['date', 'time', 'timestamp', 'datetime']);
const SYMBOL_HEADER = 'symbol';
const VALUE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
type ValueField = (typeof VALUE_FIELDS)[number];

/** A problem found before line numbers are known: `record` is the index into the parsed records. */
interface PendingIssue {
  readonly record: number;
  readonly field?: BarField | typeof SYMBOL_HEADER;
  readonly reason: string;
}

/** The checked rows of one symbol of a file; `symbol` is undefined when the file has no symbol column. */
interface BarGroup {
  readonly symbol: string | undefined;
  readonly columns: BarColumns;
}

/**
 * Reads OHLCV bars of one symbol from CSV text and checks them; throws a {@link DataError}
 * naming `source`, the line and the column of the first problem (up to
 * {@link MAX_REPORTED_ISSUES} are kept in `issues`), and returns nothing on bad data. Symbol
 * and timeframe come from `options`, else from the file (see {@link CsvBarsOptions}; `source`
 * is read as the file name). A file whose `symbol` column holds several symbols needs
 * `options.symbol`; without it a {@link UsageError} lists the symbols (see
 * {@link parseBarsCsvBySymbol} to read them all).
 *
 * The header is matched case-insensitively: a time column named `date`, `time`, `timestamp`
 * or `datetime`, or else an unnamed first column as pandas writes it (`,Open,High,…`); and
 * `open`, `high`, `low`, `close`, `volume` in any order; an optional `symbol` column, whose
 * rows are grouped by symbol (upper-cased), each symbol's times strictly increasing on its own.
 * Other columns are ignored. A missing
 * `volume` column is an error: inventing volumes would silently feed volume-based strategies
 * made-up numbers. Times are read by {@link parseTimestampMs} (no zone means UTC). A UTF-8 BOM,
 * CRLF line endings and blank lines are accepted. Line numbers are 1-based, counting every
 * physical line, as csv-parse counts them: exact for files with one kind of line ending; a
 * record whose quoted cell spans lines is reported at its last line.
 *
 * @example
 * const bars = parseBarsCsv('time,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,1000\n', 'inline', {
 *   symbol: 'ACME',
 *   timeframe: Timeframe.OneDay,
 * });
 * bars.close[0]; // 10.5
 */
export function parseBarsCsv(text: string, source: string, options: CsvBarsOptions = {}): BarSeries {
  const groups = readBarGroups(text, source);
  if (groups.length > 1 && options.symbol === undefined) {
    const symbols = groups.map((group) => group.symbol).join(', ');
    throw new UsageError(`${source} holds ${groups.length} symbols (${symbols}); pick one with --symbol`);
  }
  return withIdentity(groups, source, options)[0] as BarSeries;
}

/**
 * Reads every symbol of a CSV file as its own bar series, in symbol order, for files whose
 * `symbol` column holds several symbols (a file without one gives one series). Checks, options
 * and defaults are those of {@link parseBarsCsv}; with `options.symbol` only that symbol is read,
 * and the timeframe is read from the spacing of all symbols together.
 *
 * @example
 * const series = parseBarsCsvBySymbol(text, 'data.csv');
 * series.map((bars) => bars.symbol); // ['AAPL', 'MSFT', 'NVDA']
 */
export function parseBarsCsvBySymbol(text: string, source: string, options: CsvBarsOptions = {}): BarSeries[] {
  return withIdentity(readBarGroups(text, source), source, options);
}

/**
 * Gives each group its symbol and timeframe, as {@link CsvBarsOptions} describes, keeping only
 * the group `options.symbol` names when the file has a symbol column.
 */
function withIdentity(groups: readonly BarGroup[], source: string, options: CsvBarsOptions): BarSeries[] {
  const wanted = options.symbol?.trim().toUpperCase();
  let chosen = groups;
  if (wanted !== undefined && (groups[0] as BarGroup).symbol !== undefined) {
    chosen = groups.filter((group) => group.symbol === wanted);
    if (chosen.length === 0) {
      const symbols = groups.map((group) => group.symbol).join(', ');
      throw new UsageError(`${source} has no rows for --symbol ${wanted}; it holds ${symbols}`);
    }
  }
  const fromName = barsFileIdentity(source);
  const spacing = measureSpacing(chosen.map((group) => group.columns.timeMs));
  let timeframe = options.timeframe ?? fromName.timeframe;
  if (timeframe !== undefined && spacingContradicts(spacing, timeframe)) {
    if (options.timeframe !== undefined) {
      throw new UsageError(
        `--timeframe ${timeframe} contradicts the bars of ${source}, whose spacing is ${spacing.timeframe}`,
      );
    }
    throw new DataError({
      source,
      reason: `the file name says ${timeframe} but the bars' spacing is ${spacing.timeframe}; rename the file or pass --timeframe ${spacing.timeframe}`,
    });
  }
  timeframe ??= spacing.timeframe;
  if (timeframe === undefined) {
    throw new UsageError(`cannot tell the timeframe of ${source} from its bar spacing; pass --timeframe`);
  }
  const known: Timeframe = timeframe;
  return chosen.map((group) => createBarSeries(wanted ?? group.symbol ?? fromName.symbol, known, group.columns));
}

/**
 * Reads and checks every row, then groups the bars by the `symbol` column (one group when
 * there is none), in symbol order.
 */
function readBarGroups(text: string, source: string): BarGroup[] {
  const records = readRecords(text, source, false);
  const headerIndex = records.findIndex((record) => !isBlank(record));
  if (headerIndex < 0) throw new DataError({ source, reason: 'file is empty' });
  const header = records[headerIndex] as string[];
  const layout = readHeader(header, () => recordLines(text, source)[headerIndex] as number, source);
  const symbolColumn = layout.symbol;

  const capacity = records.length - headerIndex - 1;
  const timeMs = new Float64Array(capacity);
  const values: Record<ValueField, Float64Array> = {
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
  // Maps bar index to record index, so that bar-level problems can be put on a line.
  const recordOfBar = new Int32Array(capacity);
  // Symbol of each bar, as an index into `symbols`; only filled when there is a symbol column.
  const symbolOfBar = new Int32Array(symbolColumn === undefined ? 0 : capacity);
  const symbols: string[] = [];
  const symbolIds = new Map<string, number>();
  // Rows of one symbol usually follow one another, so the cell is looked up only when it changes.
  let lastSymbolCell: string | undefined;
  let lastSymbolId = -1;
  const pending: PendingIssue[] = [];
  const fieldCount = header.length;
  let count = 0;

  for (let r = headerIndex + 1; r < records.length; r++) {
    const record = records[r] as string[];
    if (record.length !== fieldCount) {
      if (isBlank(record)) continue;
      if (pending.length < MAX_REPORTED_ISSUES) {
        pending.push({ record: r, reason: `expected ${fieldCount} fields as in the header, found ${record.length}` });
      }
      continue;
    }
    let rowOk = true;
    if (symbolColumn !== undefined) {
      const cell = record[symbolColumn] as string;
      if (cell !== lastSymbolCell) {
        lastSymbolCell = cell;
        const symbol = cell.trim().toUpperCase();
        let id = symbol === '' ? -1 : symbolIds.get(symbol);
        if (id === undefined) {
          id = symbols.push(symbol) - 1;
          symbolIds.set(symbol, id);
        }
        lastSymbolId = id;
      }
      if (lastSymbolId < 0) {
        rowOk = false;
        if (pending.length < MAX_REPORTED_ISSUES) {
          pending.push({ record: r, field: SYMBOL_HEADER, reason: 'empty cell; expected a symbol' });
        }
      } else {
        symbolOfBar[count] = lastSymbolId;
      }
    }
    const timeCell = record[layout.time] as string;
    const time = parseTimestampMs(timeCell);
    if (typeof time === 'number') {
      timeMs[count] = time;
    } else {
      rowOk = false;
      if (pending.length < MAX_REPORTED_ISSUES) {
        const reason =
          timeCell.trim() === ''
            ? 'empty cell; expected a date or unix time'
            : `unparseable date ${quoteCell(timeCell)}: ${time.reason}`;
        pending.push({ record: r, field: 'time', reason });
      }
    }
    for (const field of VALUE_FIELDS) {
      const cell = record[layout[field]] as string;
      const value = parseNumberCell(cell);
      if (typeof value === 'number') {
        (values[field] as Float64Array)[count] = value;
      } else {
        rowOk = false;
        if (pending.length < MAX_REPORTED_ISSUES) pending.push({ record: r, field, reason: value });
      }
    }
    // A row with an unreadable cell is left out, so bar checks never report it twice.
    if (rowOk) {
      recordOfBar[count] = r;
      count++;
    }
  }

  if (count === 0 && pending.length === 0) {
    const line = recordLines(text, source)[headerIndex] as number;
    throw new DataError({ source, line, reason: 'no data rows after the header line' });
  }

  const columns = {
    timeMs: count === capacity ? timeMs : timeMs.slice(0, count),
    open: count === capacity ? values.open : values.open.slice(0, count),
    high: count === capacity ? values.high : values.high.slice(0, count),
    low: count === capacity ? values.low : values.low.slice(0, count),
    close: count === capacity ? values.close : values.close.slice(0, count),
    volume: count === capacity ? values.volume : values.volume.slice(0, count),
  };
  const groups: { symbol: string | undefined; columns: BarColumns; recordOfBar: Int32Array }[] =
    symbols.length <= 1
      ? [{ symbol: symbols[0], columns, recordOfBar }]
      : splitBySymbol(columns, recordOfBar, symbolOfBar.subarray(0, count), symbols);
  for (const group of groups) {
    for (const problem of findBarProblems(group.columns)) {
      pending.push({
        record: group.recordOfBar[problem.index] as number,
        field: problem.field,
        reason:
          group.symbol === undefined || groups.length === 1 ? problem.reason : `${group.symbol}: ${problem.reason}`,
      });
    }
  }
  if (pending.length > 0) {
    // Cell and bar problems were found in two passes; the user reads them in file order.
    pending.sort((a, b) => a.record - b.record);
    const lines = recordLines(text, source);
    const issues: DataIssue[] = pending.slice(0, MAX_REPORTED_ISSUES).map((p) => ({
      source,
      line: lines[p.record] as number,
      ...(p.field === undefined ? {} : { field: p.field }),
      reason: p.reason,
    }));
    throw new DataError(issues);
  }
  return groups.map(({ symbol, columns }) => ({ symbol, columns }));
}

/** Splits the bars into one group per symbol, keeping file order within each, groups in symbol order. */
function splitBySymbol(
  columns: BarColumns,
  recordOfBar: Int32Array,
  symbolOfBar: Int32Array,
  symbols: readonly string[],
): { symbol: string; columns: BarColumns; recordOfBar: Int32Array }[] {
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
      recordOfBar: new Int32Array(size),
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
    group.recordOfBar[at] = recordOfBar[i] as number;
  }
  return groups.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/**
 * Reads a bar CSV file with {@link parseBarsCsv}: without options, the symbol and timeframe
 * are inferred as the CLI infers them (a `symbol` column, else the file name; a
 * `SYMBOL_TIMEFRAME.csv` name, else the bar spacing). A missing, unreadable or non-file path
 * throws a {@link DataError} naming the path.
 *
 * @example
 * const bars = loadBarsCsv('data/bars/GOOG.csv'); // GOOG, 1Day
 * const hourly = loadBarsCsv('data/bars/EURUSD.csv', { symbol: 'EURUSD', timeframe: Timeframe.OneHour });
 */
export function loadBarsCsv(path: string, options: CsvFileOptions = {}): BarSeries {
  const shownAs = options.shownAs ?? path;
  return parseBarsCsv(readCsvFile(path, shownAs), shownAs, options);
}

/**
 * Reads every symbol of a bar CSV file as its own series, with {@link parseBarsCsvBySymbol};
 * otherwise as {@link loadBarsCsv}.
 *
 * @example
 * for (const bars of loadBarsCsvBySymbol('data/bars/universe.csv')) console.log(bars.symbol, bars.length);
 */
export function loadBarsCsvBySymbol(path: string, options: CsvFileOptions = {}): BarSeries[] {
  const shownAs = options.shownAs ?? path;
  return parseBarsCsvBySymbol(readCsvFile(path, shownAs), shownAs, options);
}

function readCsvFile(path: string, shownAs: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError({ source: shownAs, reason: describeReadError(error) }, { cause: error });
  }
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return 'is a directory, not a CSV file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `cannot read the file (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Parses CSV records with csv-parse. Line numbers cost csv-parse's `info` snapshot on every
 * record (about 1.7x slower on GOOG.csv), so the happy path parses without them and
 * {@link recordLines} parses again only when there is a problem to report.
 */
function readRecords(text: string, source: string, withInfo: false): string[][];
function readRecords(text: string, source: string, withInfo: true): { record: string[]; info: { lines: number } }[];
function readRecords(text: string, source: string, withInfo: boolean): unknown[] {
  try {
    return parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: withInfo });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : undefined;
      const reason = `malformed CSV: ${error.message.replace(/ at line \d+$/, '')}`;
      throw new DataError(line === undefined ? { source, reason } : { source, line, reason }, { cause: error });
    }
    throw error;
  }
}

/** 1-based line number of each record, by record index. */
function recordLines(text: string, source: string): number[] {
  return readRecords(text, source, true).map((entry) => entry.info.lines);
}

/**
 * A line of spaces is blank, though csv-parse's skip_empty_lines keeps it; so is a lone `\r`,
 * which is what csv-parse makes of a CRLF blank line in a file that began with LF endings.
 */
function isBlank(record: string[]): boolean {
  return record.length === 1 && (record[0] as string).trim() === '';
}

/** Column index of each field, and of the symbol column when there is one. */
type Layout = Record<BarField, number> & { symbol?: number };

function readHeader(header: string[], line: () => number, source: string): Layout {
  const names = header.map((name) => name.trim().toLowerCase());
  const issues: DataIssue[] = [];
  const positions = (wanted: (name: string) => boolean): number[] =>
    names.flatMap((name, index) => (wanted(name) ? [index] : []));

  const layout: Partial<Layout> = {};
  // A named time column wins over an unnamed first one: `df.reset_index().to_csv()` writes
  // `,Date,Open,...` where the unnamed column is pandas' row number, not the time.
  const timeColumns = positions((name) => TIME_HEADERS.has(name));
  if (timeColumns.length === 1) layout.time = timeColumns[0] as number;
  else if (timeColumns.length === 0 && names[0] === '') layout.time = 0;
  else if (timeColumns.length > 1) {
    const found = timeColumns.map((i) => `"${header[i]}"`).join(' and ');
    issues.push({
      source,
      line: line(),
      field: 'time',
      reason: `more than one time column (${found}); keep one column holding the full date and time`,
    });
  }
  for (const field of [...VALUE_FIELDS, SYMBOL_HEADER] as const) {
    const found = positions((name) => name === field);
    if (found.length === 1) layout[field] = found[0] as number;
    else if (found.length > 1) {
      issues.push({ source, line: line(), field, reason: `column appears ${found.length} times in the header` });
    }
  }

  const missing = (['time', ...VALUE_FIELDS] as const).filter(
    (field) => layout[field] === undefined && !issues.some((issue) => issue.field === field),
  );
  if (missing.length > 0) {
    const headerText = header.map((name) => (name === '' ? '(unnamed)' : name)).join(', ');
    if (header.length === 1 && /[;\t|]/.test(header[0] as string)) {
      issues.unshift({
        source,
        line: line(),
        reason: 'the header has a single column; fields must be separated by commas (";", tab and "|" are not read)',
      });
    } else if (typeof parseTimestampMs(header[0] as string) === 'number') {
      issues.unshift({
        source,
        line: line(),
        reason:
          'the first line looks like data, not a header; add a header line such as time,open,high,low,close,volume',
      });
    } else {
      for (const field of missing) {
        const expected =
          field === 'time'
            ? 'a time column named date, time, timestamp or datetime, or an unnamed first column'
            : `a column named ${field}`;
        issues.push({
          source,
          line: line(),
          field,
          reason: `missing column: expected ${expected} (header: ${headerText})`,
        });
      }
    }
  }
  if (issues.length > 0) throw new DataError(issues);
  return layout as Layout;
}

/**
 * Reads a price or volume cell. Returns the number, or why it is not one. `Number()` parses
 * the whole cell (unlike `parseFloat`, which accepts `12abc`), so no regex is needed; its
 * quirks are closed off here: `''` and `' '` become 0, and `0x1A`, `0b1`, `0o7` are integer
 * literals.
 */
function parseNumberCell(cell: string): number | string {
  const value = Number(cell);
  if (Number.isFinite(value)) {
    // Only cells that start with 0 or with white space can be blank or a radix literal; others skip the trim.
    const first = cell.charCodeAt(0);
    // NaN for the empty cell fails `> 32` too.
    if (first === 48 /* 0 */ || !(first > 32)) {
      const trimmed = cell.trim();
      if (trimmed === '') return 'empty cell; expected a number';
      if (trimmed.length > 1 && trimmed.charCodeAt(0) === 48 && isRadixLetter(trimmed.charCodeAt(1))) {
        return `${quoteCell(cell)} is not a number`;
      }
    }
    return value;
  }
  if (Number.isNaN(value)) return `${quoteCell(cell)} is not a number`;
  return `${quoteCell(cell)} is not a finite number`;
}

function isRadixLetter(code: number): boolean {
  // x, b, o in either case
  const lower = code | 0x20;
  return lower === 120 || lower === 98 || lower === 111;
}

/** A cell as shown in a message: quoted, control characters escaped, long ones shortened. */
function quoteCell(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 37)}...` : cell);
}
