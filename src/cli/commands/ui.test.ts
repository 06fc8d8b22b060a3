import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '../../core/errors.js';
import { createSampleDatabase, type SampleDatabase } from '../../web/sample-runs.test-support.js';
import type { CliIO } from '../cli-io.js';
import { uiCommand } from './ui.js';

let dir: string;
let sample: SampleDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ui-command-'));
  sample = await createSampleDatabase(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function captureIO(cwd: string, onOut: (text: string) => void = () => {}): CliIO {
  return { out: onOut, err: () => {}, cwd, env: {}, interactive: false, confirm: async () => false };
}

describe('uiCommand', () => {
  it('serves the dashboard on 127.0.0.1 and a free port, prints the address and stops on abort', async () => {
    const stop = new AbortController();
    let printed = '';
    let announce: (url: string) => void = () => {};
    const announced = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const running = uiCommand(
      { db: 'runs.db', port: 0, signal: stop.signal },
      captureIO(dir, (text) => {
        printed += text;
        const match = /Dashboard at (\S+) \(Ctrl-C to stop\)/.exec(printed);
        if (match?.[1] !== undefined) announce(match[1]);
      }),
    );
    const url = await announced;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`Runs 1–${sample.allIds.length} of ${sample.allIds.length}`);
    stop.abort();
    await running;
    await expect(fetch(url)).rejects.toThrow();
  });

  it('refuses a missing database with a hint and creates nothing', async () => {
    const error = await uiCommand({ db: 'absent.db', port: 0 }, captureIO(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(`no database at ${join(dir, 'absent.db')}`);
  });

  it('refuses a port that is not one', async () => {
    await expect(uiCommand({ db: 'runs.db', port: '70000' }, captureIO(dir))).rejects.toThrow(UsageError);
    await expect(uiCommand({ db: 'runs.db', port: 'http' }, captureIO(dir))).rejects.toThrow(/from 0 to 65535/);
  });
});
