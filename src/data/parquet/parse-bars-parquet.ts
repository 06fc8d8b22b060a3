/**
 * Bars from Parquet files as pandas (`df.to_parquet`) and polars (`df.write_parquet`) write
 * them, read with hyparquet (loaded only when a Parquet file is read, so the CLI starts fast)
 * and hyparquet-compressors (zstd, polars' default codec; gzip, brotli, lz4; snappy, pandas'
 * default, is built into hyparquet). Column rules and checks are those of CSV files.
 */
import { readFile } from 'node:fs/promises';
import type { FileMetaData, ParquetParsers, SchemaElement } from 'hyparquet';
import type { BarSeries } from '../../core/bars.js';
import { DataError } from '../../core/errors.js';
import { epochValueToMs, parseTimestampMs } from '../csv/parse-timestamp.js';
import { parseNumberCell, quoteCell } from '../csv/read-cell.js';
import { type BarLayout, findBarLayout, ignoredAdjCloseNotice } from '../bar-layout.js';
import { ADJ_CLOSE_FIELD, type BarGroup, BarRows, RowPlace, SYMBOL_FIELD } from '../bar-rows.js';
import { type BarFileOptions, nameBarGroups, oneBarSeries } from '../name-bar-groups.js';
import { describeReadError } from '../read-error.js';
import { createTimeZone, type TimeZone } from '../time-zone.js';
import type { BarField } from '../validate-bars.js';

/** What a Parquet file may not say about its bars, and how to read it (see {@link BarFileOptions}). */
export type ParquetBarsOptions = BarFileOptions;

/** Options of {@link loadBarsParquet}: those of {@link parseBarsParquet}, and how messages name the file. */
export interface ParquetFileOptions extends ParquetBarsOptions {
  /** The file as messages show it, e.g. the path the user typed (default: `path`). */
  readonly shownAs?: string | undefined;
}

/** pandas' name for an unnamed index it stores as a column. */
const PANDAS_INDEX_COLUMN = '__index_level_0__';
const TIME_EXPECTED =
  'a time column named date, time, timestamp or datetime, a pandas index (named, or __index_level_0__), or a single timestamp column';
const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/**
 * Reads OHLCV bars of one symbol from the bytes of a Parquet file and checks them, as
 * `parseBarsCsv` reads CSV text: the same column names (any case; `Adj Close` with
 * `options.adjusted`), the same symbol, timeframe and time zone rules, and the same checks.
 * The time is a timestamp or date column (milliseconds, microseconds or nanoseconds, cut to
 * milliseconds; one stored without UTC adjustment is wall-clock time, read in
 * `options.timeZone` or else as UTC), ISO text, or unix epoch seconds or milliseconds; a
 * pandas index (`__index_level_0__`, or a named one such as `Date`) counts as a column.
 * Problems throw a {@link DataError} naming the source, the column and the 1-based row.
 *
 * @example
 * const bars = await parseBarsParquet(readFileSync('GOOG.parquet'), 'GOOG.parquet', { timeframe: '1Day' });
 */
export async function parseBarsParquet(
  bytes: Uint8Array | ArrayBuffer,
  source: string,
  options: ParquetBarsOptions = {},
): Promise<BarSeries> {
  return oneBarSeries(await readParquetGroups(bytes, source, options), source, options);
}

/**
 * Reads every symbol of a Parquet file as its own bar series, in symbol order, as
 * `parseBarsCsvBySymbol` does for CSV.
 *
 * @example
 * const series = await parseBarsParquetBySymbol(bytes, 'universe.parquet');
 */
export async function parseBarsParquetBySymbol(
  bytes: Uint8Array | ArrayBuffer,
  source: string,
  options: ParquetBarsOptions = {},
): Promise<BarSeries[]> {
  return nameBarGroups(await readParquetGroups(bytes, source, options), source, options);
}

/**
 * Reads a Parquet bar file with {@link parseBarsParquet}; a missing or unreadable path throws
 * a {@link DataError} naming it.
 *
 * @example
 * const bars = await loadBarsParquet('data/GOOG_1Day.parquet');
 */
