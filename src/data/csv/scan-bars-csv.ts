import { DataError } from '../../core/errors.js';
import type { BarLayout } from '../bar-layout.js';
import { ADJ_CLOSE_FIELD, type BarGroup, BarRows, RowPlace, SYMBOL_FIELD } from '../bar-rows.js';
import type { TimeZone } from '../time-zone.js';
import type { BarField } from '../validate-bars.js';
import { decimalStop, parseDecimalBytes, scanDecimalBytes } from './parse-decimal.js';
import { parseTimestampBytes, parseTimestampMs } from './parse-timestamp.js';
import { parseNumberCell, timeCellProblem } from './read-cell.js';

/** What the byte scanner needs besides the bytes. */
export interface CsvScanSettings {
  /** The file as messages name it. */
  readonly source: string;
  /** Zone of times without an offset (`--tz`); UTC when undefined. */
  readonly zone: TimeZone | undefined;
  /** Matches the header cells found on a 1-based line; throws a `DataError` for a bad header. */
  readonly readHeader: (cells: string[], line: number) => BarLayout;
  /** The file's size in bytes, to size the columns once; 0 when unknown. */
  readonly sizeHint: number;
}

const LineEnding = { Unknown: 0, Lf: 1, CrLf: 2 } as const;
type LineEnding = (typeof LineEnding)[keyof typeof LineEnding];

/** What each column of a file is to the scanner's fast row path. */
const Role = { Skip: 0, Time: 1, Open: 2, High: 3, Low: 4, Close: 5, Volume: 6, Symbol: 7, AdjClose: 8 } as const;

/**
 * Reads bar CSV bytes in one pass, writing numbers straight into the columns: no string per
 * line or cell, no array of records. It reads plain CSV (no quotes; every line ending `\n`, or
 * every one `\r\n`); a file with quotes or other line endings sets
 * {@link CsvBarScanner.needsFullParser} at once, and the caller reads it again with a full
 * CSV parser, which reports the same problems at the same lines (blank lines, a BOM and line
 * numbers follow csv-parse as `parseBarsCsv` configures it).
 *
 * Feed it the file in chunks with {@link CsvBarScanner.feed}, which returns how far it read
 * (a partial last line is left for the next chunk), then call {@link CsvBarScanner.finish}.
 *
 * @example
 * const scanner = new CsvBarScanner(settings);
 * scanner.feed(bytes, 0, bytes.length, true);
 * const groups = scanner.needsFullParser ? slowPath() : scanner.finish();
 */
export class CsvBarScanner {
  /** Set when the bytes need the full CSV parser; the scanner then stops reading. */
  needsFullParser = false;
  readonly #settings: CsvScanSettings;
  #line = 1;
  #lineEnding: LineEnding = LineEnding.Unknown;
  #started = false;
  /** Bytes of the file read in earlier chunks, for the row estimate. */
  #consumed = 0;
  /** File offset of the current chunk's byte 0 (may be negative): `#consumed - start`. */
  #chunkBase = 0;
  #layout: BarLayout | undefined;
  #headerLine = 0;
  #fieldCount = 0;
  #rows: BarRows | undefined;
  /** Byte offset where each cell of the current line starts. */
  #starts = new Int32Array(0);
  /** The {@link Role} of each column. */
  #roles = new Uint8Array(0);
  /** The last symbol cell's bytes and its symbol, so a run of one symbol decodes one cell. */
  #lastSymbolBytes: Buffer = Buffer.alloc(0);
  #lastSymbolId = -1;

  constructor(settings: CsvScanSettings) {
    this.#settings = settings;
  }

