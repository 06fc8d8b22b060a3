import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../core/errors.js';
import { Timeframe } from '../../core/timeframe.js';
import { loadBarsCsv, parseBarsCsv } from './parse-bars-csv.js';

const OPTIONS = { symbol: 'TEST', timeframe: Timeframe.OneDay };
const HEADER = 'time,open,high,low,close,volume';
const GOOD_ROW = '2024-01-02,10,11,9,10.5,1000';
const JAN_2_MS = Date.UTC(2024, 0, 2);
const DAY_MS = 86_400_000;

const repoFile = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** A CSV with the standard header and the given data rows, `\n` endings and a final newline. */
function csv(...rows: string[]): string {
  return `${[HEADER, ...rows].join('\n')}\n`;
}

/** The DataError that `run` throws; fails the test if it returns or throws anything else. */
function dataErrorOf(run: () => unknown): DataError {
  try {
    run();
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError, but nothing was thrown');
}

const parseError = (text: string): DataError => dataErrorOf(() => parseBarsCsv(text, 'bars.csv', OPTIONS));

describe('parseBarsCsv on the real files', () => {
  it('loads GOOG.csv: 2148 daily bars from 2004-08-19', () => {
    const bars = loadBarsCsv(repoFile('data/bars/GOOG.csv'), { symbol: 'GOOG', timeframe: Timeframe.OneDay });
    expect(bars.symbol).toBe('GOOG');
    expect(bars.timeframe).toBe('1Day');
    expect(bars.length).toBe(2148);
    expect(bars.open[0]).toBe(100.0);
    expect(bars.close[bars.length - 1]).toBe(806.19);
    expect(new Date(bars.timeMs[0] as number).toISOString()).toBe('2004-08-19T00:00:00.000Z');
    expect(new Date(bars.timeMs[bars.length - 1] as number).toISOString()).toBe('2013-03-01T00:00:00.000Z');
    // First row: 2004-08-19,100,104.06,95.96,100.34,22351900
    expect([bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([104.06, 95.96, 100.34, 22_351_900]);
    for (const column of [bars.timeMs, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
      expect(column.length).toBe(2148);
    }
  });

  it('loads EURUSD.csv: 5000 hourly bars, times without a zone read as UTC', () => {
    const bars = loadBarsCsv(repoFile('data/bars/EURUSD.csv'), { symbol: 'EURUSD', timeframe: Timeframe.OneHour });
    expect(bars.length).toBe(5000);
    expect(new Date(bars.timeMs[0] as number).toISOString()).toBe('2017-04-19T09:00:00.000Z');
    expect(new Date(bars.timeMs[4999] as number).toISOString()).toBe('2018-02-07T15:00:00.000Z');
    expect(bars.open[0]).toBe(1.0716);
    expect(bars.close[4999]).toBe(1.22904);
  });

  it('loads BTCUSD.csv: 156 monthly bars with fractional volume', () => {
    // core has no monthly timeframe; the loader does not check spacing against the timeframe.
    const bars = loadBarsCsv(repoFile('src/data/fixtures/BTCUSD.csv'), {
      symbol: 'BTCUSD',
      timeframe: Timeframe.OneWeek,
    });
    expect(bars.length).toBe(156);
    expect(new Date(bars.timeMs[0] as number).toISOString()).toBe('2012-01-31T00:00:00.000Z');
    expect(new Date(bars.timeMs[155] as number).toISOString()).toBe('2024-12-31T00:00:00.000Z');
    expect(bars.open[0]).toBe(4.58);
    expect(bars.volume[0]).toBe(2012.25343589);
    expect(bars.close[155]).toBe(93_381);
  });
});

describe('parseBarsCsv reads files as they come', () => {
  it('matches header names case-insensitively, in any order, ignoring other columns', () => {
    const text = ' Volume ,CLOSE,Adj Close,Low,High,Open,DateTime\n1000,10.5,10.4,9,11,10,2024-01-02\n';
    const bars = parseBarsCsv(text, 'bars.csv', OPTIONS);
    expect(bars.length).toBe(1);
    expect([bars.timeMs[0], bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]).toEqual([
      JAN_2_MS,
      10,
      11,
      9,
      10.5,
      1000,
    ]);
  });

  it.each(['date', 'Time', 'TIMESTAMP', 'datetime'])('accepts %j as the time column', (name) => {
    const bars = parseBarsCsv(`${name},open,high,low,close,volume\n${GOOD_ROW}\n`, 'bars.csv', OPTIONS);
    expect(bars.timeMs[0]).toBe(JAN_2_MS);
  });

  it('reads the unnamed first column that pandas writes as the time', () => {
    const bars = parseBarsCsv(',Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,1000\n', 'bars.csv', OPTIONS);
    expect(bars.timeMs[0]).toBe(JAN_2_MS);
  });

  it('prefers a named time column over an unnamed row-number column (df.reset_index().to_csv())', () => {
    const text = ',Date,Open,High,Low,Close,Volume\n0,2024-01-02,10,11,9,10.5,1000\n1,2024-01-03,10.5,12,10,11,2000\n';
    const bars = parseBarsCsv(text, 'bars.csv', OPTIONS);
    expect(Array.from(bars.timeMs)).toEqual([JAN_2_MS, JAN_2_MS + DAY_MS]);
  });

  it('handles a UTF-8 BOM, CRLF endings, blank lines and white-space-only trailing lines', () => {
    const text = `\uFEFF${HEADER}\r\n${GOOD_ROW}\r\n\r\n2024-01-03,10.5,12,10,11,2000\r\n\r\n   \r\n\r\n`;
    const bars = parseBarsCsv(text, 'bars.csv', OPTIONS);
    expect(bars.length).toBe(2);
    expect(bars.close[1]).toBe(11);
  });

  it('reads a file whose line endings change from LF to CRLF', () => {
    const bars = parseBarsCsv(`${HEADER}\n${GOOD_ROW}\r\n2024-01-03,10.5,12,10,11,2000\r\n\r\n`, 'bars.csv', OPTIONS);
    expect(Array.from(bars.volume)).toEqual([1000, 2000]);
  });

  it('reads quoted cells and unix epoch seconds or milliseconds', () => {
    // 1704153600 s = 2024-01-02T00:00:00Z; the next row is one day later in milliseconds.
    const text = csv('1704153600,"10","11","9","10.5","1000"', '1704240000000,10.5,12,10,11,2000');
    const bars = parseBarsCsv(text, 'bars.csv', OPTIONS);
    expect(Array.from(bars.timeMs)).toEqual([JAN_2_MS, JAN_2_MS + DAY_MS]);
    expect(bars.open[0]).toBe(10);
  });

  it('accepts exponents, zero prices and zero volume', () => {
    const bars = parseBarsCsv(csv('2024-01-02,0,1e1,0,5E0,0'), 'bars.csv', OPTIONS);
    expect([bars.open[0], bars.high[0], bars.close[0], bars.volume[0]]).toEqual([0, 10, 5, 0]);
  });
});

describe('parseBarsCsv rejects bad data with file, line and column', () => {
  it.each([
    ['', 'bars.csv: file is empty'],
    ['\uFEFF', 'bars.csv: file is empty'],
    ['\n\r\n\n', 'bars.csv: file is empty'],
    [`${HEADER}\n`, 'bars.csv line 1: no data rows after the header line'],
    [`\r\n\r\n${HEADER}\r\n\r\n`, 'bars.csv line 3: no data rows after the header line'],
    [`${HEADER}\n  \n\r\n`, 'bars.csv line 1: no data rows after the header line'],
  ])('%j -> %s', (text, message) => {
    const error = parseError(text);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(3);
    expect(error.code).toBe('data');
  });

  it('names a missing volume column and what the header has', () => {
    const error = parseError(',Open,High,Low,Close\n2024-01-02,10,11,9,10.5\n');
    expect(error.message).toBe(
      'bars.csv line 1, column volume: missing column: expected a column named volume (header: (unnamed), Open, High, Low, Close)',
    );
    expect(error.issues).toHaveLength(1);
  });

  it('names a missing time column', () => {
    const error = parseError('Day,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,1000\n');
    expect(error.message).toBe(
      'bars.csv line 1, column time: missing column: expected a time column named date, time, timestamp or datetime, or an unnamed first column (header: Day, Open, High, Low, Close, Volume)',
    );
  });

  it('lists every missing column as an issue', () => {
    const error = parseError('time,open,close\n2024-01-02,10,10.5\n');
    expect(error.issues.map((issue) => issue.field)).toEqual(['high', 'low', 'volume']);
    expect(error.message).toMatch(/^bars\.csv line 1, column high: missing column.* \(and 2 more problems\)$/);
  });

  it('says when the first line is data rather than a header', () => {
    const error = parseError(`${GOOD_ROW}\n2024-01-03,10.5,12,10,11,2000\n`);
    expect(error.message).toBe(
      'bars.csv line 1: the first line looks like data, not a header; add a header line such as time,open,high,low,close,volume',
    );
  });

  it('says when the file is not comma-separated', () => {
    const error = parseError('time;open;high;low;close;volume\n2024-01-02;10;11;9;10.5;1000\n');
    expect(error.message).toBe(
      'bars.csv line 1: the header has a single column; fields must be separated by commas (";", tab and "|" are not read)',
    );
  });

  it('refuses two time columns and repeated columns', () => {
    expect(parseError(`date,time,open,high,low,close,volume\n2024-01-02,00:00,10,11,9,10.5,1000\n`).message).toBe(
      'bars.csv line 1, column time: more than one time column ("date" and "time"); keep one column holding the full date and time',
    );
    expect(parseError(`time,open,high,low,close,Close,volume\n2024-01-02,10,11,9,10.5,10.5,1000\n`).message).toBe(
      'bars.csv line 1, column close: column appears 2 times in the header',
    );
  });

  it.each([
    // [row 2 as written, expected message]
    ['2024-01-02,10,11,9,abc,1000', 'bars.csv line 3, column close: "abc" is not a number'],
    ['2024-01-02,10,11,9,NaN,1000', 'bars.csv line 3, column close: "NaN" is not a number'],
    ['2024-01-02,10,Infinity,9,10,1000', 'bars.csv line 3, column high: "Infinity" is not a finite number'],
    ['2024-01-02,10,11,-Infinity,10,1000', 'bars.csv line 3, column low: "-Infinity" is not a finite number'],
    ['2024-01-02,10,11,9,10,', 'bars.csv line 3, column volume: empty cell; expected a number'],
    ['2024-01-02,  ,11,9,10,1000', 'bars.csv line 3, column open: empty cell; expected a number'],
    ['2024-01-02,10,11,9,10,0x10', 'bars.csv line 3, column volume: "0x10" is not a number'],
    ['2024-01-02,10,11,9,10,1e999', 'bars.csv line 3, column volume: "1e999" is not a finite number'],
    ['2024-01-02,10,11,9,"1,5",1000', 'bars.csv line 3, column close: "1,5" is not a number'],
    [
      `2024-01-02,10,11,9,${'9'.repeat(50)}x,1000`,
      `bars.csv line 3, column close: "${'9'.repeat(37)}..." is not a number`,
    ],
    ['2024-01-02,10,11,9,10\u0007,1000', 'bars.csv line 3, column close: "10\\u0007" is not a number'],
    ['2024-01-02,1,2,-1,1.5,1000', 'bars.csv line 3, column low: negative price -1'],
    ['2024-01-02,10,11,9,10,-5', 'bars.csv line 3, column volume: negative volume -5'],
    ['2024-01-02,10,9,11,10,1000', 'bars.csv line 3, column high: high 9 is below low 11'],
    ['2024-01-02,12,11,9,10,1000', 'bars.csv line 3, column open: open 12 is above high 11'],
    ['2024-01-02,8,11,9,10,1000', 'bars.csv line 3, column open: open 8 is below low 9'],
    ['2024-01-02,10,11,9,11.5,1000', 'bars.csv line 3, column close: close 11.5 is above high 11'],
    ['2024-01-02,10,11,9,8.99,1000', 'bars.csv line 3, column close: close 8.99 is below low 9'],
    [
      '2024-13-02,10,11,9,10,1000',
      'bars.csv line 3, column time: unparseable date "2024-13-02": month 13 is out of range 1-12',
    ],
    [
      '02/01/2024,10,11,9,10,1000',
      expect.stringMatching(/^bars\.csv line 3, column time: unparseable date "02\/01\/2024": expected ISO 8601/),
    ],
    [',10,11,9,10,1000', 'bars.csv line 3, column time: empty cell; expected a date or unix time'],
    [
      '2024-01-01,10,11,9,10,1000',
      'bars.csv line 3, column time: duplicate timestamp 2024-01-01T00:00:00Z: the previous bar has the same time',
    ],
    [
      '2023-12-31,10,11,9,10,1000',
      "bars.csv line 3, column time: out of order: 2023-12-31T00:00:00Z is before the previous bar's 2024-01-01T00:00:00Z; times must strictly increase",
    ],
    ['2024-01-02,10,11,9,10', 'bars.csv line 3: expected 6 fields as in the header, found 5'],
    ['2024-01-02,10,11,9,10,1000,7', 'bars.csv line 3: expected 6 fields as in the header, found 7'],
  ])('%s', (row, message) => {
    const text = csv('2024-01-01,10,11,9,10,1000', row, '2024-01-03,10,11,9,10,1000');
    const error = parseError(text);
    expect(error.message).toEqual(message);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.line).toBe(3);
  });

  it('counts lines across a BOM, CRLF and blank lines', () => {
    // Line 1 header, 2 blank, 3 good, 4 blank, 5 bad.
    const text = `\uFEFF${HEADER}\r\n\r\n2024-01-01,10,11,9,10,1000\r\n\r\n2024-01-02,10,11,9,oops,1000\r\n`;
    expect(parseError(text).message).toBe('bars.csv line 5, column close: "oops" is not a number');
  });

  it('reports a malformed quote at its line', () => {
    const error = parseError(csv('2024-01-01,10,11,9,10,1000', '2024-01-02,"10,11,9,10,1000'));
    expect(error.message).toMatch(/^bars\.csv line 3: malformed CSV: Quote Not Closed/);
  });

  it('compares the times around a row it could not read, without a second report', () => {
    // Line 3 has a bad number; lines 2 and 4 are compared directly and are in order.
    const error = parseError(
      csv('2024-01-01,10,11,9,10,1000', '2024-01-02,10,11,9,x,1000', '2024-01-03,10,11,9,10,1000'),
    );
    expect(error.issues).toEqual([{ source: 'bars.csv', line: 3, field: 'close', reason: '"x" is not a number' }]);
  });

  it('reports problems in file order whichever check found them', () => {
    // Line 2 fails a bar check (found after all cells are read); line 3 fails a cell check.
    const error = parseError(csv('2024-01-01,10,9,11,10,1000', '2024-01-02,10,11,9,x,1000'));
    expect(error.issues.map((issue) => [issue.line, issue.field])).toEqual([
      [2, 'high'],
      [3, 'close'],
    ]);
    expect(error.message).toBe('bars.csv line 2, column high: high 9 is below low 11 (and 1 more problem)');
  });

  it('keeps the first 20 problems and says how many it kept', () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `2024-02-${String(i < 29 ? i + 1 : 29).padStart(2, '0')},10,11,9,bad,1000`,
    );
    const error = parseError(csv(...rows));
    expect(error.issues).toHaveLength(20);
    expect(error.issues[19]?.line).toBe(21);
    expect(error.message).toBe('bars.csv line 2, column close: "bad" is not a number (and 19 more problems)');
  });

  it('returns nothing and names the problem even when a single cell of thousands is bad', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const day = new Date(JAN_2_MS + i * DAY_MS).toISOString().slice(0, 10);
      return i === 2500 ? `${day},10,11,9,10,-1` : `${day},10,11,9,10,1000`;
    });
    // Row index 2500 is on line 2502 (header is line 1).
    expect(parseError(csv(...rows)).message).toBe('bars.csv line 2502, column volume: negative volume -1');
  });
});