export async function loadBarsParquet(path: string, options: ParquetFileOptions = {}): Promise<BarSeries> {
  const shownAs = options.shownAs ?? path;
  return parseBarsParquet(await readParquetFile(path, shownAs), shownAs, options);
}

/**
 * Reads every symbol of a Parquet bar file as its own series, with {@link parseBarsParquetBySymbol}.
 *
 * @example
 * for (const bars of await loadBarsParquetBySymbol('universe.parquet')) console.log(bars.symbol);
 */
export async function loadBarsParquetBySymbol(path: string, options: ParquetFileOptions = {}): Promise<BarSeries[]> {
  const shownAs = options.shownAs ?? path;
  return parseBarsParquetBySymbol(await readParquetFile(path, shownAs), shownAs, options);
}

/**
 * Whether bytes begin as a Parquet file does (`PAR1`).
 *
 * @example
 * startsLikeParquet(readFileSync('x.parquet').subarray(0, 4)); // true
 */
export function startsLikeParquet(bytes: Uint8Array): boolean {
  return MAGIC.every((byte, i) => bytes[i] === byte);
}

async function readParquetFile(path: string, shownAs: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new DataError({ source: shownAs, reason: describeReadError(error, 'a Parquet file') }, { cause: error });
  }
}

/** How the time column's values are read. */
const TimeKind = {
  /** Milliseconds of an instant (UTC-adjusted timestamps, INT96). */
  Instant: 'instant',
  /** Milliseconds of a wall-clock time (timestamps without UTC adjustment, dates): read in the zone. */
  Wall: 'wall',
  /** Anything else: text as in CSV cells, numbers as unix epoch seconds or milliseconds. */
  Cell: 'cell',
} as const;
type TimeKind = (typeof TimeKind)[keyof typeof TimeKind];

async function readParquetGroups(
  input: Uint8Array | ArrayBuffer,
  source: string,
  options: ParquetBarsOptions,
): Promise<BarGroup[]> {
  const zone = options.timeZone === undefined ? undefined : createTimeZone(options.timeZone);
  const file = exactArrayBuffer(input);
  const bytes = new Uint8Array(file);
  if (bytes.length < 12 || !startsLikeParquet(bytes) || !startsLikeParquet(bytes.subarray(bytes.length - 4))) {
    throw new DataError({ source, reason: 'not a Parquet file (it does not begin and end with "PAR1")' });
  }
  const [{ parquetMetadata, parquetRead }, { compressors }] = await Promise.all([
    import('hyparquet'),
    import('hyparquet-compressors'),
  ]);
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
  } catch (error) {
    throw new DataError({ source, reason: `not a readable Parquet file (${messageOf(error)})` }, { cause: error });
  }
  const columns = topLevelColumns(metadata);
  const names = columns.map((column) => column.name);
  const layout = findBarLayout(names, {
    source,
    fallbackTime: fallbackTimeColumn(metadata, columns),
    timeExpected: TIME_EXPECTED,
    adjusted: options.adjusted === true,
  });
  const timeElement = columns[layout.time] as SchemaElement;
  const timeKind = timeKindOf(timeElement);

  const wanted = wantedColumns(layout);
  const rowCount = Number(metadata.num_rows);
  const chunks = new Map<number, { rowStart: number; data: ArrayLike<unknown> }[]>();
  try {
    await parquetRead({
      file,
      metadata,
      columns: wanted.map((index) => names[index] as string),
      compressors,
      parsers: TIME_PARSERS,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const index = names.indexOf(columnName);
        const list = chunks.get(index) ?? [];
        list.push({ rowStart, data: columnData });
        chunks.set(index, list);
      },
    });
  } catch (error) {
    throw new DataError({ source, reason: `cannot read the Parquet data (${messageOf(error)})` }, { cause: error });
  }
  const column = (index: number): ParquetColumn => new ParquetColumn(chunks.get(index) ?? [], rowCount);
  const groups = readRows(
    {
      time: column(layout.time),
      open: column(layout.open),
      high: column(layout.high),
      low: column(layout.low),
      close: column(layout.close),
      volume: column(layout.volume),
      symbol: layout.symbol === undefined ? undefined : column(layout.symbol),
      adjClose: layout.adjClose === undefined ? undefined : column(layout.adjClose),
    },
    rowCount,
    { source, zone, timeKind },
  );
  if (layout.ignoredAdjClose !== undefined) options.onNotice?.(ignoredAdjCloseNotice(source, layout.ignoredAdjClose));
  return groups;
}

