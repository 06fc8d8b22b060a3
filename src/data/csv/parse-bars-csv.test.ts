import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../core/errors.js';
import { Timeframe } from '../../core/timeframe.js';
import { barsCsvText, dailyBarTimes, sessionBarTimes, tradingDays } from '../market-calendar.test-support.js';
import { loadBarsCsv, loadBarsCsvBySymbol, parseBarsCsv, parseBarsCsvBySymbol } from './parse-bars-csv.js';

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

  it('loads BTCUSD.csv: 156 monthly bars with fractional volume, symbol and timeframe inferred', () => {
    const bars = loadBarsCsv(repoFile('src/data/fixtures/BTCUSD.csv'));
    expect([bars.symbol, bars.timeframe]).toEqual(['BTCUSD', '1Month']);
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

/** The UsageError that `run` throws; fails the test if it returns or throws anything else. */
function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError, but nothing was thrown');
}

describe('symbols: --symbol, else a symbol column, else the file name', () => {
  const DAYS = tradingDays('2024-03-04', '2024-03-15');
  /** Rows of several symbols, interleaved by time as long-format exports are. */
  const multi = (symbols: readonly string[], header = 'Symbol'): string => {
    const perSymbol = symbols.map((symbol, i) =>
      barsCsvText(dailyBarTimes(DAYS), { symbol, seed: i + 1 })
        .trim()
        .split('\n')
        .slice(1),
    );
    const rows = perSymbol[0]!.flatMap((_, row) => perSymbol.map((lines) => lines[row] as string));
    return `${header},time,open,high,low,close,volume\n${rows.join('\n')}\n`;
  };

  it('takes the symbol from a symbol column (any case) over the file name, upper-cased', () => {
    const bars = parseBarsCsv(multi(['msft'], 'SYMBOL'), 'data/prices.csv');
    expect([bars.symbol, bars.timeframe, bars.length]).toEqual(['MSFT', '1Day', DAYS.length]);
  });

  it('takes the symbol from the file name without a symbol column, upper-cased', () => {
    expect(parseBarsCsv(csv(GOOD_ROW), 'data/goog.csv', { timeframe: '1Day' }).symbol).toBe('GOOG');
    expect(parseBarsCsv(csv(GOOD_ROW), 'data/btc-usd.csv', { timeframe: '1Day' }).symbol).toBe('BTC-USD');
  });

  it('takes --symbol over the file name, upper-cased', () => {
    expect(parseBarsCsv(csv(GOOD_ROW), 'data/goog.csv', { symbol: 'googl', timeframe: '1Day' }).symbol).toBe('GOOGL');
  });

  it('splits a file of several symbols into one series per symbol, in symbol order', () => {
    const series = parseBarsCsvBySymbol(multi(['NVDA', 'aapl', 'MSFT']), 'data.csv');
    expect(series.map((bars) => [bars.symbol, bars.timeframe, bars.length])).toEqual([
      ['AAPL', '1Day', DAYS.length],
      ['MSFT', '1Day', DAYS.length],
      ['NVDA', '1Day', DAYS.length],
    ]);
    expect(Array.from(series[1]!.timeMs)).toEqual(dailyBarTimes(DAYS));
  });

  it('asks for --symbol, listing the symbols, when one series is wanted from several', () => {
    const error = usageErrorOf(() => parseBarsCsv(multi(['NVDA', 'AAPL', 'MSFT']), 'data.csv'));
    expect(error.message).toBe('data.csv holds 3 symbols (AAPL, MSFT, NVDA); pick one with --symbol');
    expect(error.exitCode).toBe(2);
  });

  it("reads only --symbol's rows, matched in any case", () => {
    const bars = parseBarsCsv(multi(['NVDA', 'AAPL', 'MSFT']), 'data.csv', { symbol: 'msft' });
    expect([bars.symbol, bars.length]).toEqual(['MSFT', DAYS.length]);
    expect(parseBarsCsvBySymbol(multi(['NVDA', 'AAPL']), 'data.csv', { symbol: 'AAPL' })).toHaveLength(1);
  });

  it('names the symbols when --symbol has no rows', () => {
    expect(usageErrorOf(() => parseBarsCsv(multi(['NVDA', 'AAPL']), 'data.csv', { symbol: 'TSLA' })).message).toBe(
      'data.csv has no rows for --symbol TSLA; it holds AAPL, NVDA',
    );
  });

  it("checks each symbol's times on their own: shared times are fine, going back within a symbol is not", () => {
    const text = [
      'symbol,time,open,high,low,close,volume',
      'AAA,2024-01-02,10,11,9,10,1',
      'BBB,2024-01-02,10,11,9,10,1',
      'AAA,2024-01-03,10,11,9,10,1',
      'BBB,2024-01-01,10,11,9,10,1',
      '',
    ].join('\n');
    expect(parseError(text).message).toBe(
      "bars.csv line 5, column time: BBB: out of order: 2024-01-01T00:00:00Z is before the previous bar's 2024-01-02T00:00:00Z; times must strictly increase",
    );
  });

  it('reports an empty symbol cell with its line', () => {
    const text = `symbol,${HEADER}\nAAA,${GOOD_ROW}\n ,2024-01-03,10,11,9,10,1\n`;
    expect(parseError(text).message).toBe('bars.csv line 3, column symbol: empty cell; expected a symbol');
  });

  it('refuses two symbol columns', () => {
    expect(parseError(`symbol,Symbol,${HEADER}\nA,A,${GOOD_ROW}\n`).message).toBe(
      'bars.csv line 1, column symbol: column appears 2 times in the header',
    );
  });
});

describe('timeframes: --timeframe, else a SYMBOL_TIMEFRAME file name, else the bar spacing', () => {
  const DAYS = tradingDays('2024-03-04', '2024-03-15');
  const hourly = barsCsvText(sessionBarTimes(DAYS, 60));
  const thirtyMinutes = barsCsvText(sessionBarTimes(DAYS, 30));

  it('infers 30Min from session bars', () => {
    expect(parseBarsCsv(thirtyMinutes, 'spy.csv').timeframe).toBe('30Min');
  });

  it('takes symbol and timeframe from a SYMBOL_TIMEFRAME name, in any spelling', () => {
    const bars = parseBarsCsv(hourly, 'models/GOOGL_1Hour.csv');
    expect([bars.symbol, bars.timeframe]).toEqual(['GOOGL', '1Hour']);
    expect(parseBarsCsv(hourly, 'btc-usd_1h.csv').timeframe).toBe('1Hour');
  });

  it('refuses a --timeframe the spacing contradicts, naming both', () => {
    const error = usageErrorOf(() => parseBarsCsv(hourly, 'GOOGL_1Hour.csv', { timeframe: '1Day' }));
    expect(error.message).toBe('--timeframe 1Day contradicts the bars of GOOGL_1Hour.csv, whose spacing is 1Hour');
  });

  it('refuses a file name whose timeframe the spacing contradicts; --timeframe settles it', () => {
    expect(dataErrorOf(() => parseBarsCsv(hourly, 'GOOGL_1Day.csv')).message).toBe(
      "GOOGL_1Day.csv: the file name says 1Day but the bars' spacing is 1Hour; rename the file or pass --timeframe 1Hour",
    );
    expect(parseBarsCsv(hourly, 'GOOGL_1Day.csv', { timeframe: '1Hour' }).timeframe).toBe('1Hour');
  });

  it('keeps a given timeframe when a few bars cannot settle the spacing', () => {
    expect(parseBarsCsv(csv(GOOD_ROW), 'x.csv', { timeframe: '30Min' }).timeframe).toBe('30Min');
    const threeHourly = csv(
      '2024-01-02T10:00,10,11,9,10,1',
      '2024-01-02T11:00,10,11,9,10,1',
      '2024-01-02T12:00,10,11,9,10,1',
    );
    expect(parseBarsCsv(threeHourly, 'x.csv', { timeframe: '1Day' }).timeframe).toBe('1Day');
  });

  it('asks for --timeframe when the spacing shows none', () => {
    expect(usageErrorOf(() => parseBarsCsv(csv(GOOD_ROW), 'x.csv')).message).toBe(
      'cannot tell the timeframe of x.csv from its bar spacing; pass --timeframe',
    );
  });
});

describe('loadBarsCsv without options', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'load-bars-csv-infer-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('infers symbol and timeframe as the CLI does', () => {
    const goog = loadBarsCsv(repoFile('data/bars/GOOG.csv'));
    expect([goog.symbol, goog.timeframe, goog.length]).toEqual(['GOOG', '1Day', 2148]);
    const path = join(dir, 'GOOGL_30Min.csv');
    writeFileSync(path, barsCsvText(sessionBarTimes(tradingDays('2024-03-04', '2024-03-08'), 30)));
    const googl = loadBarsCsv(path);
    expect([googl.symbol, googl.timeframe]).toEqual(['GOOGL', '30Min']);
  });

  it('names the file as shownAs in messages, and splits files of several symbols', () => {
    const path = join(dir, 'universe.csv');
    const times = dailyBarTimes(tradingDays('2024-03-04', '2024-03-08'));
    const rows = ['A', 'B'].flatMap((symbol) => barsCsvText(times, { symbol }).trim().split('\n').slice(1));
    writeFileSync(path, `symbol,time,open,high,low,close,volume\n${rows.join('\n')}\n`);
    expect(usageErrorOf(() => loadBarsCsv(path, { shownAs: 'universe.csv' })).message).toBe(
      'universe.csv holds 2 symbols (A, B); pick one with --symbol',
    );
    expect(loadBarsCsvBySymbol(path).map((bars) => `${bars.symbol} ${bars.timeframe} ${bars.length}`)).toEqual([
      'A 1Day 5',
      'B 1Day 5',
    ]);
  });
});

