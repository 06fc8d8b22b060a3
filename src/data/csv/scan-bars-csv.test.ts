import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../core/bars.js';
import { DataError, UsageError } from '../../core/errors.js';
import { fingerprintBars } from '../fingerprint-bars.js';
import {
  loadBarsCsv,
  loadBarsCsvBySymbol,
  parseBarsCsv,
  parseBarsCsvBySymbol,
  parseBarsCsvWithCsvParse,
} from './parse-bars-csv.js';

const repoFile = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** What a read gave: the bars, value for value, or the error with every issue. */
function outcome(read: () => BarSeries[]): unknown {
  try {
    return read().map((bars) => ({
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      columns: [bars.timeMs, bars.open, bars.high, bars.low, bars.close, bars.volume].map((column) =>
        Array.from(column),
      ),
    }));
  } catch (error) {
    if (error instanceof DataError) return { error: 'data', message: error.message, issues: error.issues };
    if (error instanceof UsageError) return { error: 'usage', message: error.message };
    throw error;
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scan-bars-csv-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the byte scanner keeps every bar and fingerprint of the csv-parse reader', () => {
  // SHA-256 of the bundled files' bars as the csv-parse reader read them, before the scanner.
  it.each([
    ['data/bars/GOOG.csv', 2148, '8df8f3dbe48cb9f0a490cccc9fcf1091094648fc9039a8ff7e4c5faa302f846a'],
    ['data/bars/EURUSD.csv', 5000, '26e0e4f868d23bc2a445263c8eb72057dedc142a4f11be31173dc2a7c8fce721'],
    ['src/data/fixtures/BTCUSD.csv', 156, '36b4aacb4d0f03ace949d34aa439c17d074a634127b8f142023c1b2b8e1e200c'],
  ])('%s: %d bars, SHA-256 %s', (path, count, sha256) => {
    const file = repoFile(path);
    const text = readFileSync(file, 'utf8');
    for (const bars of [loadBarsCsv(file), parseBarsCsv(text, file), ...parseBarsCsvWithCsvParse(text, file)]) {
      expect(bars.length).toBe(count);
      expect(fingerprintBars(bars).sha256).toBe(sha256);
    }
  });

  it('reads a file in 1 MiB chunks, lines across chunk ends, as csv-parse reads it whole', () => {
    const start = Date.UTC(2020, 0, 1);
    const lines = ['Symbol,Time,Open,High,Low,Close,Volume,Note'];
    for (let i = 0; i < 60_000; i++) {
      const price = (100 + Math.sin(i / 50) * 10).toFixed(4);
      const time = new Date(start + Math.floor(i / 3) * 60_000).toISOString().slice(0, 19);
      lines.push(`${['AAA', 'BBB', 'CCC'][i % 3]},${time},${price},${price},${price},${price},${i % 997},n${i}`);
    }
    const text = `${lines.join('\r\n')}\r\n`;
    expect(text.length).toBeGreaterThan(3 << 20);
    const path = join(dir, 'universe.csv');
    writeFileSync(path, text);
    const expected = outcome(() => parseBarsCsvWithCsvParse(text, path));
    expect(outcome(() => loadBarsCsvBySymbol(path))).toEqual(expected);
    expect(outcome(() => parseBarsCsvBySymbol(text, path))).toEqual(expected);
  });

  it('reads a line longer than a chunk', () => {
    const path = join(dir, 'long.csv');
    const note = 'x'.repeat(1_500_000);
    writeFileSync(path, `time,open,high,low,close,volume,note\n2024-01-02,10,11,9,10.5,1000,${note}\n`);
    const bars = loadBarsCsv(path, { symbol: 'LONG', timeframe: '1Day' });
    expect([bars.length, bars.close[0]]).toEqual([1, 10.5]);
  });

  it('leaves quoted files and other line endings to csv-parse, with the same results', () => {
    const rows = ['time,open,high,low,close,volume', '2024-01-02,10,11,9,10.5,1000', '2024-01-03,10,11,9,10.5,1000'];
    for (const text of [
      `${rows[0]}\n"2024-01-02",10,11,9,"10.5",1000\n`,
      `${rows.join('\r')}\r`,
      `${rows[0]}\n${rows[1]}\r\n${rows[2]}\n`,
      `${rows[0]}\r\n${rows[1]}\n${rows[2]}\r\n`,
      `${rows[0]}\n${rows[1]}\n2024-01-03,10,11,9,"x,y",1000\n`,
    ]) {
      const options = { symbol: 'X', timeframe: '1Day' } as const;
      expect(outcome(() => parseBarsCsvBySymbol(text, 'x.csv', options))).toEqual(
        outcome(() => parseBarsCsvWithCsvParse(text, 'x.csv', options)),
      );
    }
  });

  it('says a header is bad at once, whatever follows it (200,000 rows)', () => {
    const path = join(dir, 'bad-header.csv');
    const row = '2024-01-02 09:30:00,10,11,9,10.5,1000\n';
    writeFileSync(path, `when,open,high,low,close,volume\n${row.repeat(200_000)}`);
    expect(() => loadBarsCsv(path)).toThrow(
      `${path} line 1, column time: missing column: expected a time column named date, time, timestamp or datetime, or an unnamed first column (header: when, open, high, low, close, volume)`,
    );
  });
});