/**
 * One column's values, joined from the chunks hyparquet gives (one or more per row group):
 * as doubles, NaN where a value is no finite number, so the row loop reads plain numbers; the
 * values as read stay available for messages and for anything but numbers.
 */
class ParquetColumn {
  readonly numbers: Float64Array;
  readonly #chunks: readonly { readonly rowStart: number; readonly data: ArrayLike<unknown> }[];
  #cursor = 0;

  constructor(chunks: { rowStart: number; data: ArrayLike<unknown> }[], rowCount: number) {
    this.#chunks = [...chunks].sort((a, b) => a.rowStart - b.rowStart);
    const numbers = new Float64Array(rowCount).fill(Number.NaN);
    for (const { rowStart, data } of this.#chunks) {
      const length = Math.min(data.length, rowCount - rowStart);
      if (data instanceof Float64Array || data instanceof Float32Array || data instanceof Int32Array) {
        numbers.set(data.subarray(0, length), rowStart);
        continue;
      }
      for (let i = 0; i < length; i++) {
        const value = data[i];
        if (typeof value === 'number') numbers[rowStart + i] = value;
        else if (typeof value === 'bigint') numbers[rowStart + i] = Number(value);
      }
    }
    this.numbers = numbers;
  }

  /** The value of a 0-based row as hyparquet read it (`undefined` past the data). */
  raw(row: number): unknown {
    const chunks = this.#chunks;
    let chunk = chunks[this.#cursor];
    // Rows are read in order, so the chunk of the last row, or the next one, almost always holds it.
    if (chunk === undefined || row < chunk.rowStart || row >= chunk.rowStart + chunk.data.length) {
      let low = 0;
      let high = chunks.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if ((chunks[middle] as { rowStart: number }).rowStart <= row) low = middle;
        else high = middle - 1;
      }
      this.#cursor = low;
      chunk = chunks[low];
      if (chunk === undefined || row < chunk.rowStart) return undefined;
    }
    return chunk.data[row - chunk.rowStart];
  }
}

/** The columns of one read. */
interface ReadColumns {
  readonly time: ParquetColumn;
  readonly open: ParquetColumn;
  readonly high: ParquetColumn;
  readonly low: ParquetColumn;
  readonly close: ParquetColumn;
  readonly volume: ParquetColumn;
  readonly symbol: ParquetColumn | undefined;
  readonly adjClose: ParquetColumn | undefined;
}

