/**
 * Files that are not ours, or not ours to write: read-only folders and files are read without
 * creating anything beside them; another program's SQLite database is refused unless `--init`;
 * new and empty files are initialised.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOOG = join(ROOT, 'data/bars/GOOG.csv');
const BIN = join(ROOT, 'bin/backtest.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'foreign-'));
  chmodSync(dir, 0o755);
});
afterEach(() => {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) chmodSync(join(dir, entry), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the real CLI as a user who cannot write `ro/`: this user when not root; as root (who
 * may write anything) the unprivileged `nobody`, as a read-only mount would for anyone.
 */
function runAsReader(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const command = [process.execPath, BIN, ...args];
  const run =
    process.getuid?.() === 0
      ? spawnSync(
          'su',
          ['nobody', '-s', '/bin/sh', '-c', command.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ')],
          {
            cwd: dir,
            encoding: 'utf8',
          },
        )
      : spawnSync(command[0] as string, command.slice(1), { cwd: dir, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('a database in a read-only folder', () => {
  it('is read by every read command, and nothing is created beside it', async () => {
    const folder = join(dir, 'ro');
    mkdirSync(folder);
    const db = join(folder, 'runs.db');
    expect((await runCli(['run', '--data', GOOG, '--save-to-db', '--db', db], dir)).code).toBe(0);
    expect(
      (await runCli(['run', '--data', GOOG, '--strategy', 'buy-and-hold', '--save-to-db', '--db', db], dir)).code,
    ).toBe(0);
    const bytes = readFileSync(db);
    chmodSync(db, 0o444);
    chmodSync(folder, 0o555);
    for (const args of [
      ['list'],
      ['show', '1'],
      ['best', 'GOOG', '1Day'],
      ['compare', '1', '2'],
      ['export', '--format', 'json'],
    ]) {
      const run = runAsReader([...args, '--db', db]);
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    }
    expect(runAsReader(['list', '--db', db]).stdout).toContain('buy-and-hold');
    expect(readdirSync(folder)).toEqual(['runs.db']);
    expect(readFileSync(db).equals(bytes)).toBe(true);
    // Writing is refused in one line, and still creates nothing.
    const save = runAsReader(['run', '--data', GOOG, '--save-to-db', '--db', db]);
    expect(save.status).toBe(5);
    expect(readdirSync(folder).filter((name) => !name.startsWith('backtest-recovery-'))).toEqual(['runs.db']);
  });
});

describe('another program’s SQLite database', () => {
  function foreignDatabase(): { path: string; bytes: Buffer } {
    const path = join(dir, 'app.db');
    const raw = new Database(path);
    raw.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ann')");
    raw.close();
    return { path, bytes: readFileSync(path) };
  }

  it('is refused by every command in one line and left untouched', async () => {
    const { path, bytes } = foreignDatabase();
    for (const args of [
      ['list'],
      ['best', 'GOOG', '1Day'],
      ['run', '--data', GOOG, '--save-to-db'],
      ['data', 'import', GOOG],
    ]) {
      const run = await runCli([...args, '--db', path], dir);
      expect(run.code, args.join(' ')).toBe(5);
      const lines = run.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(
        /is not a backtest database \(it has 1 table but no backtest_results\); it was left untouched: pass --init/,
      );
      expect(readFileSync(path).equals(bytes), args.join(' ')).toBe(true);
    }
  });

  it('gets this project’s tables with --init, keeping its own', async () => {
    const { path } = foreignDatabase();
    const run = await runCli(['run', '--data', GOOG, '--save-to-db', '--init', '--db', path], dir);
    expect(run.code, run.stderr).toBe(0);
    expect((await runCli(['list', '--db', path], dir)).code).toBe(0);
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT name FROM users').pluck().all()).toEqual(['ann']);
    raw.close();
  });

  it('an empty (0-byte) file or a new path is initialised without --init', async () => {
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect((await runCli(['run', '--data', GOOG, '--save-to-db', '--db', empty], dir)).code).toBe(0);
    expect((await runCli(['run', '--data', GOOG, '--save-to-db', '--db', join(dir, 'new', 'runs.db')], dir)).code).toBe(
      0,
    );
    // sqlite3's own view: the file is a database now.
    expect(
      execFileSync(
        'python3',
        [
          '-c',
          'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from backtest_results").fetchone()[0])',
          empty,
        ],
        { encoding: 'utf8' },
      ).trim(),
    ).toBe('1');
  });
});
