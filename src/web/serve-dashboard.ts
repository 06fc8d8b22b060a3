import { serve } from '@hono/node-server';
import { UsageError } from '../core/errors.js';
import type { RunStore } from '../store/index.js';
import { createDashboardApp } from './dashboard-app.js';

const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

/** A running dashboard server. */
export interface RunningDashboard {
  /** The address to open, e.g. `http://127.0.0.1:5173/`. */
  readonly url: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops accepting connections and resolves when the server has closed. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard for `db` on `host:port` (port 0 picks a free port) and resolves once it
 * is listening. A port in use or a host that cannot be bound is a {@link UsageError}.
 *
 * @example
 * const server = await startDashboard({ db, port: 0, host: '127.0.0.1' });
 * console.log(server.url);
 * await server.close();
 */
export function startDashboard(options: { db: RunStore; port: number; host: string }): Promise<RunningDashboard> {
  // Bound to this machine only: answer only to this machine's names (no DNS rebinding).
  const app = LOOPBACK_HOSTS.includes(options.host)
    ? createDashboardApp(options.db, { allowedHosts: ['127.0.0.1', 'localhost', '[::1]'] })
    : createDashboardApp(options.db);
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host });
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port)));
    server.once('listening', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({
        url: `http://${host}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections from a browser would hold close() open; end them now.
            if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function')
              server.closeAllConnections();
          }),
      });
    });
  });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const hint = error.code === 'EADDRINUSE' ? '; choose another --port (0 picks a free one)' : '';
  return new UsageError(`cannot serve the dashboard on ${host}:${port}: ${error.message}${hint}`, { cause: error });
}