describe('Adj Close: scaled with adjusted, else named once as ignored', () => {
  const YAHOO = [
    'Date,Open,High,Low,Close,Adj Close,Volume',
    '2024-01-02,10,11,9,10,5,1000',
    '2024-01-03,10,12,10,11,5.5,2000',
    '',
  ].join('\n');

  it('scales open, high, low and close by Adj Close / Close', () => {
    const bars = parseBarsCsv(YAHOO, 'yahoo.csv', { ...OPTIONS, adjusted: true });
    expect(Array.from(bars.open)).toEqual([10 * (5 / 10), 10 * (5.5 / 11)]);
    expect(Array.from(bars.high)).toEqual([11 * (5 / 10), 12 * (5.5 / 11)]);
    expect(Array.from(bars.low)).toEqual([9 * (5 / 10), 10 * (5.5 / 11)]);
    expect(Array.from(bars.close)).toEqual([10 * (5 / 10), 11 * (5.5 / 11)]);
    expect(Array.from(bars.volume)).toEqual([1000, 2000]);
  });

  it('reads the unscaled prices without adjusted, and says once that the column is ignored', () => {
    const notices: string[] = [];
    const bars = parseBarsCsv(YAHOO, 'yahoo.csv', { ...OPTIONS, onNotice: (line) => notices.push(line) });
    expect(Array.from(bars.close)).toEqual([10, 11]);
    expect(notices).toEqual([
      'yahoo.csv: column "Adj Close" is ignored; pass --adjusted to scale open, high, low and close by Adj Close / Close',
    ]);
  });

  it.each(['adj_close', 'AdjClose', 'Adjusted Close', 'adj. close'])('knows the spelling %j', (name) => {
    const text = YAHOO.replace('Adj Close', name);
    expect(parseBarsCsv(text, 'yahoo.csv', { ...OPTIONS, adjusted: true }).close[0]).toBe(5);
  });

  it('needs the column with adjusted, and a close that is not 0', () => {
    expect(dataErrorOf(() => parseBarsCsv(csv(GOOD_ROW), 'bars.csv', { ...OPTIONS, adjusted: true })).message).toBe(
      'bars.csv line 1, column adj close: missing column: --adjusted needs an Adj Close column to scale prices by (header: time, open, high, low, close, volume)',
    );
    const zero = YAHOO.replace('2024-01-03,10,12,10,11,5.5', '2024-01-03,0,0,0,0,5.5');
    expect(dataErrorOf(() => parseBarsCsv(zero, 'yahoo.csv', { ...OPTIONS, adjusted: true })).message).toBe(
      'yahoo.csv line 3, column adj close: close is 0, so Adj Close / Close cannot scale the prices',
    );
  });
});

