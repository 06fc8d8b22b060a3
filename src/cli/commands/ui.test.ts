import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, UsageError } from '../../core/errors.js';
import { createSampleDatabase, type SampleDatabase } from '../../web/sample-runs.test-support.js';
import type { CliIO } from '../cli-io.js';
import { isLoopbackHost } from '../../web/host-check.js';
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

describe('ui --host', () => {
  /** Starts the dashboard on `host`, stops it once it is up, and returns what went to stderr. */
  async function stderrOfServingOn(host: string | undefined): Promise<string> {
    const stop = new AbortController();
    let stderr = '';
    const io: CliIO = {
      out: (text) => {
        if (text.startsWith('Dashboard at')) stop.abort();
      },
      err: (text) => {
        stderr += text;
      },
      cwd: dir,
      env: {},
      interactive: false,
      confirm: async () => false,
    };
    await uiCommand({ db: 'runs.db', port: 0, signal: stop.signal, ...(host === undefined ? {} : { host }) }, io);
    return stderr;
  }

  it('warns in one line on stderr when the dashboard is reachable from the network', async () => {
    const stderr = await stderrOfServingOn('0.0.0.0');
    expect(stderr.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(stderr).toMatch(/^warning: --host 0\.0\.0\.0 .*reachable from the network, without authentication/);
  });

  it('says nothing on loopback addresses', async () => {
    expect(await stderrOfServingOn(undefined)).toBe('');
    expect(await stderrOfServingOn('localhost')).toBe('');
  });

  it('knows loopback addresses in every spelling', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '128.0.0.1', '10.127.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('ui --allowed-host', () => {
  it('refuses a name with a port or scheme before opening the database', async () => {
    const error = await uiCommand({ db: 'absent.db', port: 0, allowedHost: ['dash.lan:8000'] }, captureIO(dir)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('--allowed-host "dash.lan:8000" is not a host name or address');
    await expect(uiCommand({ db: 'runs.db', port: 0, allowedHost: 'http://dash.lan' }, captureIO(dir))).rejects.toThrow(
      UsageError,
    );
  });

  it('answers each allowed name, and still refuses others', async () => {
    const stop = new AbortController();
    let announce: (url: string) => void = () => {};
    const announced = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const running = uiCommand(
      { db: 'runs.db', port: 0, allowedHost: ['dash.test', 'Other.Test'], signal: stop.signal },
      captureIO(dir, (text) => {
        const match = /Dashboard at (\S+) /.exec(text);
        if (match?.[1] !== undefined) announce(match[1]);
      }),
    );
    const { port } = new URL(await announced);
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    try {
      expect(await statusFor(`dash.test:${port}`)).toBe(200);
      expect(await statusFor(`other.test:${port}`)).toBe(200);
      expect(await statusFor(`evil.test:${port}`)).toBe(403);
    } finally {
      stop.abort();
      await running;
    }
  });
});
