/**
 * A shared file may hold rows other programs wrote with values of the wrong kind (text where a
 * number belongs, times out of range, escape sequences in text). Every reader shows them as
 * invalid (and escaped) instead of failing: never exit 70, never a 500.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRunStore } from '../src/store/sqlite/index.js';
import { createDashboardApp } from '../src/web/dashboard-app.js';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const ESC = '\u001b';

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bad-rows-'));
  db = join(dir, 'shared.db');
  expect((await runCli(['run', '--data', GOOG, '--save-to-db', '--db', db], dir)).code).toBe(0);
  const raw = new Database(db);
  const insert = raw.prepare(
    'INSERT INTO backtest_results VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // Types SQLite lets through: text in REAL and INTEGER columns, absurd times, control characters.
  insert.run(
    `${ESC}[31mEVIL${ESC}[0m`,
    '1Day',
    `m\u0007.onnx`,
    1e30,
    'yesterday',
    -5,
    'abc',
    1e308 * 10,
    'ten',
    'x',
    -1e308 * 10,
    null,
    null,
    'many',
    1.5,
    '{bad json',
    `note${ESC}]0;pwned\u0007`,
  );
  insert.run('GOOG', '1Day', null, -99_999_999_999_999, 0, 1, 0, 0, 0, null, null, null, null, -3, null, '[1,2]', null);
  raw.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readers facing rows of the wrong kind', () => {
  it('the CLI shows them as invalid, escaped, and never fails with a bug', async () => {
    for (const args of [
      ['list'],
      ['list', '--sort', 'total_return'],
      ['show', '2'],
      ['show', '3'],
      ['best', 'GOOG', '1Day', '--min-trades', '0'],
      ['compare', '1', '2', '3'],
      ['report', '2', '--out', 'r2.html'],
      ['report', '3', '--out', 'r3.html'],
      ['export', '--format', 'csv'],
    ]) {
      // As at a terminal (a width is known); piped output of export keeps the data as stored.
      const run = await runCli([...args, '--db', db], dir, { columns: 200 });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      expect(run.stdout, args.join(' ')).not.toContain(ESC);
      expect(run.stderr, args.join(' ')).not.toContain(ESC);
    }
    const show = await runCli(['show', '2', '--db', db], dir);
    expect(show.stdout).toContain('\\u001b[31mEVIL');
    expect(show.stdout).toMatch(/run_timestamp\s+│ invalid \(1e\+30\)/);
    expect(show.stdout).toMatch(/start_date\s+│ invalid \("yesterday"\)/);
    expect(show.stdout).toMatch(/initial_capital\s+│ invalid \("abc"\)/);
    expect(show.stdout).toContain('{bad json  (not valid JSON)');
    const rerun = await runCli(['rerun', '2', '--db', db], dir);
    expect([3, 5]).toContain(rerun.code);
    expect(rerun.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('every dashboard page answers, none with a 500', async () => {
    const store = SqliteRunStore.open(db, { readonly: true });
    try {
      const app = createDashboardApp(store);
      for (const path of [
        '/',
        '/?sort=total_return',
        '/runs/2',
        '/runs/3',
        '/compare?ids=1,2,3',
        '/api/runs',
        '/api/runs/2',
        '/api/runs/3',
      ]) {
        const res = await app.request(path);
        expect(res.status, path).toBe(200);
        const text = await res.text();
        expect(text, path).not.toContain(ESC);
      }
    } finally {
      await store.close();
    }
  });
});
