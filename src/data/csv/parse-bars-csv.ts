import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import type { BarSeries } from '../../core/bars.js';
import { DataError, type DataIssue } from '../../core/errors.js';
import { type BarLayout, findBarLayout, ignoredAdjCloseNotice } from '../bar-layout.js';
import { ADJ_CLOSE_FIELD, type BarGroup, BarRows, RowPlace, SYMBOL_FIELD } from '../bar-rows.js';
import { type BarFileOptions, nameBarGroups, oneBarSeries } from '../name-bar-groups.js';
import { createTimeZone, type TimeZone } from '../time-zone.js';
import { describeReadError } from '../read-error.js';
import type { BarField } from '../validate-bars.js';
import { parseTimestampMs } from './parse-timestamp.js';
import { parseNumberCell, timeCellProblem } from './read-cell.js';
import { CsvBarScanner, scaleByAdjustedClose } from './scan-bars-csv.js';

/**
 * What a CSV file may not say about its bars, and how to read it; each is inferred or
 * defaulted when left out, as the CLI does (see {@link BarFileOptions}).
 */
export type CsvBarsOptions = BarFileOptions;

/** Options of {@link loadBarsCsv}: those of {@link parseBarsCsv}, and how messages name the file. */
export interface CsvFileOptions extends CsvBarsOptions {
  /** The file as messages show it, e.g. the path the user typed (default: `path`). */
  readonly shownAs?: string | undefined;
}

/** Bytes read from a file at a time: large enough that system calls cost nothing, small next to the columns. */
const CHUNK_BYTES = 1 << 20;

const TIME_EXPECTED = 'a time column named date, time, timestamp or datetime, or an unnamed first column';

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
 * rows are grouped by symbol (upper-cased), each symbol's times strictly increasing on its own;
 * an optional `Adj Close` column, which scales the prices with `options.adjusted` and is
 * otherwise ignored (`options.onNotice` is told). Other columns are ignored. A missing
 * `volume` column is an error: inventing volumes would silently feed volume-based strategies
 * made-up numbers. Times are read by {@link parseTimestampMs} (no zone means UTC, or
 * `options.timeZone`). Numbers are exactly the doubles `Number(cell)` gives. A UTF-8 BOM,
 * CRLF line endings and blank lines are accepted. Line numbers are 1-based, counting every
 * physical line, as csv-parse counts them: exact for files with one kind of line ending; a
 * record whose quoted cell spans lines is reported at its last line.
 *
 * Plain files (no quotes, one kind of line ending) are read by a byte scanner that writes
 * numbers straight into the columns; others by csv-parse. Both report the same problems.
 *
 * @example
 * const bars = parseBarsCsv('time,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,1000\n', 'inline', {
 *   symbol: 'ACME',
 *   timeframe: Timeframe.OneDay,
 * });
 * bars.close[0]; // 10.5
 */
export function parseBarsCsv(text: string, source: string, options: CsvBarsOptions = {}): BarSeries {
  return oneBarSeries(readTextGroups(text, source, options), source, options);
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
  return nameBarGroups(readTextGroups(text, source, options), source, options);
}

/**
 * Reads a bar CSV file with {@link parseBarsCsv}: without options, the symbol and timeframe
 * are inferred as the CLI infers them (a `symbol` column, else the file name; a
 * `SYMBOL_TIMEFRAME.csv` name, else the bar spacing). A missing, unreadable or non-file path
 * throws a {@link DataError} naming the path. The file is read in chunks and never held as a
 * string (unless it has quoted cells).
 *
 * @example
 * const bars = loadBarsCsv('data/bars/GOOG.csv'); // GOOG, 1Day
 * const hourly = loadBarsCsv('data/bars/EURUSD.csv', { symbol: 'EURUSD', timeframe: Timeframe.OneHour });
 */
export function loadBarsCsv(path: string, options: CsvFileOptions = {}): BarSeries {
  const shownAs = options.shownAs ?? path;
  return oneBarSeries(readFileGroups(path, shownAs, options), shownAs, options);
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
  return nameBarGroups(readFileGroups(path, shownAs, options), shownAs, options);
}

/**
 * {@link parseBarsCsvBySymbol} with csv-parse alone, never the byte scanner: the reference the
 * scanner's results and messages are tested against. Not part of the library's surface.
 *
 * @example
 * const series = parseBarsCsvWithCsvParse(text, 'data.csv');
 */
