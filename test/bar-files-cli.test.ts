/**
 * Bar files as people have them, through the CLI: Parquet files, Yahoo's Adj Close with and
 * without --adjusted, and --tz, on run, sweep and data import.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'backtest-bar-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2024, 0, 1);
const COUNT = 60;
const times = Array.from({ length: COUNT }, (_, i) => START_MS + i * DAY_MS);
const close = times.map((_, i) => 100 + 10 * Math.sin(i / 5));

/** Daily bars with Yahoo's columns, Adj Close half of Close. */
function yahooCsv(): string {
  const rows = times.map((ms, i) => {
    const c = close[i] as number;
    return `${new Date(ms).toISOString().slice(0, 10)},${c},${c + 1},${c - 1},${c},${c / 2},${1000 + i}`;
  });
  return `Date,Open,High,Low,Close,Adj Close,Volume\n${rows.join('\n')}\n`;
}

/** The same bars as pandas writes them to Parquet: a named Date index of nanosecond timestamps, snappy. */
function pandasParquet(): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'Open', data: close },
      { name: 'High', data: close.map((c) => c + 1) },
      { name: 'Low', data: close.map((c) => c - 1) },
      { name: 'Close', data: close },
      { name: 'Adj Close', data: close.map((c) => c / 2) },
      { name: 'Volume', data: times.map((_, i) => BigInt(1000 + i)) },
      { name: 'Date', data: times.map((ms) => BigInt(ms) * 1_000_000n) },
    ],
    schema: [
      { name: 'schema', num_children: 7 },
      ...['Open', 'High', 'Low', 'Close', 'Adj Close'].map((name) => ({
        name,
        type: 'DOUBLE' as const,
        repetition_type: 'OPTIONAL' as const,
      })),
      { name: 'Volume', type: 'INT64', repetition_type: 'OPTIONAL' },
      {
        name: 'Date',
        type: 'INT64',
        repetition_type: 'OPTIONAL',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' },
      },
    ],
    kvMetadata: [{ key: 'pandas', value: JSON.stringify({ index_columns: ['Date'], columns: [] }) }],
  });
  return new Uint8Array(buffer);
}

const csvPath = join(dir, 'ACME.csv');
const parquetPath = join(dir, 'ACME.parquet');
writeFileSync(csvPath, yahooCsv());
writeFileSync(parquetPath, pandasParquet());

const IGNORED =
  'column "Adj Close" is ignored; pass --adjusted to scale open, high, low and close by Adj Close / Close';

