/**
 * One open SQLite file: opening and checking it, migrating it, prepared-statement cache and
 * transactions. The tables' code (runs, sweeps, bars) works through this object.
 *
 * Concurrency: WAL journal, a busy timeout (5 s by default) and BEGIN IMMEDIATE write
 * transactions, so several processes can save at once and readers never block writers.
 */
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

// URI file names (`file:...?immutable=1`) are how a database in a read-only folder is read;
// better-sqlite3 enables them only through this variable, read once when it opens its first file.
process.env.SQLITE_USE_URI ??= '1';
import { ConfigError, StoreError } from '../../core/errors.js';
import { LEGACY_COLUMNS } from '../run-row.js';
import { type RowSource, sideTablesSource, singleTableSource } from './row-source.js';
import {
  CURRENT_SCHEMA_VERSION,
  MIGRATIONS,
  type Migration,
  SIDE_TABLES_SCHEMA_VERSION,
  tableColumns,
} from './schema.js';
import { toStoreError } from './to-store-error.js';

/**
 * How durable a committed save is. `normal` (default): with WAL, a commit survives a crash of
 * the process (and of any other process) but the last commits before a power loss or OS crash
 * may be lost; the file is never corrupted. `full`: also survives power loss, at the cost of an
 * fsync per commit.
 */
export type SynchronousMode = 'normal' | 'full';

/**
 * Options for opening a SQLite file.
 *
 * @example
 * const db = TradingDatabase.open('data/trading.db', { readonly: true });
 */
export interface OpenDatabaseOptions {
  /**
   * Open without writing anything, ever: the file must exist, and an older schema (the older
   * tool's, or an earlier release's) is read as it is rather than upgraded.
   */
  readonly readonly?: boolean | undefined;
  /** Default `normal`; see {@link SynchronousMode}. */
  readonly synchronous?: SynchronousMode | undefined;
  /** How long a write waits for another process's write to finish, ms; default 5,000. */
  readonly busyTimeoutMs?: number | undefined;
  /** Receives one line when opening for writing upgrades the file (e.g. an older tool's database). */
  readonly onNotice?: ((message: string) => void) | undefined;
  /**
   * Add this project's tables to an existing SQLite file that has other tables but no
   * `backtest_results` (without it such a file is refused, to keep our tables out of a
   * database that belongs to something else). New and empty files never need it.
   */
  readonly init?: boolean | undefined;
}

type Statement = Database.Statement<unknown[], unknown>;

/** The WAL size SQLite cuts back to after a checkpoint: 32 MB. */
const WAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024;

/** An open, checked and (for writing) migrated SQLite file. */
export class SqliteConnection {
  readonly path: string;
  readonly readonly: boolean;
  /** The schema version the file had when opened (before any upgrade). */
  readonly openedAtVersion: number;
  /** Where each field of a run is read from in this file. */
  readonly rows: RowSource;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  /** One transaction wrapper for every callback: building a new one per save costs measurable time. */
  private readonly transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  private constructor(db: Database.Database, path: string, readonly: boolean, version: number) {
    this.db = db;
    this.path = path;
    this.readonly = readonly;
    this.openedAtVersion = version;
    this.transaction = db.transaction((fn: () => unknown) => fn());
    this.rows =
      readonly && version < SIDE_TABLES_SCHEMA_VERSION
        ? singleTableSource(tableColumns(db, 'backtest_results'))
        : sideTablesSource(
            readonly ? tableColumns(db, 'run_details') : undefined,
            // Read as it is, a file older than schema 7 has no out-of-sample table.
            !readonly || tableColumns(db, 'run_oos_metrics').size > 0,
          );
  }

  /**
   * Opens (and, for writing, creates and upgrades) the file at `path`; `':memory:'` gives a
   * private in-memory database. A file that is not a database, has a newer schema than this
   * build knows, or has a `backtest_results` table that is not the older tool's is refused with
   * a `StoreError` and left byte-for-byte unchanged.
   */
  static open(path: string, options: OpenDatabaseOptions = {}): SqliteConnection {
    const readonly = options.readonly ?? false;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const synchronous = options.synchronous ?? 'normal';
    if (synchronous !== 'normal' && synchronous !== 'full') {
      throw new ConfigError(`synchronous is "${String(synchronous)}"; choose normal or full`);
    }
    if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new ConfigError(`busyTimeoutMs is ${busyTimeoutMs}; it must be a whole number of milliseconds, 0 or more`);
    }
    if (typeof path !== 'string' || path === '')
      throw new ConfigError('database path is empty; pass a file path or ":memory:"');
    if (path !== ':memory:') checkFile(path, readonly);