describe('timeZone: times without an offset read in an IANA zone', () => {
  /** 1-minute bars at the given New York wall times, as a file without offsets writes them. */
  const minuteBars = (times: readonly string[]): string =>
    csv(...times.map((time, i) => `${time},10,11,9,10,${i + 1}`));

  it('loads the hour repeated when clocks go back, in file order, without "out of order"', () => {
    // 2024-11-03: 01:00-01:59 EDT, then 01:00-01:59 EST again.
    const wall: string[] = [];
    for (const pass of [0, 1]) {
      for (let minute = 0; minute < 60; minute++) wall.push(`2024-11-03 01:${String(minute).padStart(2, '0')}`);
      if (pass === 1) wall.push('2024-11-03 02:00');
    }
    const text = minuteBars(['2024-11-03 00:59', ...wall]);
    expect(dataErrorOf(() => parseBarsCsv(text, 'spy.csv', { timeframe: '1Min' })).message).toMatch(
      /line 63, column time: out of order/,
    );
    const bars = parseBarsCsv(text, 'spy.csv', { timeframe: '1Min', timeZone: 'America/New_York' });
    expect(bars.length).toBe(122);
    // 00:59 EDT is 04:59Z; every bar is one minute after the one before, across the change.
    for (let i = 0; i < bars.length; i++) {
      expect(bars.timeMs[i]).toBe(Date.UTC(2024, 10, 3, 4, 59) + i * 60_000);
    }
  });

  it('loads the day clocks go forward, the skipped hour simply missing', () => {
    const text = minuteBars(['2024-03-10 01:58', '2024-03-10 01:59', '2024-03-10 03:00', '2024-03-10 03:01']);
    const bars = parseBarsCsv(text, 'spy.csv', { timeframe: '1Min', timeZone: 'America/New_York' });
    expect(Array.from(bars.timeMs)).toEqual([
      Date.UTC(2024, 2, 10, 6, 58),
      Date.UTC(2024, 2, 10, 6, 59),
      Date.UTC(2024, 2, 10, 7, 0),
      Date.UTC(2024, 2, 10, 7, 1),
    ]);
  });

  it('resolves the repeated hour for each symbol on its own', () => {
    const rows = ['symbol,time,open,high,low,close,volume'];
    for (const time of ['00:30', '01:30', '01:30', '02:30']) {
      for (const symbol of ['AAA', 'BBB']) rows.push(`${symbol},2024-11-03 ${time},10,11,9,10,1`);
    }
    const series = parseBarsCsvBySymbol(`${rows.join('\n')}\n`, 'pair.csv', {
      timeframe: '1Hour',
      timeZone: 'America/New_York',
    });
    for (const bars of series) {
      expect(Array.from(bars.timeMs)).toEqual([4, 5, 6, 7].map((hour) => Date.UTC(2024, 10, 3, hour, 30)));
    }
  });

  it('leaves times with an offset and unix times alone', () => {
    const text = csv('2024-01-02T09:30:00Z,10,11,9,10,1', '1704274200,10,11,9,10,1');
    const bars = parseBarsCsv(text, 'x.csv', { ...OPTIONS, timeZone: 'Asia/Tokyo' });
    expect(Array.from(bars.timeMs)).toEqual([Date.UTC(2024, 0, 2, 9, 30), 1_704_274_200_000]);
  });

  it('refuses an unknown zone with a usage error', () => {
    expect(
      usageErrorOf(() => parseBarsCsv(csv(GOOD_ROW), 'x.csv', { ...OPTIONS, timeZone: 'Mars/Base' })).message,
    ).toBe('--tz "Mars/Base" is not a time zone; use an IANA name such as America/New_York, Europe/London or UTC');
  });
});
