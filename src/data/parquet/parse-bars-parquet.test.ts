import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SchemaElement } from 'hyparquet';
import { type ColumnSource, type ParquetWriteOptions, parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../core/errors.js';
import { parseBarsCsv } from '../csv/parse-bars-csv.js';
import { fingerprintBars } from '../fingerprint-bars.js';
import { barFileFormat, loadBarsFromFile } from '../load-bars-file.js';
import { loadBarsParquet, parseBarsParquet, parseBarsParquetBySymbol } from './parse-bars-parquet.js';

const DAY_MS = 86_400_000;
const JAN_2_MS = Date.UTC(2024, 0, 2);
const TIMES = [0, 1, 2, 3, 4].map((i) => JAN_2_MS + i * DAY_MS);
const OPEN = [10, 10.5, 11.25, 11, 12];
const HIGH = [11, 11.5, 12, 12.5, 13];
const LOW = [9, 10, 10.75, 10.5, 11.5];
const CLOSE = [10.5, 11.25, 11, 12, 12.75];
const VOLUME = [1000n, 2000n, 1500n, 3000n, 2500n];

/**
 * A zstd frame of raw (stored) blocks: valid zstd that any decoder reads, written without a
 * zstd compressor (none ships with Node 20), so files in polars' default codec can be made here.
 */
function zstdStored(input: Uint8Array): Uint8Array {
  const MAX_BLOCK = 128 * 1024;
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0xa0];
  // Single segment, 4-byte content size.
  parts.push(input.length & 0xff, (input.length >>> 8) & 0xff, (input.length >>> 16) & 0xff, input.length >>> 24);
  const header = Uint8Array.from(parts);
  const blocks: Uint8Array[] = [header];
  let at = 0;
  do {
    const size = Math.min(MAX_BLOCK, input.length - at);
    const last = at + size >= input.length ? 1 : 0;
    const word = (size << 3) | last;
    blocks.push(
      Uint8Array.from([word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff]),
      input.subarray(at, at + size),
    );
    at += size;
  } while (at < input.length);
  return Buffer.concat(blocks);
}

const COMPRESSORS = { ZSTD: zstdStored, GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) };

type Codec = 'SNAPPY' | 'ZSTD' | 'GZIP' | 'UNCOMPRESSED';

/** A column for a test file: its schema element and its values. */
interface TestColumn {
  readonly element: SchemaElement;
  readonly data: ColumnSource['data'];
}

const double = (name: string, data: readonly (number | null)[]): TestColumn => ({
  element: { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  data: [...data],
});
const int64 = (name: string, data: readonly bigint[]): TestColumn => ({
  element: { name, type: 'INT64', repetition_type: 'OPTIONAL' },
  data: [...data],
});
const text = (name: string, data: readonly (string | null)[]): TestColumn => ({
  element: { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  data: [...data],
});

/** A timestamp column in `unit`, UTC-adjusted or not, with the legacy converted type pyarrow adds for millis and micros. */
function timestamp(
  name: string,
  timesMs: readonly number[],
  unit: 'MILLIS' | 'MICROS' | 'NANOS',
  isAdjustedToUTC: boolean,
): TestColumn {
  const scale = unit === 'MILLIS' ? 1n : unit === 'MICROS' ? 1000n : 1_000_000n;
  const element: SchemaElement = {
    name,
    type: 'INT64',
    repetition_type: 'OPTIONAL',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC, unit },
  };
  if (isAdjustedToUTC && unit !== 'NANOS') element.converted_type = `TIMESTAMP_${unit}`;
  return { element, data: timesMs.map((ms) => BigInt(ms) * scale) };
}

/** The bytes of a Parquet file of `columns`, as pandas (with pandas metadata naming its index) or polars write it. */
function parquetFile(
  columns: readonly TestColumn[],
  options: { codec?: Codec; pandasIndex?: string; rowGroupSize?: number } = {},
): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: columns.map((column) => ({ name: column.element.name, data: column.data })),
    // hyparquet-writer brings its own copy of hyparquet's types.
    schema: [
      { name: 'schema', num_children: columns.length },
      ...columns.map((column) => column.element),
    ] as NonNullable<ParquetWriteOptions['schema']>,
    codec: options.codec ?? 'SNAPPY',
    compressors: COMPRESSORS,
    ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize }),
    ...(options.pandasIndex === undefined
      ? {}
      : {
          kvMetadata: [{ key: 'pandas', value: JSON.stringify({ index_columns: [options.pandasIndex], columns: [] }) }],
        }),
  });
  return new Uint8Array(buffer);
}

