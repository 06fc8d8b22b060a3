import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../core/errors.js';
import { createSampleDatabase, type SampleDatabase } from '../../web/sample-runs.test-support.js';
import type { CliIO } from '../cli-io.js';
import { reportCommand } from './report.js';

let dir: string;
let sample: SampleDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-command-'));
  sample = await createSampleDatabase(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function captureIO(cwd: string): CliIO & { output: () => string } {
  let out = '';
  return {
    out: (text) => {
      out += text;
    },
    err: () => {},
    cwd,
    env: {},
    interactive: false,
    confirm: async () => false,
    output: () => out,
  };
}

describe('reportCommand', () => {
  it('writes the stored run as one HTML file and says where', async () => {
    const io = captureIO(dir);
    await reportCommand({ id: sample.googRsiId, out: 'reports/rsi.html', db: 'runs.db' }, io);
    const page = await readFile(join(dir, 'reports', 'rsi.html'), 'utf8');
    expect(page).toContain(`run ${sample.googRsiId}`);
    expect(page).toContain('LightweightCharts');
    expect(io.output()).toBe(`Report of run ${sample.googRsiId} written to ${join(dir, 'reports', 'rsi.html')}\n`);
    // Written through a temporary file that is renamed: nothing else is left behind.
    expect(await readdir(join(dir, 'reports'))).toEqual(['rsi.html']);
  });

  it('refuses an unknown run without creating the file', async () => {
    const io = captureIO(dir);
    await expect(reportCommand({ id: 999_999, out: 'missing.html', db: 'runs.db' }, io)).rejects.toThrow(
      /has no backtest with id 999999/,
    );
    expect((await readdir(dir)).includes('missing.html')).toBe(false);
  });

  it('refuses a missing database with a hint', async () => {
    const error = await reportCommand({ id: 1, out: 'x.html', db: 'nope.db' }, captureIO(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('save a run first');
  });
});