  /**
   * Reads the complete lines of `bytes[start..end)` (all of it when `final`), and returns the
   * offset of the first byte not read: the start of a partial last line.
   */
  feed(bytes: Buffer, start: number, end: number, final: boolean): number {
    let p = start;
    this.#chunkBase = this.#consumed - start;
    if (!this.#started) {
      this.#started = true;
      // A UTF-8 byte order mark, as csv-parse's `bom` option drops it.
      if (end - p >= 3 && bytes[p] === 0xef && bytes[p + 1] === 0xbb && bytes[p + 2] === 0xbf) p += 3;
    }
    while (p < end) {
      let newline = bytes.indexOf(10, p);
      if (newline >= end) newline = -1;
      let lineEnd = newline;
      if (newline < 0) {
        if (this.#lineEnding === LineEnding.Unknown) {
          const cr = bytes.indexOf(13, p);
          // A `\r` before any `\n`: old Mac line endings, which only the full parser reads.
          if (cr >= 0 && cr < end && (cr < end - 1 || final)) return this.#giveUp(p);
        }
        if (!final) break;
        lineEnd = end;
      }
      let contentEnd = lineEnd;
      if (newline >= 0) {
        const crlf = lineEnd > p && bytes[lineEnd - 1] === 13;
        if (this.#lineEnding === LineEnding.Unknown) this.#lineEnding = crlf ? LineEnding.CrLf : LineEnding.Lf;
        if (this.#lineEnding === LineEnding.CrLf) {
          // csv-parse would not end a line at a lone `\n` here; it decides what such a file means.
          if (!crlf) return this.#giveUp(p);
          contentEnd = lineEnd - 1;
        }
      }
      this.#readLine(bytes, p, contentEnd);
      if (this.needsFullParser) return p;
      this.#line++;
      if (newline < 0) {
        p = end;
        break;
      }
      p = newline + 1;
    }
    this.#consumed += p - start;
    return p;
  }

  /**
   * The bars read, checked and grouped by symbol; throws a `DataError` naming the first
   * problems by line, or saying the file is empty or has no data rows.
   */
  finish(): BarGroup[] {
    const { source } = this.#settings;
    const rows = this.#rows;
    if (rows === undefined) throw new DataError({ source, reason: 'file is empty' });
    if (rows.count === 0 && rows.problemCount === 0) {
      throw new DataError({ source, line: this.#headerLine, reason: 'no data rows after the header line' });
    }
    return rows.finish(source, RowPlace.Line);
  }

  #giveUp(at: number): number {
    this.needsFullParser = true;
    return at;
  }

  #readLine(bytes: Buffer, start: number, end: number): void {
    if (this.#layout === undefined) {
      this.#readHeaderLine(bytes, start, end);
      return;
    }
    if (this.#readPlainRow(bytes, start, end)) return;
    const fieldCount = this.#fieldCount;
    const starts = this.#starts;
    let fields = 1;
    starts[0] = start;
    for (let q = start; q < end; q++) {
      const c = bytes[q] as number;
      // Digits, letters, '-', '.' and ':' are above ','; one comparison passes them.
      if (c <= 44) {
        if (c === 44 /* , */) {
          if (fields < fieldCount) starts[fields] = q + 1;
          fields++;
        } else if (c === 34 /* " */ || c === 13 /* \r */) {
          this.needsFullParser = true;
          return;
        }
      }
    }
    const rows = this.#rows as BarRows;
    if (fields !== fieldCount) {
      if (fields === 1 && bytes.toString('utf8', start, end).trim() === '') return;
      rows.report(this.#line, undefined, `expected ${fieldCount} fields as in the header, found ${fields}`);
      return;
    }
    starts[fieldCount] = end + 1;
    if (rows.count >= rows.timeMs.length) {
      const bytesPerRow = (this.#chunkBase + start) / Math.max(1, rows.count);
      rows.reserve(this.#estimateRows(rows.count, bytesPerRow));
    }
    this.#readRow(bytes, rows, starts);
  }

  /** Rows the whole file will have, from the bytes per row so far; generous by 2 %. */
  #estimateRows(count: number, bytesPerRow: number): number {
    const size = this.#settings.sizeHint;
    if (size <= 0 || !(bytesPerRow > 0)) return 0;
    return Math.max(count + 1, (size / bytesPerRow) * 1.02 + 64);
  }

  /**
   * Reads a line of plain cells in one pass, each number parsed where it stands, and commits
   * it; false, with nothing committed or reported, at the first thing out of the ordinary (a
   * cell the fast parsers leave to `Number`, a wrong field count, a quote), so that the careful
   * path reads the line again and says what is wrong.
   */
  #readPlainRow(bytes: Buffer, start: number, end: number): boolean {
    const rows = this.#rows as BarRows;
    if (rows.count >= rows.timeMs.length) return false;
    const index = rows.count;
    const roles = this.#roles;
    const zone = this.#settings.zone;
    const last = roles.length - 1;
    let symbol = -1;
    let adjusted = Number.NaN;
    let q = start;
    for (let field = 0; field <= last; field++) {
      const role = roles[field] as number;
      let stop: number;
      if (role >= Role.Open && role !== Role.Symbol) {
        const value = scanDecimalBytes(bytes, q, end);
        if (Number.isNaN(value)) return false;
        stop = decimalStop();
        if (role === Role.Open) rows.open[index] = value;
        else if (role === Role.High) rows.high[index] = value;
        else if (role === Role.Low) rows.low[index] = value;
        else if (role === Role.Close) rows.close[index] = value;
        else if (role === Role.Volume) rows.volume[index] = value;
        else adjusted = value;
      } else {
        stop = q;
        while (stop < end) {
          const c = bytes[stop] as number;
          if (c === 44 /* , */) break;
          if (c === 34 /* " */ || c === 13 /* \r */) return false;
          stop++;
        }
        if (role === Role.Time) {
          if (zone !== undefined) zone.ambiguousLaterMs = Number.NaN;
          const time = parseTimestampBytes(bytes, q, stop, zone);
          if (Number.isNaN(time)) return false;
          rows.timeMs[index] = time;
        } else if (role === Role.Symbol) {
          // Only a symbol already known: a new one is registered once the row proves whole.
          symbol = this.#symbolOf(bytes, q, stop, rows, false);
          if (symbol < 0) return false;
        }
      }
      if (field < last) {
        if (stop >= end || bytes[stop] !== 44) return false;
        q = stop + 1;
      } else if (stop !== end) {
        return false;
      }
    }
    if (!Number.isNaN(adjusted)) {
      if (rows.close[index] === 0) return false;
      scaleByAdjustedClose(rows, index, adjusted, this.#line);
    }
    rows.commit(this.#line, symbol);
    return true;
  }

  /**
   * The symbol id of a symbol cell (-1 for an empty cell, or with `register` false for a symbol
   * not seen yet); a run of rows of one symbol decodes its cell once.
   */
  #symbolOf(bytes: Buffer, from: number, to: number, rows: BarRows, register: boolean): number {
    const last = this.#lastSymbolBytes;
    if (to - from === last.length && bytes.compare(last, 0, last.length, from, to) === 0) return this.#lastSymbolId;
    const cell = bytes.toString('utf8', from, to);
    const symbol = register ? rows.symbolId(cell) : rows.knownSymbolId(cell);
    if (symbol < 0) return symbol;
    this.#lastSymbolBytes = Buffer.from(bytes.subarray(from, to));
    this.#lastSymbolId = symbol;
    return symbol;
  }

  #readRow(bytes: Buffer, rows: BarRows, starts: Int32Array): void {
    const line = this.#line;
    const index = rows.count;
    const layout = this.#layout as BarLayout;
    let ok = true;

    let symbol = -1;
    if (layout.symbol !== undefined) {
      const from = starts[layout.symbol] as number;
      symbol = this.#symbolOf(bytes, from, (starts[layout.symbol + 1] as number) - 1, rows, true);
      if (symbol < 0) {
        ok = false;
        rows.report(line, SYMBOL_FIELD, 'empty cell; expected a symbol');
      }
    }

    const zone = this.#settings.zone;
    if (zone !== undefined) zone.ambiguousLaterMs = Number.NaN;
    const timeFrom = starts[layout.time] as number;
    const timeTo = (starts[layout.time + 1] as number) - 1;
    let time = parseTimestampBytes(bytes, timeFrom, timeTo, zone);
    if (Number.isNaN(time)) {
      const cell = bytes.toString('utf8', timeFrom, timeTo);
      const parsed = parseTimestampMs(cell, zone);
      if (typeof parsed === 'number') {
        time = parsed;
      } else {
        ok = false;
        rows.report(line, 'time', timeCellProblem(cell, parsed.reason));
      }
    }
    rows.timeMs[index] = time;

    // A number read is never NaN (NaN cells are reported), so NaN marks a row to leave out.
    const open = this.#readNumber(bytes, starts, layout.open, line, 'open', rows);
    const high = this.#readNumber(bytes, starts, layout.high, line, 'high', rows);
    const low = this.#readNumber(bytes, starts, layout.low, line, 'low', rows);
    const close = this.#readNumber(bytes, starts, layout.close, line, 'close', rows);
    const volume = this.#readNumber(bytes, starts, layout.volume, line, 'volume', rows);
    rows.open[index] = open;
    rows.high[index] = high;
    rows.low[index] = low;
    rows.close[index] = close;
    rows.volume[index] = volume;
    if (Number.isNaN(open + high + low + close + volume)) ok = false;
    if (layout.adjClose !== undefined) {
      const adjusted = this.#readNumber(bytes, starts, layout.adjClose, line, ADJ_CLOSE_FIELD, rows);
      if (Number.isNaN(adjusted)) ok = false;
      else if (ok && !scaleByAdjustedClose(rows, index, adjusted, line)) ok = false;
    }
    if (ok) rows.commit(line, symbol);
  }

  /** A cell's number, or NaN after reporting why it is none. */
  #readNumber(
    bytes: Buffer,
    starts: Int32Array,
    column: number,
    line: number,
    field: BarField | typeof ADJ_CLOSE_FIELD,
    rows: BarRows,
  ): number {
    const from = starts[column] as number;
    const to = (starts[column + 1] as number) - 1;
    const value = parseDecimalBytes(bytes, from, to);
    if (!Number.isNaN(value)) return value;
    const parsed = parseNumberCell(bytes.toString('utf8', from, to));
    if (typeof parsed === 'number') return parsed;
    rows.report(line, field, parsed);
    return Number.NaN;
  }

  #readHeaderLine(bytes: Buffer, start: number, end: number): void {
    for (let q = start; q < end; q++) {
      const c = bytes[q] as number;
      if (c === 34 || c === 13) {
        this.needsFullParser = true;
        return;
      }
    }
    const text = bytes.toString('utf8', start, end);
    // A line of spaces is blank, though csv-parse's skip_empty_lines keeps it.
    if (text.trim() === '') return;
    const cells = text.split(',');
    const layout = this.#settings.readHeader(cells, this.#line);
    this.#layout = layout;
    this.#headerLine = this.#line;
    this.#fieldCount = cells.length;
    this.#starts = new Int32Array(cells.length + 1);
    const roles = new Uint8Array(cells.length);
    roles[layout.time] = Role.Time;
    roles[layout.open] = Role.Open;
    roles[layout.high] = Role.High;
    roles[layout.low] = Role.Low;
    roles[layout.close] = Role.Close;
    roles[layout.volume] = Role.Volume;
    if (layout.symbol !== undefined) roles[layout.symbol] = Role.Symbol;
    if (layout.adjClose !== undefined) roles[layout.adjClose] = Role.AdjClose;
    this.#roles = roles;
    const size = this.#settings.sizeHint;
    // A first guess from the header's length; the real bytes per row refine it once it fills.
    const guess = size > 0 ? Math.min(size / Math.max(16, 2 * text.length), 1 << 16) : 1024;
    this.#rows = new BarRows(guess, { hasSymbols: layout.symbol !== undefined, zone: this.#settings.zone });
  }
}

/**
 * Scales the open, high, low and close of bar `index` by `Adj Close / Close`, as Yahoo's
 * adjusted prices are made; false after reporting a close of 0, which no ratio can scale.
 * All four are multiplied by the same ratio, so their order (what the bar checks test) is kept.
 *
 * @example
 * scaleByAdjustedClose(rows, rows.count, 50.25, line);
 */
export function scaleByAdjustedClose(rows: BarRows, index: number, adjusted: number, at: number): boolean {
  const close = rows.close[index] as number;
  if (close === 0) {
    rows.report(at, ADJ_CLOSE_FIELD, 'close is 0, so Adj Close / Close cannot scale the prices');
    return false;
  }
  const ratio = adjusted / close;
  rows.open[index] = (rows.open[index] as number) * ratio;
  rows.high[index] = (rows.high[index] as number) * ratio;
  rows.low[index] = (rows.low[index] as number) * ratio;
  rows.close[index] = close * ratio;
  return true;
}