    let db: Database.Database;
    try {
      db = readonly
        ? openForReading(path, busyTimeoutMs)
        : new Database(path, { readonly, fileMustExist: readonly, timeout: busyTimeoutMs });
    } catch (error) {
      throw toStoreError(error, path, 'open it');
    }
    try {
      const version = db.pragma('user_version', { simple: true }) as number;
      checkVersion(db, path, version, readonly ? false : (options.init ?? false));
      const connection = new SqliteConnection(db, path, readonly, version);
      connection.initialize(synchronous, options.onNotice);
      return connection;
    } catch (error) {
      db.close();
      throw toStoreError(error, path, 'open it');
    }
  }

  private initialize(synchronous: SynchronousMode, onNotice: ((message: string) => void) | undefined): void {
    // Side rows are deleted by triggers, never by foreign keys: other programs open the file
    // with foreign keys off, and the schema-3 table rebuild must not cascade.
    this.db.pragma('foreign_keys = OFF');
    // 64 MB page cache: best-of scans touch one page per run of a symbol, scattered over the file.
    this.db.pragma('cache_size = -65536');
    if (this.readonly) return;
    // WAL lets readers (the dashboard) work while a backtest saves; it is a persistent file setting.
    if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    // After a checkpoint, a WAL that grew past this is cut back rather than kept at its peak.
    this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    if (this.openedAtVersion < CURRENT_SCHEMA_VERSION || missingSteps(this.db, this.openedAtVersion).length > 0) {
      const hadRuns = tableColumns(this.db, 'backtest_results').size > 0;
      const skipped = missingSteps(this.db, this.openedAtVersion);
      this.migrate();
      if (hadRuns && this.openedAtVersion === 0) {
        onNotice?.(
          `Upgraded ${this.path}, a database of the older tool: added side tables for run details, trades and sweeps; backtest_results and its rows are unchanged`,
        );
      } else if (hadRuns) {
        const changes = MIGRATIONS.filter((m) => m.version > this.openedAtVersion || skipped.includes(m)).map(
          (m) => m.notice ?? m.description,
        );
        const versions =
          this.openedAtVersion === CURRENT_SCHEMA_VERSION
            ? `at schema version ${CURRENT_SCHEMA_VERSION}`
            : `from schema version ${this.openedAtVersion} to ${CURRENT_SCHEMA_VERSION}`;
        onNotice?.(`Upgraded ${this.path} ${versions}: ${changes.join('; ')}, every value kept`);
      }
    }
  }

  private migrate(): void {
    for (const migration of MIGRATIONS) {
      const step = () => {
        // Re-read inside the write lock: another process may have migrated meanwhile.
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version >= migration.version && (migration.applied === undefined || migration.applied(this.db))) return;
        migration.up(this.db);
        if (version < migration.version) this.db.pragma(`user_version = ${migration.version}`);
      };
      try {
        this.transaction.immediate(step);
      } catch (error) {
        const cause = toStoreError(error, this.path, 'upgrade its schema');
        throw new StoreError(
          `database ${this.path}: upgrading the schema to version ${migration.version} (${migration.description}) failed, so the file stays at version ${migration.version - 1}: ${cause.message}`,
          { cause: error },
        );
      }
    }
  }

  /** The schema version of the open file (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.guard('read its schema version', () => this.db.pragma('user_version', { simple: true }) as number);
  }

  /** True when the file has `table` (older files lack some side tables). */
  hasTable(table: string): boolean {
    return this.statement("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
  }

  /** Closes the file; later calls throw a `StoreError`. Safe to call twice. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn`, turning any SQLite failure into a `StoreError` naming the file and the action. */
  guard<T>(action: string, fn: () => T): T {
    if (!this.db.open) throw new StoreError(`database ${this.path} is closed; cannot ${action}`);
    try {
      return fn();
    } catch (error) {
      throw toStoreError(error, this.path, action);
    }
  }

  /** A cached prepared statement. */
  statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql) as Statement;
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** A BEGIN IMMEDIATE transaction: takes the write lock up front, so it waits instead of deadlocking. */
  write<T>(action: string, fn: () => T): T {
    if (this.readonly) {
      throw new StoreError(`database ${this.path} is open read-only; cannot ${action}`);
    }
    return this.guard(action, () => this.transaction.immediate(fn) as T);
  }

  /**
   * After a large write (a bar import, a big run import): copies the WAL into the database and
   * truncates it, so the WAL does not stay at the size of the largest transaction. Best effort:
   * when a reader still needs the old pages it is left for SQLite's next automatic checkpoint.
   */
  checkpointAfterLargeWrite(): void {
    if (this.readonly || !this.db.open) return;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // Busy with a reader: harmless, the WAL is checkpointed later.
    }
  }

  /** A read transaction, so that several statements see one consistent snapshot. */
  read<T>(action: string, fn: () => T): T {
    return this.guard(action, () => (this.db.inTransaction ? fn() : (this.transaction.deferred(fn) as T)));
  }
}