/** A cell as files hold it: mostly good, sometimes not a number at all. */
const numberCell = (good: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(good) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'abc',
        'NaN',
        '1e999',
        '0x10',
        '-5',
        '1.5.5',
        ' 12 ',
        '+11',
        '1e1',
        '.5',
        '009',
      ),
    },
  );

/** A small daily bar file with the mistakes files have: bad cells, wrong field counts, blank lines, dates out of order. */
const barFile = fc
  .record({
    bom: fc.boolean(),
    crlf: fc.boolean(),
    finalNewline: fc.boolean(),
    header: fc.constantFrom(
      'time,open,high,low,close,volume',
      ',Open,High,Low,Close,Volume',
      'Symbol,Date,Open,High,Low,Close,Adj Close,Volume',
      'Date,Open,High,Low,Close',
      'time;open;high;low;close;volume',
    ),
    rows: fc.array(
      fc.record({
        day: fc.integer({ min: 1, max: 9 }),
        symbol: fc.constantFrom('a', 'B', 'b', ' '),
        open: numberCell('10'),
        high: numberCell('11.25'),
        low: numberCell('9.5'),
        close: numberCell('10.125'),
        volume: numberCell('1000'),
        time: fc.constantFrom('', '', '', '', ' 09:30', 'T09:30:00Z', 'x', '+01:00'),
        shape: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'ok', 'short', 'long', 'blank', 'spaces'),
      }),
      { maxLength: 8 },
    ),
  })
  .map(({ bom, crlf, finalNewline, header, rows }) => {
    const columns = header.split(/[,;]/).length;
    const lines: string[] = [header];
    for (const row of rows) {
      if (row.shape === 'blank' || row.shape === 'spaces') lines.push(row.shape === 'blank' ? '' : '   ');
      const time = `2024-01-0${row.day}${row.time}`;
      let cells =
        columns === 8
          ? [row.symbol, time, row.open, row.high, row.low, row.close, row.close, row.volume]
          : [time, row.open, row.high, row.low, row.close, row.volume].slice(0, columns);
      if (row.shape === 'short') cells = cells.slice(1);
      if (row.shape === 'long') cells = [...cells, '7'];
      lines.push(cells.join(','));
    }
    const text = lines.join(crlf ? '\r\n' : '\n') + (finalNewline ? (crlf ? '\r\n' : '\n') : '');
    return (bom ? '\uFEFF' : '') + text;
  });

describe('the byte scanner and csv-parse say the same about any file', () => {
  it('gives the same bars or the same problems at the same lines and columns', () => {
    fc.assert(
      fc.property(barFile, fc.boolean(), fc.constantFrom(undefined, 'America/New_York'), (text, adjusted, timeZone) => {
        const options = { timeframe: '1Day', adjusted, timeZone } as const;
        expect(outcome(() => parseBarsCsvBySymbol(text, 'x.csv', options))).toEqual(
          outcome(() => parseBarsCsvWithCsvParse(text, 'x.csv', options)),
        );
      }),
      { numRuns: 5_000 },
    );
  });
});