export function parseBarsCsvWithCsvParse(text: string, source: string, options: CsvBarsOptions = {}): BarSeries[] {
  const read = new CsvRead(source, options);
  return nameBarGroups(read.done(readRecordsGroups(text, source, read)), source, options);
}

/** How one read of a file goes: its zone, and the header rules, which note an ignored `Adj Close`. */
class CsvRead {
  readonly zone: TimeZone | undefined;
  ignoredAdjClose: string | undefined;
  readonly #source: string;
  readonly #options: CsvBarsOptions;

  constructor(source: string, options: CsvBarsOptions) {
    this.#source = source;
    this.#options = options;
    this.zone = options.timeZone === undefined ? undefined : createTimeZone(options.timeZone);
  }

  readonly readHeader = (cells: string[], line: number): BarLayout => {
    const source = this.#source;
    const layout = findBarLayout(cells, {
      source,
      line,
      fallbackTime: cells[0]?.trim() === '' ? 0 : undefined,
      timeExpected: TIME_EXPECTED,
      adjusted: this.#options.adjusted === true,
      explainMissing: () => explainNoHeader(cells, source, line),
    });
    this.ignoredAdjClose = layout.ignoredAdjClose;
    return layout;
  };

  /** Tells `onNotice` what the read left aside, once it is done. */
  done(groups: BarGroup[]): BarGroup[] {
    if (this.ignoredAdjClose !== undefined) {
      this.#options.onNotice?.(ignoredAdjCloseNotice(this.#source, this.ignoredAdjClose));
    }
    return groups;
  }
}

function readTextGroups(text: string, source: string, options: CsvBarsOptions): BarGroup[] {
  const read = new CsvRead(source, options);
  const bytes = Buffer.from(text, 'utf8');
  const scanner = new CsvBarScanner({ source, zone: read.zone, readHeader: read.readHeader, sizeHint: bytes.length });
  scanner.feed(bytes, 0, bytes.length, true);
  return read.done(scanner.needsFullParser ? readRecordsGroups(text, source, read) : scanner.finish());
}

function readFileGroups(path: string, source: string, options: CsvBarsOptions): BarGroup[] {
  const read = new CsvRead(source, options);
  const groups = scanFile(path, source, read);
  if (groups !== undefined) return read.done(groups);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError({ source, reason: describeReadError(error, 'a CSV file') }, { cause: error });
  }
  return read.done(readRecordsGroups(text, source, read));
}

