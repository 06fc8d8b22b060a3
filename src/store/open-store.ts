/**
 * Picks the store implementation for a location and opens it: a `postgres://` or
 * `postgresql://` URL opens PostgreSQL, anything else is a SQLite file path. Each driver is
 * imported only here and only when its store is opened, so running a backtest, or a sweep
 * worker, never loads a database driver, and SQLite users never load `pg`.
 */
import { existsSync } from 'node:fs';
import { StoreError } from '../core/errors.js';
import { isPostgresUrl } from './database-url.js';
import { resolveDatabasePath } from './resolve-database-path.js';
import type { RunStore } from './run-store.js';

/** Where the store is and how to open it. */
export interface OpenStoreOptions {
  /**
   * A SQLite file path, or a PostgreSQL URL (`postgres://user:password@host:port/database`);
   * default `$BACKTEST_DB`, else `./data/trading.db`, relative to `cwd`.
   */
  readonly db?: string | undefined;
  readonly cwd?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /**
   * Read only: the store must exist, nothing is ever written (an older schema is read as it is,
   * never upgraded), and writes throw.
   */
  readonly readonly?: boolean | undefined;
  /** Receives one-line notices: an upgraded schema, a newly created database. */
  readonly onNotice?: ((message: string) => void) | undefined;
  /** Add this project's tables to an existing database of another program (`--init`). */
  readonly init?: boolean | undefined;
}

/**
 * Opens the run history at a location.
 *
 * @example
 * const store = await openStore({ db: 'runs.db', readonly: true });
 * const team = await openStore({ db: 'postgres://backtest:secret@db.local:5432/runs' });
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<RunStore> {
  const path = resolveDatabasePath(options.db, options.env ?? process.env, options.cwd ?? process.cwd());
  const readonly = options.readonly ?? false;
  if (isPostgresUrl(path)) {
    const { PostgresRunStore } = await import('./postgres/postgres-run-store.js');
    return PostgresRunStore.open(path, { readonly, onNotice: options.onNotice, init: options.init });
  }
  if (readonly && path !== ':memory:' && !existsSync(path)) {
    throw new StoreError(`no database at ${path}; save a run first (backtest run ... --save-to-db) or pass --db PATH`);
  }
  const created = !readonly && path !== ':memory:' && !existsSync(path);
  const { SqliteRunStore } = await import('./sqlite/sqlite-run-store.js');
  const store = SqliteRunStore.open(path, { readonly, onNotice: options.onNotice, init: options.init });
  if (created) options.onNotice?.(`Created database ${path}`);
  return store;
}

/**
 * Runs `work` with an open store and always closes it.
 *
 * @example
 * const rows = await withStore(await openStore({ readonly: true }), (store) => store.listRuns());
 */
export async function withStore<T>(store: RunStore, work: (store: RunStore) => T | Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
