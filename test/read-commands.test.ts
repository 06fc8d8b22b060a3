/**
 * Read commands never modify a database file: after list, best, show, compare, export, report,
 * rerun, data list and the dashboard, the file's bytes are what they were, whether the file was
 * written by this version, by an earlier release (schema 2) or by the older Python tool.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiCommand } from '../src/cli/commands/ui.js';
import { LEGACY_DDL } from '../src/store/sqlite/index.js';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const V2_FIXTURE = fileURLToPath(new URL('../src/store/sqlite/fixtures/schema-v2.db', import.meta.url));

let dir: string;
const files: Record<'current' | 'schema2' | 'olderTool', string> = { current: '', schema2: '', olderTool: '' };

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'read-commands-'));
  files.current = join(dir, 'current.db');
  for (const args of [
    ['data', 'import', GOOG],
    ['run', '--data', GOOG, '--save-to-db'],
    ['run', '--data', GOOG, '--strategy', 'buy-and-hold', '--save-to-db'],
  ]) {
    const run = await runCli([...args, '--db', files.current], dir);
    expect(run.code, run.stderr).toBe(0);
  }
  files.schema2 = join(dir, 'schema2.db');
  copyFileSync(V2_FIXTURE, files.schema2);
  files.olderTool = join(dir, 'older.db');
  const raw = new Database(files.olderTool);
  raw.exec(LEGACY_DDL);
  const insert = raw.prepare(
    'INSERT INTO backtest_results VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  insert.run(
    'GOOG',
    '1Day',
    'models/a.onnx',
    1_700_000_000,
    1_600_000_000,
    1_690_000_000,
    1e4,
    1.1e4,
    10,
    1.2,
    -5,
    50,
    1.5,
    10,
    100,
    '{"fee": 0.001}',
    'py',
  );
  insert.run(
    'GOOG',
    '1d',
    null,
    1_700_000_001,
    1_600_000_000,
    1_690_000_000,
    1e4,
    0.9e4,
    -10,
    -0.4,
    -15,
    30,
    0.5,
    12,
    -80,
    null,
    null,
  );
  raw.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const READ_COMMANDS: readonly (readonly string[])[] = [
  ['list'],
  ['list', '--json', '--symbol', 'goog', '--timeframe', '1d', '--sort', 'sharpe_ratio'],
  ['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio'],
  ['best', 'GOOG', '1Day', '--json', '--min-trades', '0'],
  ['show', '1'],
  ['show', '1', '--trades', '--json'],
  ['compare', '1', '2'],
  ['export', '--format', 'json'],
  ['export', '--format', 'csv'],
  ['report', '1', '--out', 'report.html'],
  ['rerun', '1'],
  ['data', 'list'],
];

describe('read commands leave every kind of database byte-for-byte unchanged', () => {
  for (const kind of ['current', 'schema2', 'olderTool'] as const) {
    it(`on a file written by ${kind === 'current' ? 'this version' : kind === 'schema2' ? 'an earlier release' : 'the older tool'}`, async () => {
      const path = files[kind];
      const before = sha256(path);
      let succeeded = 0;
      for (const args of READ_COMMANDS) {
        const run = await runCli([...args, '--db', path], dir);
        // Some cannot answer on every file (the older tool stored no config to rerun); none writes.
        if (run.code === 0) succeeded++;
        else expect(run.stderr, `${args.join(' ')} on ${kind}`).toMatch(/^error: /);
        expect(sha256(path), `${args.join(' ')} on ${kind}`).toBe(before);
      }
      expect(succeeded).toBeGreaterThanOrEqual(READ_COMMANDS.length - 1);

      const stop = new AbortController();
      let url = '';
      const serving = uiCommand(
        { db: path, port: 0, signal: stop.signal },
        {
          out: (text) => {
            url ||= /Dashboard at (\S+)/.exec(text)?.[1] ?? '';
          },
          err: () => {},
          cwd: dir,
          env: {},
          interactive: false,
          columns: undefined,
          confirm: async () => false,
        },
      );
      while (url === '') await new Promise((resolve) => setTimeout(resolve, 10));
      for (const page of ['', 'runs/1', 'api/runs', 'compare?ids=1,2']) {
        expect((await fetch(`${url}${page}`)).status, page).toBe(200);
      }
      stop.abort();
      await serving;
      expect(sha256(path)).toBe(before);
    });
  }
});
