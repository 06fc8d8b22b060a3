/**
 * One PostgreSQL database: a pool of connections (node-postgres), checks and migrations on
 * open, transactions, and errors turned into one-line `StoreError`s that name the database by
 * its URL without the password.
 *
 * Values always travel as bound parameters (`$1`, `$2`, ...); SQL text is built only from fixed
 * column lists. Hot statements are prepared once per connection (named statements).
 *
 * Concurrency: PostgreSQL's MVCC lets any number of processes read and write at once. A save
 * is one statement (the run's row and its side rows through data-modifying CTEs), so it is
 * atomic without BEGIN/COMMIT and costs one round trip. Migrations run one step per
 * transaction under an advisory lock, so processes opening a new database at once apply each
 * step exactly once; a database newer than this build is refused before anything is written.
 */
import os from 'node:os';
import pg from 'pg';
import { ConfigError, StoreError } from '../../core/errors.js';
import { redactDatabaseUrl } from '../database-url.js';
import { LEGACY_COLUMNS } from '../run-row.js';
import {
  CURRENT_POSTGRES_SCHEMA_VERSION,
  detailColumnsAt,
  MIGRATION_LOCK_KEY,
  POSTGRES_MIGRATIONS,
  WALK_FORWARD_SCHEMA_VERSION,
} from './postgres-schema.js';
import { toStoreError } from './to-store-error.js';

/** Options for opening a PostgreSQL store. */
export interface OpenPostgresOptions {
  /** Never write: the schema must exist, an older one is read as it is, and writes throw. */
  readonly readonly?: boolean | undefined;
  /** Hears one line when opening creates this project's tables or upgrades them. */
  readonly onNotice?: ((message: string) => void) | undefined;
  /** Add this project's tables to a schema that holds other tables but no `backtest_results`. */
  readonly init?: boolean | undefined;
  /** Most connections in the pool; default 4. */
  readonly maxConnections?: number | undefined;
}

const INT8_OID = 20;
/**
 * BIGINT as a JavaScript number: ids, unix times and counts are far below 2^53. node-postgres
 * returns strings for BIGINT by default, to be safe for values this store never holds.
 */
const parseInt8 = (text: string): number => Number(text);
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** A query whose values are bound: SQL text with `$n` placeholders and its values. */
export interface BoundQuery {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Something that runs queries: the pool (auto-commit) or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    config: pg.QueryConfig<unknown[]>,
  ): Promise<pg.QueryResult<R>>;
}

/**
 * Numbers the `?` placeholders of `sql` as `$1`, `$2`, ... in order. The store's SQL has no `?`
 * anywhere else (no literals, no jsonb operators), so query builders can be written with `?`
 * and share code shape with the SQLite store.
 *
 * @example
 * numberPlaceholders('a = ? AND b IN (?, ?)'); // 'a = $1 AND b IN ($2, $3)'
 */