describe('run --data with files as people have them', () => {
  it('runs on a Parquet file as on the same CSV, naming the ignored Adj Close once on standard error', async () => {
    const fromCsv = await runCli(['run', '--data', 'ACME.csv', '--strategy', 'buy-and-hold', '--json'], dir);
    const fromParquet = await runCli(['run', '--data', 'ACME.parquet', '--strategy', 'buy-and-hold', '--json'], dir);
    expect([fromCsv.code, fromParquet.code]).toEqual([0, 0]);
    expect(fromCsv.stderr).toBe(`ACME.csv: ${IGNORED}\n`);
    expect(fromParquet.stderr).toBe(`ACME.parquet: ${IGNORED}\n`);
    const csvRun = JSON.parse(fromCsv.stdout);
    const parquetRun = JSON.parse(fromParquet.stdout);
    expect(parquetRun.bars).toEqual(csvRun.bars);
    expect(parquetRun.metrics).toEqual(csvRun.metrics);
    expect([parquetRun.symbol, parquetRun.timeframe]).toEqual(['ACME', '1Day']);
  });

  it('scales prices with --adjusted, and says nothing then', async () => {
    const plain = await runCli(['run', '--data', 'ACME.csv', '--strategy', 'buy-and-hold', '--json'], dir);
    const adjusted = await runCli(
      ['run', '--data', 'ACME.parquet', '--adjusted', '--strategy', 'buy-and-hold', '--json'],
      dir,
    );
    expect(adjusted.code).toBe(0);
    expect(adjusted.stderr).toBe('');
    expect(JSON.parse(adjusted.stdout).bars.sha256).not.toBe(JSON.parse(plain.stdout).bars.sha256);
  });

  it('reads zone-less times in --tz, and refuses an unknown zone in one line (exit 2)', async () => {
    const utc = await runCli(['run', '--data', 'ACME.csv', '--strategy', 'buy-and-hold', '--json'], dir);
    const tokyo = await runCli(
      ['run', '--data', 'ACME.csv', '--tz', 'Asia/Tokyo', '--strategy', 'buy-and-hold', '--json'],
      dir,
    );
    expect(JSON.parse(tokyo.stdout).bars.firstTimeMs).toBe(JSON.parse(utc.stdout).bars.firstTimeMs - 9 * 3_600_000);
    const bad = await runCli(['run', '--data', 'ACME.csv', '--tz', 'Mars/Base'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('"Mars/Base" is not a time zone');
  });

  it('refuses --adjusted without an Adj Close column, and without a --data file', async () => {
    writeFileSync(join(dir, 'PLAIN.csv'), yahooCsv().replace(',Adj Close', ',Other'));
    const noColumn = await runCli(['run', '--data', 'PLAIN.csv', '--adjusted'], dir);
    expect(noColumn.code).toBe(3);
    expect(noColumn.stderr).toMatch(/^error: PLAIN\.csv line 1, column adj close: missing column: --adjusted needs/);
    const noFile = await runCli(['run', '--symbol', 'ACME', '--timeframe', '1Day', '--adjusted'], dir);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toBe(
      'error: --adjusted applies to a --data file; stored bars were adjusted and zoned when imported\n',
    );
  });

  it('names a bad Parquet file and column in one line (exit 3)', async () => {
    writeFileSync(join(dir, 'BROKEN.parquet'), 'time,open\n');
    const run = await runCli(['run', '--data', 'BROKEN.parquet'], dir);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('error: BROKEN.parquet: not a Parquet file (it does not begin and end with "PAR1")\n');
  });
});

describe('data import and sweep take the same flags', () => {
  it('imports a Parquet file adjusted, and runs on the stored bars', async () => {
    const db = join(dir, 'bars.db');
    const imported = await runCli(['data', 'import', 'ACME.parquet', '--adjusted', '--db', db], dir);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/^Imported 60 bars for ACME 1Day \(2024-01-01 → 2024-02-29\)/);
    const stored = await runCli(
      ['run', '--symbol', 'ACME', '--timeframe', '1Day', '--db', db, '--strategy', 'buy-and-hold', '--json'],
      dir,
    );
    const fromFile = await runCli(
      ['run', '--data', 'ACME.csv', '--adjusted', '--strategy', 'buy-and-hold', '--json'],
      dir,
    );
    expect(JSON.parse(stored.stdout).bars.sha256).toBe(JSON.parse(fromFile.stdout).bars.sha256);
  });

  it('sweeps over a Parquet file with --adjusted and --tz', async () => {
    const sweep = await runCli(
      [
        'sweep',
        '--data',
        'ACME.parquet',
        '--adjusted',
        '--tz',
        'Europe/London',
        '--strategy',
        'sma-cross',
        '--grid',
        'fast=3,5',
        '--grid',
        'slow=10',
        '--workers',
        '1',
        '--json',
      ],
      dir,
    );
    expect(sweep.code).toBe(0);
    expect(sweep.stderr).not.toContain('ignored');
  });

  it('resumes a sweep read with --adjusted and --tz by reading its file the same way', async () => {
    const db = join(dir, 'resume-adjusted.db');
    const sweep = await runCli(
      [
        'sweep',
        ...['--data', 'ACME.parquet', '--adjusted', '--tz', 'Europe/London', '--strategy', 'sma-cross'],
        ...['--grid', 'fast=3,5,7', '--grid', 'slow=10', '--workers', '1', '--save-to-db', '--db', db, '--json'],
      ],
      dir,
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    const sweepId = String((JSON.parse(sweep.stdout) as { sweepId: string }).sweepId);
    const listed = JSON.parse((await runCli(['list', '--db', db, '--json'], dir)).stdout) as { id: number }[];
    expect(listed).toHaveLength(3);
    const deleted = await runCli(['delete', String(listed[0]?.id), '--yes', '--db', db], dir);
    expect(deleted.code, deleted.stderr).toBe(0);
    const resumed = await runCli(['sweeps', 'resume', sweepId, '--db', db, '--json'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ alreadySaved: 2, toRun: 1, saved: 1, status: 'completed' });
    const after = JSON.parse((await runCli(['list', '--db', db, '--json'], dir)).stdout) as unknown[];
    expect(after).toHaveLength(3);
  });
});
