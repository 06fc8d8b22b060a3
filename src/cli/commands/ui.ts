import { existsSync } from 'node:fs';
import { StoreError, UsageError } from '../../core/errors.js';
import { isPostgresUrl } from '../../store/database-url.js';
import { openStore, resolveDatabasePath } from '../../store/index.js';
import { isLoopbackHost, parseAllowedHosts } from '../../web/host-check.js';
import { startDashboard } from '../../web/serve-dashboard.js';
import type { CliIO } from '../cli-io.js';

/** Flags of `backtest ui`, as commander parses them. */
export interface UiCommandOptions {
  readonly db?: string;
  /** Port to listen on; 0 picks a free port. Default 8000. */
  readonly port?: number | string;
  /** Address to bind; default 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** Extra host names the dashboard answers to (`--allowed-host`, repeatable), without port. */
  readonly allowedHost?: readonly string[] | string;
  /** Stops the server when aborted (tests); otherwise Ctrl-C or SIGTERM stops it. */
  readonly signal?: AbortSignal;
}

/** The port `backtest ui` listens on without `--port`. */
export const DEFAULT_UI_PORT = 8000;

function parsePort(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_UI_PORT;
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new UsageError(`--port "${value}" is not a port; use a whole number from 0 to 65535 (0 picks a free port)`);
  }
  return n;
}

/**
 * `backtest ui`: serves the dashboard over the database (opened read-only) until Ctrl-C,
 * printing its address first. Resolves after the server has stopped.
 *
 * @example
 * await uiCommand({ db: 'data/trading.db', port: 0 }, io);
 */
export async function uiCommand(options: UiCommandOptions, io: CliIO): Promise<void> {
  const port = parsePort(options.port);
  const host = options.host === undefined || options.host.trim() === '' ? '127.0.0.1' : options.host.trim();
  const allowedHosts = typeof options.allowedHost === 'string' ? [options.allowedHost] : (options.allowedHost ?? []);
  parseAllowedHosts(allowedHosts); // a bad name fails before the database is opened
  const dbPath = resolveDatabasePath(options.db, io.env, io.cwd);
  if (!isPostgresUrl(dbPath) && !existsSync(dbPath)) {
    throw new StoreError(
      `no database at ${dbPath}; save a run first (backtest run ... --save-to-db) or pass --db PATH`,
    );
  }
  // Read-only: the dashboard can never change the history, even by a migration.
  const db = await openStore({ db: dbPath, readonly: true });
  try {
    const server = await startDashboard({ db, port, host, allowedHosts });
    if (!isLoopbackHost(host)) {
      io.err(
        `warning: --host ${host} makes the read-only dashboard reachable from the network, without authentication; use the default 127.0.0.1 to keep it on this machine\n`,
      );
    }
    io.out(`Dashboard at ${server.url} (Ctrl-C to stop)\n`);
    io.out(`Reading ${db.location} (read-only; refresh to see new runs)\n`);
    await waitForStop(options.signal);
    await server.close();
  } finally {
    await db.close();
  }
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (signal?.aborted === true) return stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