export function numberPlaceholders(sql: string, first = 1): string {
  let n = first - 1;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** An open, checked and (for writing) migrated PostgreSQL database. */
export class PostgresConnection {
  /** The URL without its password. */
  readonly location: string;
  readonly readonly: boolean;
  /** The schema version when opened, before any upgrade. */
  readonly openedAtVersion: number;
  /** The columns `run_details` has (fewer in an older schema read as it is). */
  readonly detailColumns: ReadonlySet<string>;
  private readonly pool: pg.Pool;
  private readonly statementNames = new Map<string, string>();
  private closed = false;

  /** Whether the database has schema 7's tables (`run_oos_metrics`, `walk_forwards`, `walk_forward_windows`). */
  readonly hasWalkForwardTables: boolean;

  private constructor(
    pool: pg.Pool,
    location: string,
    readonly: boolean,
    version: number,
    missing: readonly number[] = [],
  ) {
    this.pool = pool;
    this.location = location;
    this.readonly = readonly;
    this.openedAtVersion = version;
    // Read as it is, a database lacks the steps it skipped (released after a later one it has).
    this.detailColumns = readonly
      ? detailColumnsAt(version, missing)
      : detailColumnsAt(CURRENT_POSTGRES_SCHEMA_VERSION);
    this.hasWalkForwardTables =
      !readonly || (version >= WALK_FORWARD_SCHEMA_VERSION && !missing.includes(WALK_FORWARD_SCHEMA_VERSION));
  }

  /**
   * Connects to `url`, checks what the database holds and, for writing, creates or upgrades this
   * project's tables. Refuses (one line, nothing changed): a server that cannot be reached, a
   * schema newer than this build, a schema holding other tables but no `backtest_results`
   * (unless `init`), and for reading a database without this project's tables.
   */
  static async open(url: string, options: OpenPostgresOptions = {}): Promise<PostgresConnection> {
    const location = redactDatabaseUrl(url);
    const readonly = options.readonly ?? false;
    const max = options.maxConnections ?? 4;
    if (!Number.isInteger(max) || max < 1) throw new ConfigError(`maxConnections is ${max}; use a whole number from 1`);
    const pool = new pg.Pool({
      connectionString: withOriginOptions(url),
      max,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 15_000,
      application_name: 'backtest-ledger',
      types: TYPES,
      // Belt and braces: writes are refused before any SQL, and the server refuses them too.
      ...(readonly
        ? {
            onConnect: async (client: pg.ClientBase) => {
              await client.query('SET default_transaction_read_only = on');
            },
          }
        : {}),
    });
    // An idle connection the server drops (restart, network) must not crash the process.
    pool.on('error', () => {});
    try {
      const state = await readState(pool, location, options.init ?? false, readonly);
      const missing = readonly ? (await missingSteps(pool)).map((m) => m.version) : [];
      const connection = new PostgresConnection(pool, location, readonly, state.version, missing);
      // A step released after a later one (6 after 8) is missing from databases made meanwhile.
      if (!readonly && (state.version < CURRENT_POSTGRES_SCHEMA_VERSION || (await missingSteps(pool)).length > 0)) {
        await connection.migrate(state, options.onNotice);
      }
      return connection;
    } catch (error) {
      await pool.end().catch(() => {});
      throw toStoreError(error, location, 'open it');
    }
  }

  private async migrate(state: DatabaseState, onNotice: ((message: string) => void) | undefined): Promise<void> {
    let applied: PostgresMigrationStep[] = [];
    for (const migration of POSTGRES_MIGRATIONS) {
      try {
        const ran = await this.transaction(async (client) => {
          await client.query({
            text: 'SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))',
            values: [MIGRATION_LOCK_KEY],
          });
          await client.query(
            'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
          );
          // Read again under the lock: another process may have applied this step meanwhile.
          // Steps are recorded one by one, so a step a database skipped (released after a later
          // one it has) is applied too.
          const version = await currentVersion(client);
          if (version > CURRENT_POSTGRES_SCHEMA_VERSION) throw newerSchemaError(this.location, version);
          if (version >= migration.version && !(await missingSteps(client)).includes(migration)) return false;
          await migration.up(client);
          await client.query({
            text: 'INSERT INTO schema_migrations (version, description) VALUES ($1, $2)',
            values: [migration.version, migration.description],
          });
          return true;
        });
        if (ran) applied = [...applied, migration];
      } catch (error) {
        if (error instanceof StoreError) throw error;
        const cause = toStoreError(error, this.location, 'upgrade its schema');
        throw new StoreError(
          `database ${this.location}: upgrading the schema to version ${migration.version} (${migration.description}) failed, so it stays at the version before: ${cause.message}`,
          { cause: error },
        );
      }
    }
    if (applied.length === 0) return;
    if (state.version === 0 && !state.hasResults) {
      onNotice?.(
        `Created this project's tables in ${this.location} (schema version ${CURRENT_POSTGRES_SCHEMA_VERSION})`,
      );
    } else if (state.version === 0) {
      onNotice?.(
        `Upgraded ${this.location}: added side tables for run details, trades and sweeps; backtest_results and its rows are unchanged`,
      );
    } else {
      const versions =
        state.version === CURRENT_POSTGRES_SCHEMA_VERSION
          ? `at schema version ${CURRENT_POSTGRES_SCHEMA_VERSION}`
          : `from schema version ${state.version} to ${CURRENT_POSTGRES_SCHEMA_VERSION}`;
      onNotice?.(
        `Upgraded ${this.location} ${versions}: ${applied.map((m) => m.description).join('; ')}, every value kept`,
      );
    }
  }

  /** The schema version now (`max(version)` of `schema_migrations`). */
  async schemaVersion(): Promise<number> {
    return this.read('read its schema version', (client) => currentVersion(client));
  }

  /** Closes every connection; later calls throw a `StoreError`. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Refuses a write on a read-only store, before any SQL runs. */
  checkWritable(action: string): void {
    if (this.readonly) throw new StoreError(`database ${this.location} is open read-only; cannot ${action}`);
  }

  private checkOpen(action: string): void {
    if (this.closed) throw new StoreError(`database ${this.location} is closed; cannot ${action}`);
  }

  /**
   * One statement outside a transaction (atomic on its own), with its errors as `StoreError`s.
   * `prepared`: prepare it once per connection (for statements run many times).
   */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(
    action: string,
    query: BoundQuery,
    options: { readonly prepared?: boolean; readonly rowMode?: 'array'; readonly write?: boolean } = {},
  ): Promise<pg.QueryResult<R>> {
    this.checkOpen(action);
    if (options.write === true) this.checkWritable(action);
    try {
      return await this.pool.query<R>(this.config(query, options));
    } catch (error) {
      throw toStoreError(error, this.location, action);
    }
  }

  /** A query config for a client or the pool: named (prepared) when asked. */
  config(
    query: BoundQuery,
    options: { readonly prepared?: boolean; readonly rowMode?: 'array' } = {},
  ): pg.QueryConfig<unknown[]> {
    const config: pg.QueryConfig<unknown[]> & { rowMode?: 'array' } = {
      text: query.text,
      values: query.values as unknown[],
    };
    if (options.rowMode === 'array') config.rowMode = 'array';
    if (options.prepared === true) {
      let name = this.statementNames.get(query.text);
      if (name === undefined) {
        name = `backtest_${this.statementNames.size + 1}`;
        this.statementNames.set(query.text, name);
      }
      config.name = name;
    }
    return config;
  }

  /** A read-only transaction (one consistent snapshot for several statements). */
  async read<T>(action: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.checkOpen(action);
    try {
      return await this.transaction(fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    } catch (error) {
      throw toStoreError(error, this.location, action);
    }
  }

  /** A write transaction; refused on a read-only store. */
  async write<T>(action: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.checkOpen(action);
    this.checkWritable(action);
    try {
      return await this.transaction(fn);
    } catch (error) {
      throw toStoreError(error, this.location, action);
    }
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: drop it rather than reuse it.
      client.release(broken);
    }
  }
}

type PostgresMigrationStep = (typeof POSTGRES_MIGRATIONS)[number];

/** What a database holds before this build touches it. */
interface DatabaseState {
  readonly version: number;
  readonly hasResults: boolean;
}

async function currentVersion(client: pg.PoolClient | pg.Pool): Promise<number> {
  const found = await client.query<{ exists: boolean }>(
    "SELECT to_regclass(quote_ident(current_schema()) || '.schema_migrations') IS NOT NULL AS exists",
  );
  if (found.rows[0]?.exists !== true) return 0;
  const result = await client.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Steps this build knows that a database has not recorded although its version is past them: a
 * later step was released first (8 before 6) and the database was made by a build without them.
 */
async function missingSteps(client: pg.PoolClient | pg.Pool): Promise<PostgresMigrationStep[]> {
  const version = await currentVersion(client);
  if (version === 0) return [];
  const result = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const recorded = new Set(result.rows.map((row) => Number(row.version)));
  return POSTGRES_MIGRATIONS.filter((m) => m.version <= version && !recorded.has(m.version));
}

function newerSchemaError(location: string, version: number): StoreError {
  return new StoreError(
    `database ${location} has schema version ${version}, newer than version ${CURRENT_POSTGRES_SCHEMA_VERSION} that this build understands; upgrade backtest-ledger (the database was not changed)`,
  );
}

/**
 * Reads the schema version and checks, before anything is written, that this build may use
 * the database: not newer than this build, not another program's tables (unless `init`), and
 * for reading, this project's tables present.
 */
async function readState(pool: pg.Pool, location: string, init: boolean, readonly: boolean): Promise<DatabaseState> {
  const client = await pool.connect();
  try {
    const schema = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema;
    if (schema === null || schema === undefined) {
      throw new StoreError(
        `database ${location} has no schema to use: none of its search_path exists; create one (CREATE SCHEMA) or fix search_path`,
      );
    }
    const version = await currentVersion(client);
    if (version > CURRENT_POSTGRES_SCHEMA_VERSION) throw newerSchemaError(location, version);
    const tables = await client.query<{ name: string }>({
      text: "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
      values: [schema],
    });
    const names = new Set(tables.rows.map((r) => r.name));
    const hasResults = names.has('backtest_results');
    if (readonly && version === 0) {
      throw new StoreError(
        `database ${location} has no backtest tables yet; save a run first (backtest run ... --save-to-db --db URL)`,
      );
    }
    if (version === 0 && hasResults) {
      const columns = await client.query<{ name: string }>({
        text: "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'backtest_results'",
        values: [schema],
      });
      const have = new Set(columns.rows.map((r) => r.name));
      const missing = LEGACY_COLUMNS.filter((c) => !have.has(c.name)).map((c) => c.name);
      if (missing.length > 0) {
        throw new StoreError(
          `database ${location} has a backtest_results table without column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so it was not made by this tool or the older one; it was left untouched`,
        );
      }
    }
    if (version === 0 && !hasResults && names.size > 0 && !init) {
      throw new StoreError(
        `database ${location} is not a backtest database (schema ${schema} has ${names.size} table${names.size === 1 ? '' : 's'} but no backtest_results); it was left untouched: pass --init to add this project's tables to it, or choose another --db`,
      );
    }
    return { version, hasResults };
  } finally {
    client.release();
  }
}

/**
 * `url` with {@link originOptions} added to its `options` parameter (the driver lets a URL's
 * parameters win over its config, so they go into the URL), for the defaults of
 * `run_details.run_user` and `run_host` (schema version 8). A URL that does not parse is
 * returned as it is (the driver words its error).
 */
export function withOriginOptions(url: string): string {
  try {
    const parsed = new URL(url);
    const given = parsed.searchParams.get('options');
    parsed.searchParams.set(
      'options',
      given === null || given.trim() === '' ? originOptions() : `${given} ${originOptions()}`,
    );
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Startup options naming the user and host of this process (`-c backtest.run_user=... -c
 * backtest.run_host=...`), read by the column defaults of `run_details`. Characters other than
 * letters, digits and `._@-` become `_` (the options string splits on spaces).
 */
export function originOptions(): string {
  const clean = (value: string): string => value.replace(/[^A-Za-z0-9._@-]/g, '_') || 'unknown';
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `-c backtest.run_user=${clean(user)} -c backtest.run_host=${clean(os.hostname())}`;
}
