/**
 * Computed results are never thrown away because another process holds the database's write
 * lock longer than SQLite's busy timeout (5 s): saves wait and retry, and when they finally
 * give up the results go to a recovery file that `backtest import` reads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TradingDatabase } from '../src/store/sqlite/index.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');

let dir: string;
let holder: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-wait-'));
});
afterEach(() => {
  holder?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Another process that takes the write lock and keeps it for `ms`; resolves once it holds it. */
function holdWriteLock(db: string, ms: number): Promise<ChildProcess> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    // BEGIN IMMEDIATE takes the write lock at once and holds it until COMMIT, with or without writes.
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));
  `;
  const child = spawn(process.execPath, ['-e', script, db, String(ms)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  holder = child;
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
}

describe('saving while another process holds the write lock past the busy timeout', () => {
  it('a sweep waits, says so, and saves every run', { timeout: 60_000 }, async () => {
    const db = join(dir, 'runs.db');
    TradingDatabase.open(db).close();
    await holdWriteLock(db, 7_000);
    const started = Date.now();
    const sweep = await runCli(
      [
        'sweep',
        '--data',
        GOOG,
        '--grid',
        'fast=5,10,15',
        '--grid',
        'slow=30,60',
        '--workers',
        '1',
        '--save-to-db',
        '--db',
        db,
        '--json',
      ],
      dir,
    );
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(5_000);
    // The first write waits (storing the sweep's record), then every save goes through.
    expect(sweep.stderr).toMatch(
      /waiting for another process to release the write lock of .*runs\.db, to store the sweep/,
    );
    const { sweepId, saved } = JSON.parse(sweep.stdout);
    expect(saved).toBe(6);
    const reader = TradingDatabase.open(db, { readonly: true });
    expect(reader.countBacktestResults({ sweepId })).toBe(6);
    expect(reader.getSweep(sweepId)).toMatchObject({ status: 'completed', planned: 6, done: 6, failed: 0 });
    reader.close();
  });

  it('a run that gives up at --lock-timeout leaves a recovery file that imports once', {
    timeout: 60_000,
  }, async () => {
    const db = join(dir, 'runs.db');
    TradingDatabase.open(db).close();
    const child = await holdWriteLock(db, 9_000);
    const run = await runCli(['run', '--data', GOOG, '--save-to-db', '--lock-timeout', '1', '--db', db], dir);
    expect(run.code).toBe(5);
    // One line: why, then where the run is.
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^error: gave up after \d+ s waiting for another process to release the write lock of .*; the run was not saved, it is in .*backtest-recovery-.*\.jsonl: save it later with backtest import /,
    );
    const file = /it is in (\S+\.jsonl):/.exec(run.stderr)?.[1] as string;
    const record = JSON.parse(readFileSync(file, 'utf8').trim());
    expect(record).toMatchObject({ symbol: 'GOOG', timeframe: '1Day', strategy_name: 'sma-cross' });
    expect(record.trades.length).toBe(record.total_trades);
    await new Promise((resolve) => child.once('exit', resolve));
    const first = await runCli(['import', file, '--db', db], dir);
    expect(first.stdout).toContain('1 imported, 0 already present');
    expect((await runCli(['import', file, '--db', db], dir)).stdout).toContain('0 imported, 1 already present');
    const reader = TradingDatabase.open(db, { readonly: true });
    const [row] = reader.getBacktestResults();
    expect(row?.uuid).toBe(record.uuid);
    expect(reader.getTrades(row?.id ?? 0)).toEqual(record.trades);
    reader.close();
  });
});