describe('loadBarsCsv', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'load-bars-csv-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a file written with a BOM and CRLF', () => {
    const path = join(dir, 'acme.csv');
    writeFileSync(path, `\uFEFF${HEADER}\r\n${GOOD_ROW}\r\n`);
    const bars = loadBarsCsv(path, { symbol: 'ACME', timeframe: Timeframe.OneDay });
    expect(bars.symbol).toBe('ACME');
    expect(bars.close[0]).toBe(10.5);
  });

  it('names the file in data errors', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, csv('2024-01-02,10,11,9,ten,1000'));
    expect(dataErrorOf(() => loadBarsCsv(path, OPTIONS)).message).toBe(
      `${path} line 2, column close: "ten" is not a number`,
    );
  });

  it('gives a one-line DataError for a missing file', () => {
    const path = join(dir, 'nope.csv');
    const error = dataErrorOf(() => loadBarsCsv(path, OPTIONS));
    expect(error.message).toBe(`${path}: file not found`);
    expect(error.exitCode).toBe(3);
  });

  it('gives a one-line DataError for a directory', () => {
    const path = join(dir, 'folder.csv');
    mkdirSync(path);
    expect(dataErrorOf(() => loadBarsCsv(path, OPTIONS)).message).toBe(`${path}: is a directory, not a CSV file`);
  });
});