function readRows(
  columns: ReadColumns,
  rowCount: number,
  read: { readonly source: string; readonly zone: TimeZone | undefined; readonly timeKind: TimeKind },
): BarGroup[] {
  const { source, zone, timeKind } = read;
  if (rowCount === 0) throw new DataError({ source, reason: 'the file has no rows' });
  const rows = new BarRows(rowCount, { hasSymbols: columns.symbol !== undefined, zone });
  const times = columns.time.numbers;
  let lastSymbolValue: unknown;
  let lastSymbolId = -1;
  for (let i = 0; i < rowCount; i++) {
    const row = i + 1;
    const index = rows.count;
    let ok = true;
    let symbol = -1;
    if (columns.symbol !== undefined) {
      const value = columns.symbol.raw(i);
      if (value !== lastSymbolValue) {
        lastSymbolValue = value;
        lastSymbolId = value === null || value === undefined ? -1 : rows.symbolId(String(value));
      }
      symbol = lastSymbolId;
      if (symbol < 0) {
        ok = false;
        rows.report(row, SYMBOL_FIELD, 'empty value; expected a symbol');
      }
    }
    if (zone !== undefined) zone.ambiguousLaterMs = Number.NaN;
    const number = times[i] as number;
    let time: number | string;
    if (!Number.isFinite(number)) time = readTime(columns.time.raw(i), timeKind, zone);
    else if (timeKind === TimeKind.Cell) time = epochTime(number);
    else time = timeKind === TimeKind.Wall && zone !== undefined ? zone.toUtcMs(number) : number;
    if (typeof time === 'number') rows.timeMs[index] = time;
    else {
      ok = false;
      rows.report(row, 'time', time);
    }
    const open = numberAt(columns.open, i, 'open', rows);
    const high = numberAt(columns.high, i, 'high', rows);
    const low = numberAt(columns.low, i, 'low', rows);
    const close = numberAt(columns.close, i, 'close', rows);
    const volume = numberAt(columns.volume, i, 'volume', rows);
    rows.open[index] = open;
    rows.high[index] = high;
    rows.low[index] = low;
    rows.close[index] = close;
    rows.volume[index] = volume;
    // A number read is never NaN (NaN values are reported), so NaN marks a row to leave out.
    if (Number.isNaN(open + high + low + close + volume)) ok = false;
    if (columns.adjClose !== undefined) {
      const adjusted = numberAt(columns.adjClose, i, ADJ_CLOSE_FIELD, rows);
      if (Number.isNaN(adjusted)) ok = false;
      else if (ok) {
        if (close === 0) {
          ok = false;
          rows.report(row, ADJ_CLOSE_FIELD, 'close is 0, so Adj Close / Close cannot scale the prices');
        } else {
          const ratio = adjusted / close;
          rows.open[index] = open * ratio;
          rows.high[index] = high * ratio;
          rows.low[index] = low * ratio;
          rows.close[index] = close * ratio;
        }
      }
    }
    if (ok) rows.commit(row, symbol);
  }
  return rows.finish(source, RowPlace.Row);
}

/** The finite number of a 0-based row, or NaN after reporting why it is none. */
function numberAt(column: ParquetColumn, i: number, field: BarField | typeof ADJ_CLOSE_FIELD, rows: BarRows): number {
  const number = column.numbers[i] as number;
  if (Number.isFinite(number)) return number;
  const read = readNumber(column.raw(i));
  if (typeof read === 'number') return read;
  rows.report(i + 1, field, read);
  return Number.NaN;
}

function epochTime(number: number): number | string {
  const time = epochValueToMs(number);
  return typeof time === 'number' ? time : `unparseable date ${number}: ${time.reason}`;
}

/** A price or volume value, or why it is not a finite number. */
function readNumber(value: unknown): number | string {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    return Number.isNaN(value) ? 'NaN is not a number' : `${value} is not a finite number`;
  }
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return 'empty value (null); expected a number';
  if (typeof value === 'string') return parseNumberCell(value);
  return `${quoteCell(String(value))} is not a number`;
}

/** A bar time in epoch milliseconds UTC, or why the value is none. */
function readTime(value: unknown, kind: TimeKind, zone: TimeZone | undefined): number | string {
  if (value === null || value === undefined) return 'empty value (null); expected a date or unix time';
  if (kind !== TimeKind.Cell && typeof value === 'number') {
    return kind === TimeKind.Wall && zone !== undefined ? zone.toUtcMs(value) : value;
  }
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    const time = parseTimestampMs(value, zone);
    if (typeof time === 'number') return time;
    return value.trim() === ''
      ? 'empty value; expected a date or unix time'
      : `unparseable date ${quoteCell(value)}: ${time.reason}`;
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const number = Number(value);
    return Number.isFinite(number) ? epochTime(number) : `${number} is not a date or unix time`;
  }
  return `${quoteCell(String(value))} is not a date or unix time`;
}