/** The five test bars with a time column, in `OHLCV` columns named in `names`' case. */
function barsFile(time: TestColumn, options: Parameters<typeof parquetFile>[1] = {}, upper = false): Uint8Array {
  const name = (field: string) => (upper ? field.toUpperCase() : field[0]!.toUpperCase() + field.slice(1));
  return parquetFile(
    [
      double(name('open'), OPEN),
      double(name('high'), HIGH),
      double(name('low'), LOW),
      double(name('close'), CLOSE),
      int64(name('volume'), VOLUME),
      time,
    ],
    options,
  );
}

function expectTestBars(bars: Awaited<ReturnType<typeof parseBarsParquet>>, times: readonly number[] = TIMES): void {
  expect(Array.from(bars.timeMs)).toEqual(times);
  expect(Array.from(bars.open)).toEqual(OPEN);
  expect(Array.from(bars.high)).toEqual(HIGH);
  expect(Array.from(bars.low)).toEqual(LOW);
  expect(Array.from(bars.close)).toEqual(CLOSE);
  expect(Array.from(bars.volume)).toEqual(VOLUME.map(Number));
}

async function dataErrorOf(read: () => Promise<unknown>): Promise<DataError> {
  try {
    await read();
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError, but nothing was thrown');
}

const OPTIONS = { symbol: 'TEST', timeframe: '1Day' } as const;

describe('parseBarsParquet reads files as pandas and polars write them', () => {
  it.each([
    ['SNAPPY', 'NANOS'],
    ['SNAPPY', 'MICROS'],
    ['ZSTD', 'MICROS'],
    ['ZSTD', 'NANOS'],
    ['GZIP', 'MILLIS'],
    ['UNCOMPRESSED', 'MILLIS'],
  ] as const)('%s, an unnamed pandas index of %s timestamps', async (codec, unit) => {
    const file = barsFile(timestamp('__index_level_0__', TIMES, unit, false), {
      codec,
      pandasIndex: '__index_level_0__',
    });
    expectTestBars(await parseBarsParquet(file, 'test.parquet', OPTIONS));
  });

  it('a named pandas index such as Date, in UTC-adjusted milliseconds', async () => {
    const file = barsFile(timestamp('Date', TIMES, 'MILLIS', true), { pandasIndex: 'Date' });
    expectTestBars(await parseBarsParquet(file, 'test.parquet', OPTIONS));
  });

  it("a pandas index named as no time column is, found through pandas' metadata", async () => {
    const file = barsFile(timestamp('Gmt time', TIMES, 'NANOS', false), { pandasIndex: 'Gmt time' });
    expectTestBars(await parseBarsParquet(file, 'test.parquet', OPTIONS));
  });

  it('polars: lower-case names, a timestamp column of any name, zstd, several row groups', async () => {
    const file = parquetFile(
      [
        timestamp('ts', TIMES, 'MICROS', false),
        double('open', OPEN),
        double('high', HIGH),
        double('low', LOW),
        double('close', CLOSE),
        int64('volume', VOLUME),
      ],
      { codec: 'ZSTD', rowGroupSize: 2 },
    );
    expectTestBars(await parseBarsParquet(file, 'test.parquet', OPTIONS));
  });

  it('upper-case names, and times written as ISO text or unix epoch seconds', async () => {
    const iso = text(
      'TIME',
      TIMES.map((ms) => new Date(ms).toISOString().slice(0, 10)),
    );
    expectTestBars(await parseBarsParquet(barsFile(iso, {}, true), 'test.parquet', OPTIONS));
    const epoch = int64(
      'timestamp',
      TIMES.map((ms) => BigInt(ms / 1000)),
    );
    expectTestBars(await parseBarsParquet(barsFile(epoch), 'test.parquet', OPTIONS));
  });

  it('infers symbol and timeframe as for CSV, and gives the bars of the same CSV to the bit', async () => {
    const file = barsFile(timestamp('Date', TIMES, 'NANOS', false), { pandasIndex: 'Date' });
    const bars = await parseBarsParquet(file, 'data/acme_1d.parquet');
    expect([bars.symbol, bars.timeframe]).toEqual(['ACME', '1Day']);
    const rows = TIMES.map(
      (ms, i) => `${new Date(ms).toISOString().slice(0, 10)},${OPEN[i]},${HIGH[i]},${LOW[i]},${CLOSE[i]},${VOLUME[i]}`,
    );
    const csv = parseBarsCsv(`Date,Open,High,Low,Close,Volume\n${rows.join('\n')}\n`, 'data/acme_1d.csv');
    expect(fingerprintBars(bars)).toEqual(fingerprintBars(csv));
  });

  it('splits a symbol column into one series per symbol, in symbol order', async () => {
    const times = TIMES.flatMap((ms) => [ms, ms]);
    const twice = <T>(values: readonly T[]) => values.flatMap((value) => [value, value]);
    const file = parquetFile(
      [
        text(
          'Symbol',
          times.map((_, i) => (i % 2 === 0 ? 'msft' : 'AAPL')),
        ),
        timestamp('Datetime', times, 'MICROS', true),
        double('Open', twice(OPEN)),
        double('High', twice(HIGH)),
        double('Low', twice(LOW)),
        double('Close', twice(CLOSE)),
        int64('Volume', twice(VOLUME)),
      ],
      { rowGroupSize: 3 },
    );
    const series = await parseBarsParquetBySymbol(file, 'universe.parquet');
    expect(series.map((bars) => `${bars.symbol} ${bars.timeframe} ${bars.length}`)).toEqual([
      'AAPL 1Day 5',
      'MSFT 1Day 5',
    ]);
    expectTestBars(series[1]!);
    await expect(parseBarsParquet(file, 'universe.parquet')).rejects.toThrow(UsageError);
  });

  it('reads wall-clock timestamps in timeZone, and leaves UTC-adjusted ones alone', async () => {
    const wall = barsFile(timestamp('Date', TIMES, 'NANOS', false));
    const zoned = await parseBarsParquet(wall, 'test.parquet', { ...OPTIONS, timeZone: 'America/New_York' });
    expect(Array.from(zoned.timeMs)).toEqual(TIMES.map((ms) => ms + 5 * 3_600_000));
    const instant = barsFile(timestamp('Date', TIMES, 'NANOS', true));
    const kept = await parseBarsParquet(instant, 'test.parquet', { ...OPTIONS, timeZone: 'America/New_York' });
    expect(Array.from(kept.timeMs)).toEqual(TIMES);
  });

  it('scales by Adj Close with adjusted, and otherwise says once that it is ignored', async () => {
    const adjusted = CLOSE.map((close) => close / 2);
    const file = parquetFile([
      timestamp('Date', TIMES, 'NANOS', false),
      double('Open', OPEN),
      double('High', HIGH),
      double('Low', LOW),
      double('Close', CLOSE),
      double('Adj Close', adjusted),
      int64('Volume', VOLUME),
    ]);
    const scaled = await parseBarsParquet(file, 'yahoo.parquet', { ...OPTIONS, adjusted: true });
    expect(Array.from(scaled.close)).toEqual(CLOSE.map((close, i) => close * (adjusted[i]! / close)));
    expect(Array.from(scaled.open)).toEqual(OPEN.map((open, i) => open * (adjusted[i]! / CLOSE[i]!)));
    const notices: string[] = [];
    const plain = await parseBarsParquet(file, 'yahoo.parquet', { ...OPTIONS, onNotice: (line) => notices.push(line) });
    expectTestBars(plain);
    expect(notices).toEqual([
      'yahoo.parquet: column "Adj Close" is ignored; pass --adjusted to scale open, high, low and close by Adj Close / Close',
    ]);
  });
});

describe('parseBarsParquet rejects bad files in one line naming the file and column', () => {
  const time = () => timestamp('Date', TIMES, 'NANOS', false);

  it('a file that is not Parquet', async () => {
    const error = await dataErrorOf(() => parseBarsParquet(Buffer.from('time,open\n1,2\n'), 'x.parquet', OPTIONS));
    expect(error.message).toBe('x.parquet: not a Parquet file (it does not begin and end with "PAR1")');
    const broken = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]);
    expect((await dataErrorOf(() => parseBarsParquet(broken, 'x.parquet', OPTIONS))).message).toMatch(
      /^x\.parquet: not a readable Parquet file \(.+\)$/,
    );
  });

  it('a missing column', async () => {
    const file = parquetFile([
      time(),
      double('Open', OPEN),
      double('High', HIGH),
      double('Low', LOW),
      double('Close', CLOSE),
    ]);
    const error = await dataErrorOf(() => parseBarsParquet(file, 'x.parquet', OPTIONS));
    expect(error.message).toBe(
      'x.parquet column volume: missing column: expected a column named volume (header: Date, Open, High, Low, Close)',
    );
  });

  it('no time column', async () => {
    const file = barsFile(double('When', [1, 2, 3, 4, 5]));
    expect((await dataErrorOf(() => parseBarsParquet(file, 'x.parquet', OPTIONS))).message).toMatch(
      /^x\.parquet column time: missing column: expected a time column named date, time, timestamp or datetime, a pandas index/,
    );
  });

  it.each([
    [[10.5, 11.25, Number.NaN, 12, 12.75], 'x.parquet column close: row 3: NaN is not a number'],
    [[10.5, null, 11, 12, 12.75], 'x.parquet column close: row 2: empty value (null); expected a number'],
    [
      [10.5, 11.25, 11, Number.POSITIVE_INFINITY, 12.75],
      'x.parquet column close: row 4: Infinity is not a finite number',
    ],
    [[10.5, 11.25, 11, 12, 14], 'x.parquet column close: row 5: close 14 is above high 13'],
  ])('bad prices %j', async (close, message) => {
    const file = parquetFile([
      time(),
      double('Open', OPEN),
      double('High', HIGH),
      double('Low', LOW),
      double('Close', close),
      int64('Volume', VOLUME),
    ]);
    const error = await dataErrorOf(() => parseBarsParquet(file, 'x.parquet', OPTIONS));
    expect(error.message).toBe(message);
  });

  it('times out of order, by row', async () => {
    const file = barsFile(timestamp('Date', [TIMES[0]!, TIMES[2]!, TIMES[1]!, TIMES[3]!, TIMES[4]!], 'MILLIS', true));
    expect((await dataErrorOf(() => parseBarsParquet(file, 'x.parquet', OPTIONS))).message).toBe(
      "x.parquet column time: row 3: out of order: 2024-01-03T00:00:00Z is before the previous bar's 2024-01-04T00:00:00Z; times must strictly increase",
    );
  });
});

