import { createServer, type IncomingMessage } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { UsageError } from '../core/errors.js';
import type { RunStore } from '../store/index.js';
import { createDashboardApp } from './dashboard-app.js';
import {
  createHostCheck,
  type HostPolicy,
  parseAllowedHosts,
  parseHostHeader,
  readMachineIdentity,
} from './host-check.js';

/** How long a read of the machine's names and addresses is trusted before a refusal re-reads it. */
const MACHINE_IDENTITY_TTL_MS = 5_000;

/** A running dashboard server. */
export interface RunningDashboard {
  /** The address to open, e.g. `http://127.0.0.1:5173/`. */
  readonly url: string;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Stops accepting connections and resolves when the server has closed. */
  close(): Promise<void>;
}

/** Options for {@link startDashboard}. */
export interface DashboardServerOptions {
  /** The database to show (opened read-only by `backtest ui`). */
  readonly db: RunStore;
  /** Port to listen on; 0 picks a free port. */
  readonly port: number;
  /** Address to bind, e.g. `127.0.0.1` (this machine only) or `0.0.0.0` (every interface). */
  readonly host: string;
  /** Extra host names or addresses the server answers to (`--allowed-host`), without port. */
  readonly allowedHosts?: readonly string[] | undefined;
}

/**
 * Serves the dashboard for `db` on `host:port` (port 0 picks a free port) and resolves once it
 * is listening. It answers only to its own host names (see `createHostCheck`): any other `Host`
 * header gets 403, whatever the bind address. A port in use, a host that cannot be bound or an
 * invalid allowed host is a {@link UsageError}.
 *
 * @example
 * const server = await startDashboard({ db, port: 0, host: '127.0.0.1' });
 * console.log(server.url);
 * await server.close();
 */
export function startDashboard(options: DashboardServerOptions): Promise<RunningDashboard> {
  const allowedHosts = options.allowedHosts ?? [];
  try {
    parseAllowedHosts(allowedHosts);
  } catch (error) {
    return Promise.reject(error);
  }
  // Until the server listens no request arrives, and only then is the real port known (port 0).
  let hostCheck: (hostHeader: string | undefined) => boolean = () => false;
  const app = createDashboardApp(options.db, { hostCheck: (hostHeader) => hostCheck(hostHeader) });
  const listener = getRequestListener(app.fetch);
  return new Promise((resolve, reject) => {
    const server = createServer((incoming, outgoing) => {
      // An absolute URL (`GET http://other.example/`, meant for proxies) would name a host that the
      // Host check never sees; browsers send the path alone to a server, so refuse the rest.
      if (incoming.url?.startsWith('/') !== true) {
        outgoing.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        outgoing.end('400 Bad Request: request a path such as /, not an absolute URL\n');
        return;
      }
      incoming.headers.host = hostForRequestUrl(incoming);
      return listener(incoming, outgoing);
    });
    server.listen(options.port, options.host);
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, options.host, options.port)));
    server.once('listening', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      hostCheck = machineAwareHostCheck({ bindHost: options.host, port, allowedHosts });
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

/** Any name will do: it only completes the request URL of a request the Host check refuses. */
const PLACEHOLDER_HOST = 'localhost';

/**
 * The host to build the request URL from. @hono/node-server builds it from `Host` and answers 400,
 * before any middleware, when the header is not in the URL's own spelling (`LOCALHOST:8000`,
 * `[::0001]:8000`) or is missing on a bind address such as `::`. So it gets the canonical spelling
 * of a well-formed header and a placeholder otherwise. The app's Host check still decides, on the
 * header as sent: the adapter builds the request's headers from `rawHeaders`, not from this field.
 */
function hostForRequestUrl(incoming: IncomingMessage): string {
  const header = incoming.headers.host;
  if (header === undefined || parseHostHeader(header) === undefined) return PLACEHOLDER_HOST;
  try {
    return new URL(`http://${header}`).host;
  } catch {
    return PLACEHOLDER_HOST;
  }
}

/**
 * The check for `policy` with this machine's names and addresses; a refused header re-reads them
 * (at most every few seconds), so an address gained after start (DHCP, VPN) is accepted too.
 */
function machineAwareHostCheck(policy: Omit<HostPolicy, 'machine'>): (hostHeader: string | undefined) => boolean {
  let readAtMs = Date.now();
  let check = createHostCheck({ ...policy, machine: readMachineIdentity() });
  return (hostHeader) => {
    if (check(hostHeader)) return true;
    if (Date.now() - readAtMs < MACHINE_IDENTITY_TTL_MS) return false;
    readAtMs = Date.now();
    check = createHostCheck({ ...policy, machine: readMachineIdentity() });
    return check(hostHeader);
  };
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const hint = error.code === 'EADDRINUSE' ? '; choose another --port (0 picks a free one)' : '';
  return new UsageError(`cannot serve the dashboard on ${host}:${port}: ${error.message}${hint}`, { cause: error });
}