/**
 * Timestamps as epoch milliseconds (numbers, not `Date`s, which would cost an object a row);
 * finer units are cut to whole milliseconds, towards the past, as CSV fractions are.
 */
const TIME_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => floorDivide(micros, 1000n),
  timestampFromNanoseconds: (nanos: bigint) => floorDivide(nanos, 1_000_000n),
  dateFromDays: (days: number) => days * 86_400_000,
};

function floorDivide(value: bigint, divisor: bigint): number {
  const quotient = value / divisor;
  return Number(value < 0n && quotient * divisor !== value ? quotient - 1n : quotient);
}

/** How a time column's values read: instants, wall-clock times, or cells. */
function timeKindOf(element: SchemaElement): TimeKind {
  const logical = element.logical_type;
  if (logical?.type === 'TIMESTAMP') return logical.isAdjustedToUTC ? TimeKind.Instant : TimeKind.Wall;
  if (logical?.type === 'DATE' || element.converted_type === 'DATE') return TimeKind.Wall;
  // The legacy converted types, and Spark's INT96, mean instants.
  if (element.converted_type === 'TIMESTAMP_MILLIS' || element.converted_type === 'TIMESTAMP_MICROS') {
    return TimeKind.Instant;
  }
  if (element.type === 'INT96') return TimeKind.Instant;
  return TimeKind.Cell;
}

/** The file's top-level columns (nested groups cannot be bar columns), in schema order. */
function topLevelColumns(metadata: FileMetaData): SchemaElement[] {
  const schema = metadata.schema;
  const columns: SchemaElement[] = [];
  let i = 1;
  // Walk the flattened schema tree: each group is followed by its children.
  while (i < schema.length) {
    const element = schema[i] as SchemaElement;
    columns.push(element);
    i += 1 + descendantCount(schema, i);
  }
  return columns;
}

function descendantCount(schema: readonly SchemaElement[], at: number): number {
  const children = (schema[at] as SchemaElement).num_children ?? 0;
  let count = 0;
  for (let c = 0; c < children; c++) count += 1 + descendantCount(schema, at + 1 + count);
  return count;
}

/**
 * The time column when none has a time name: pandas' index (named in its metadata, or
 * `__index_level_0__`), else the one column of timestamp or date type.
 */
function fallbackTimeColumn(metadata: FileMetaData, columns: readonly SchemaElement[]): number | undefined {
  const names = columns.map((column) => column.name);
  const pandas = metadata.key_value_metadata?.find((entry) => entry.key === 'pandas')?.value;
  if (pandas !== undefined) {
    try {
      const index = (JSON.parse(pandas) as { index_columns?: unknown }).index_columns;
      const first = Array.isArray(index) ? index[0] : undefined;
      if (typeof first === 'string' && names.includes(first)) return names.indexOf(first);
    } catch {
      // Unreadable pandas metadata: the column names decide.
    }
  }
  if (names.includes(PANDAS_INDEX_COLUMN)) return names.indexOf(PANDAS_INDEX_COLUMN);
  const timed = columns.flatMap((column, index) => (timeKindOf(column) === TimeKind.Cell ? [] : [index]));
  return timed.length === 1 ? timed[0] : undefined;
}

function wantedColumns(layout: BarLayout): number[] {
  const wanted = [layout.time, layout.open, layout.high, layout.low, layout.close, layout.volume];
  if (layout.symbol !== undefined) wanted.push(layout.symbol);
  if (layout.adjClose !== undefined) wanted.push(layout.adjClose);
  return wanted;
}

/** An ArrayBuffer holding exactly the file's bytes (a Node Buffer may be a view into a shared pool). */
function exactArrayBuffer(input: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (input instanceof ArrayBuffer) return input;
  if (input.byteOffset === 0 && input.byteLength === input.buffer.byteLength && input.buffer instanceof ArrayBuffer) {
    return input.buffer;
  }
  // A copy: `Buffer#slice` would share the pool.
  return new Uint8Array(input).buffer as ArrayBuffer;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
