import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { type BarSeries, createBarSeries } from '../../core/bars.js';
import { DataError, type DataIssue } from '../../core/errors.js';
import type { Timeframe } from '../../core/timeframe.js';
import { type BarField, findBarProblems, MAX_REPORTED_ISSUES } from '../validate-bars.js';
import { parseTimestampMs } from './parse-timestamp.js';

/** What a CSV file does not say about its bars. */
export interface CsvBarsOptions {
  /** Ticker or pair, e.g. `GOOG`. */
  readonly symbol: string;
  readonly timeframe: Timeframe;
}

/** Header names (lowercased, trimmed) that mark the time column. */
const TIME_HEADERS: ReadonlySet<string> = new Set(['date', 'time', 'timestamp', 'datetime']);
const VALUE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
type ValueField = (typeof VALUE_FIELDS)[number];

/** A problem found before line numbers are known: `record` is the index into the parsed records. */
interface PendingIssue {
  readonly record: number;
  readonly field?: BarField;
  readonly reason: string;
}

/**
 * Reads OHLCV bars from CSV text and checks them; throws a {@link DataError} naming `source`,
 * the line and the column of the first problem (up to {@link MAX_REPORTED_ISSUES} are kept in
 * `issues`), and returns nothing on bad data.
 *
 * The header is matched case-insensitively: a time column named `date`, `time`, `timestamp`
 * or `datetime`, or else an unnamed first column as pandas writes it (`,Open,High,…`); and
 * `open`, `high`, `low`, `close`, `volume` in any order. Other columns are ignored. A missing
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
export function parseBarsCsv(text: string, source: string, options: CsvBarsOptions): BarSeries {
  const records = readRecords(text, source, false);
  const headerIndex = records.findIndex((record) => !isBlank(record));
  if (headerIndex < 0) throw new DataError({ source, reason: 'file is empty' });
  const header = records[headerIndex] as string[];
  const layout = readHeader(header, () => recordLines(text, source)[headerIndex] as number, source);

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
  for (const problem of findBarProblems(columns)) {
    pending.push({ record: recordOfBar[problem.index] as number, field: problem.field, reason: problem.reason });
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
  return createBarSeries(options.symbol, options.timeframe, columns);
}

/**
 * Reads a bar CSV file with {@link parseBarsCsv}. A missing, unreadable or non-file path
 * throws a {@link DataError} naming the path.
 *
 * @example
 * const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: Timeframe.OneDay });
 */
export function loadBarsCsv(path: string, options: CsvBarsOptions): BarSeries {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError({ source: path, reason: describeReadError(error) }, { cause: error });
  }
  return parseBarsCsv(text, path, options);
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

/** Column index of each field. */
type Layout = Record<BarField, number>;

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
  for (const field of VALUE_FIELDS) {
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
