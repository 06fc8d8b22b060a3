/**
 * The dashboard only reads, and keeps serving while another process saves runs into the same
 * database (WAL); new runs appear on the next request.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRunStore, TradingDatabase } from '../src/store/sqlite/index.js';
import { createDashboardApp } from '../src/web/dashboard-app.js';
import { createSampleDatabase, type SampleDatabase } from '../src/web/sample-runs.test-support.js';

const SAVE_MANY = fileURLToPath(new URL('../src/store/sqlite/fixtures/save-many.ts', import.meta.url));
const SAVES = 300;

let dir: string;
let sample: SampleDatabase;
let reader: TradingDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-live-'));
  sample = await createSampleDatabase(dir);
  reader = TradingDatabase.open(sample.path, { readonly: true });
});

afterAll(async () => {
  reader.close();
  await rm(dir, { recursive: true, force: true });
});

const totalOf = (page: string) => Number(/Runs \d+–\d+ of ([\d,]+)/.exec(page)?.[1]?.replace(/,/g, ''));

describe('dashboard while another process saves', () => {
  it('answers every request during the writes and shows the new runs on refresh', async () => {
    const app = createDashboardApp(new SqliteRunStore(reader));
    const before = totalOf(await (await app.request('/')).text());
    expect(before).toBe(sample.allIds.length);

    const writer = spawn(process.execPath, ['--import', 'tsx', SAVE_MANY, sample.path, '7', String(SAVES)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    writer.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => writer.on('exit', done));

    // Read continuously while the other process writes: every page must be served.
    const seenTotals: number[] = [];
    let running = true;
    void exited.then(() => {
      running = false;
    });
    while (running) {
      const response = await app.request('/?sort=total_return');
      expect(response.status).toBe(200);
      seenTotals.push(totalOf(await response.text()));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await exited, stderr).toBe(0);

    // Totals only grow, and a refresh after the writer ends shows every new run.
    expect(seenTotals).toEqual([...seenTotals].sort((a, b) => a - b));
    const after = totalOf(await (await app.request('/')).text());
    expect(after).toBe(before + SAVES);
    expect(totalOf(await (await app.request('/?symbol=W7')).text())).toBe(SAVES);
  });
});
