/**
 * What the distributed CLI tests share: a real PostgreSQL server for the file (a fresh schema
 * and temporary folder per test, the queue's schema dropped after it), and real `backtest`
 * processes (bin/backtest.js, built by `npm test`) started in that folder, killed if a test
 * leaves them running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { queueSchemaFor } from '../src/store/postgres/postgres-sweep-queue.js';
import {
  adminQuery,
  freshSchema,
  startTestPostgres,
  type TestPostgres,
} from '../src/store/postgres/postgres-test-server.test-support.js';

const BIN = fileURLToPath(new URL('../bin/backtest.js', import.meta.url));

/** A started CLI process with its output collected and its exit awaited. */
export interface Started {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly err: () => string;
  readonly exit: Promise<number | null>;
}

/** The current test's database URL and folder, and a way to start CLI processes in it. */
export interface DistributedTestContext {
  /** The current test's database: a fresh schema of the file's server. */
  url(): string;
  /** The current test's temporary folder, the processes' working directory. */
  folder(): string;
  /** Another fresh database (schema) of the same server, dropped after the test. */
  anotherUrl(): Promise<string>;
  /** Starts `backtest ARGS` in the folder, with `BACKTEST_DB` cleared and `env` added. */
  start(args: readonly string[], env?: Readonly<Record<string, string>>): Started;
}

/**
 * Registers the hooks that give each test of the calling file a fresh schema and folder.
 *
 * @example
 * const ctx = useDistributedTestServer('backtest-distributed-');
 * it('...', async () => { const worker = ctx.start(['worker', '--db', ctx.url(), '--exit-when-idle']); });
 */
export function useDistributedTestServer(folderPrefix: string): DistributedTestContext {
  let server: TestPostgres | undefined;
  let schema: { url: string; drop: () => Promise<void> } | undefined;
  let folder: string | undefined;
  const children: ChildProcess[] = [];
  const others: { url: string; drop: () => Promise<void> }[] = [];
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    schema = await freshSchema((server as TestPostgres).url);
    folder = mkdtempSync(join(tmpdir(), folderPrefix));
  });
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dropped of [...(schema === undefined ? [] : [schema]), ...others.splice(0)]) {
      await dropped.drop();
      await adminQuery((server as TestPostgres).url, `DROP SCHEMA IF EXISTS ${queueSchemaFor(dropped.url)} CASCADE`);
    }
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });
  const context: DistributedTestContext = {
    url: () => (schema as { url: string }).url,
    folder: () => folder as string,
    anotherUrl: async () => {
      const other = await freshSchema((server as TestPostgres).url);
      others.push(other);
      return other.url;
    },
    start: (args, env = {}) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: context.folder(),
        env: { ...process.env, BACKTEST_DB: '', NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let err = '';
      child.stdout?.on('data', (chunk) => {
        out += String(chunk);
      });
      child.stderr?.on('data', (chunk) => {
        err += String(chunk);
      });
      const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
      return { child, out: () => out, err: () => err, exit };
    },
  };
  return context;
}

/** Polls `probe` every 25 ms until it returns a value; an error naming `what` after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