/** Reads a file through the byte scanner, chunk by chunk; undefined when it needs the full parser. */
function scanFile(path: string, source: string, read: CsvRead): BarGroup[] | undefined {
  const fd = fileCall(source, () => openSync(path, 'r'));
  try {
    const size = fileCall(source, () => fstatSync(fd).size);
    const scanner = new CsvBarScanner({ source, zone: read.zone, readHeader: read.readHeader, sizeHint: size });
    let buffer = Buffer.allocUnsafe(Math.min(Math.max(size, 1), CHUNK_BYTES));
    let filled = 0;
    for (;;) {
      const target = buffer;
      const offset = filled;
      const got = fileCall(source, () => readSync(fd, target, offset, target.length - offset, null));
      const end = filled + got;
      const final = got === 0;
      const used = scanner.feed(buffer, 0, end, final);
      if (scanner.needsFullParser) return undefined;
      if (final) return scanner.finish();
      filled = end - used;
      if (filled === buffer.length) {
        // One line longer than the buffer: make room for the rest of it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, used, end);
        buffer = bigger;
      } else if (filled > 0) {
        buffer.copy(buffer, 0, used, end);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs a file system call, turning its failure into a one-line {@link DataError}. */
function fileCall<T>(source: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new DataError({ source, reason: describeReadError(error, 'a CSV file') }, { cause: error });
  }
}

/**
 * The full parser's path, for files with quoted cells or mixed line endings: csv-parse
 * records, each with the line it ends on, read into the same rows as the byte scanner fills.
 */
function readRecordsGroups(text: string, source: string, read: CsvRead): BarGroup[] {
  const records = readRecords(text, source);
  const headerIndex = records.findIndex((entry) => !isBlank(entry.record));
  if (headerIndex < 0) throw new DataError({ source, reason: 'file is empty' });
  const header = records[headerIndex] as CsvRecord;
  const layout = read.readHeader(header.record, header.info.lines);
  const fieldCount = header.record.length;
  const zone = read.zone;
  const rows = new BarRows(records.length - headerIndex, { hasSymbols: layout.symbol !== undefined, zone });
  // Rows of one symbol usually follow one another, so the cell is looked up only when it changes.
  let lastSymbolCell: string | undefined;
  let lastSymbolId = -1;
  for (let r = headerIndex + 1; r < records.length; r++) {
    const { record, info } = records[r] as CsvRecord;
    const line = info.lines;
    if (record.length !== fieldCount) {
      if (!isBlank(record)) {
        rows.report(line, undefined, `expected ${fieldCount} fields as in the header, found ${record.length}`);
      }
      continue;
    }
    rows.reserve();
    const index = rows.count;
    let ok = true;
    if (layout.symbol !== undefined) {
      const cell = record[layout.symbol] as string;
      if (cell !== lastSymbolCell) {
        lastSymbolCell = cell;
        lastSymbolId = rows.symbolId(cell);
      }
      if (lastSymbolId < 0) {
        ok = false;
        rows.report(line, SYMBOL_FIELD, 'empty cell; expected a symbol');
      }
    }
    if (zone !== undefined) zone.ambiguousLaterMs = Number.NaN;
    const timeCell = record[layout.time] as string;
    const time = parseTimestampMs(timeCell, zone);
    if (typeof time === 'number') rows.timeMs[index] = time;
    else {
      ok = false;
      rows.report(line, 'time', timeCellProblem(timeCell, time.reason));
    }
    const number = (column: number, field: BarField | typeof ADJ_CLOSE_FIELD): number => {
      const value = parseNumberCell(record[column] as string);
      if (typeof value === 'number') return value;
      ok = false;
      rows.report(line, field, value);
      return Number.NaN;
    };
    rows.open[index] = number(layout.open, 'open');
    rows.high[index] = number(layout.high, 'high');
    rows.low[index] = number(layout.low, 'low');
    rows.close[index] = number(layout.close, 'close');
    rows.volume[index] = number(layout.volume, 'volume');
    if (layout.adjClose !== undefined) {
      const adjusted = number(layout.adjClose, ADJ_CLOSE_FIELD);
      if (ok && !scaleByAdjustedClose(rows, index, adjusted, line)) ok = false;
    }
    // A row with an unreadable cell is left out, so bar checks never report it twice.
    if (ok) rows.commit(line, lastSymbolId);
  }
  if (rows.count === 0 && rows.problemCount === 0) {
    throw new DataError({ source, line: header.info.lines, reason: 'no data rows after the header line' });
  }
  return rows.finish(source, RowPlace.Line);
}

interface CsvRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** Parses CSV records with csv-parse, each with the 1-based line it ends on. */
function readRecords(text: string, source: string): CsvRecord[] {
  try {
    const options = { bom: true, skip_empty_lines: true, relax_column_count: true, info: true } as const;
    return parse(text, options) as unknown as CsvRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof error.lines === 'number' ? error.lines : undefined;
      const reason = `malformed CSV: ${error.message.replace(/ at line \d+$/, '')}`;
      throw new DataError(line === undefined ? { source, reason } : { source, line, reason }, { cause: error });
    }
    throw error;
  }
}

/**
 * A line of spaces is blank, though csv-parse's skip_empty_lines keeps it; so is a lone `\r`,
 * which is what csv-parse makes of a CRLF blank line in a file that began with LF endings.
 */
function isBlank(record: string[]): boolean {
  return record.length === 1 && (record[0] as string).trim() === '';
}

/** A header with columns missing may be no CSV header at all; says so in one issue. */
function explainNoHeader(cells: readonly string[], source: string, line: number): DataIssue | undefined {
  const first = cells[0] as string;
  if (cells.length === 1 && /[;\t|]/.test(first)) {
    return {
      source,
      line,
      reason: 'the header has a single column; fields must be separated by commas (";", tab and "|" are not read)',
    };
  }
  if (typeof parseTimestampMs(first) === 'number') {
    return {
      source,
      line,
      reason: 'the first line looks like data, not a header; add a header line such as time,open,high,low,close,volume',
    };
  }
  return undefined;
}