describe('loading Parquet files by path', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parse-bars-parquet-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks the reader by extension, or by the PAR1 a file begins with', async () => {
    const bytes = barsFile(timestamp('Date', TIMES, 'NANOS', false), { pandasIndex: 'Date' });
    const named = join(dir, 'ACME_1Day.parquet');
    const unnamed = join(dir, 'ACME.bin');
    writeFileSync(named, bytes);
    writeFileSync(unnamed, bytes);
    expect([barFileFormat(named), barFileFormat(unnamed), barFileFormat(join(dir, 'x.csv'))]).toEqual([
      'parquet',
      'parquet',
      'csv',
    ]);
    for (const path of [named, unnamed]) {
      const bars = await loadBarsFromFile(path, { timeframe: '1Day' });
      expect(bars.symbol).toBe('ACME');
      expectTestBars(bars);
    }
  });

  it('names the file as shownAs, and says when it is missing', async () => {
    const path = join(dir, 'gone.parquet');
    expect((await dataErrorOf(() => loadBarsParquet(path, { shownAs: 'gone.parquet' }))).message).toBe(
      'gone.parquet: file not found',
    );
    expect((await dataErrorOf(() => loadBarsFromFile(dir))).message).toBe(`${dir}: is a directory, not a CSV file`);
  });
});