/**
 * Opens a file for reading. A WAL database needs its `-shm` file, which SQLite creates beside
 * it; in a folder that cannot be written (a read-only folder or mount) that fails. When neither
 * the file nor its folder can be written, no process can be writing the file either, so it is
 * opened as immutable: read without locks or side files. Never otherwise: a database a sweep
 * may be writing while the dashboard reads it must be read with locks.
 */
function openForReading(path: string, busyTimeoutMs: number): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
  try {
    db.pragma('user_version', { simple: true });
    return db;
  } catch (error) {
    db.close();
    const code = error instanceof Database.SqliteError ? error.code : '';
    if (!/^SQLITE_(CANTOPEN|READONLY)/.test(code) || canWrite(path) || canWrite(dirname(path))) throw error;
    const immutable = new Database(
      `file:${encodeURI(path).replaceAll('?', '%3f').replaceAll('#', '%23')}?immutable=1`,
      {
        readonly: true,
        fileMustExist: true,
      },
    );
    immutable.pragma('user_version', { simple: true });
    return immutable;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Steps a file at `version` lacks although its version is past them: a later step was released
 * first, and the file was made by a build without this one (see `Migration.applied`).
 */
function missingSteps(db: Database.Database, version: number): Migration[] {
  return MIGRATIONS.filter((m) => m.version <= version && m.applied !== undefined && !m.applied(db));
}

/** Refuses newer schemas and foreign `backtest_results` tables before anything is written. */
function checkVersion(db: Database.Database, path: string, version: number, init: boolean): void {
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new StoreError(
      `database ${path} has schema version ${version}, newer than version ${CURRENT_SCHEMA_VERSION} that this build understands; upgrade backtest-ledger (the file was not changed)`,
    );
  }
  if (version !== 0) return;
  // A version-0 file with a `backtest_results` table must be the older tool's, or we leave it alone.
  const existing = tableColumns(db, 'backtest_results');
  if (existing.size === 0) {
    // Another program's database: never give it our tables unless asked to.
    const tables = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get() as number;
    if (tables > 0 && !init) {
      throw new StoreError(
        `database ${path} is not a backtest database (it has ${tables} table${tables === 1 ? '' : 's'} but no backtest_results); it was left untouched: pass --init to add this project's tables to it, or choose another --db`,
      );
    }
    return;
  }
  const missing = LEGACY_COLUMNS.filter((c) => !existing.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new StoreError(
      `database ${path} has a backtest_results table without column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so it was not made by this tool or the older one; it was left untouched`,
    );
  }
}

function checkFile(path: string, readonly: boolean): void {
  if (!existsSync(path)) {
    if (readonly) throw new StoreError(`database ${path} does not exist (read-only access never creates it)`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new StoreError(`database ${path}: cannot create its folder: ${(error as Error).message}`, { cause: error });
    }
    return;
  }
  if (statSync(path).isDirectory()) throw new StoreError(`database ${path} is a folder, not a file`);
  if (readonly) return;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw new StoreError(
      `database ${path} is read-only (no write permission); fix its permissions or open it read-only`,
      { cause: error },
    );
  }
}
