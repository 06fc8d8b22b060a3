import { existsSync } from 'node:fs';
import { StoreError } from '../core/errors.js';
import { resolveDatabasePath, TradingDatabase } from '../store/index.js';

/** Where to find the database: an explicit path, else `$BACKTEST_DB`, else `./data/trading.db`. */
export interface HistoryLocation {
  readonly db?: string | undefined;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Opens the run history for a command that writes (saving, importing, deleting): the file
 * and its folder are created when missing, and an older schema is upgraded in place.
 *
 * @example
 * const db = openHistoryForWriting({ cwd: process.cwd(), env: process.env });
 */
export function openHistoryForWriting(location: HistoryLocation): TradingDatabase {
  return TradingDatabase.open(resolveDatabasePath(location.db, location.env, location.cwd));
}

/**
 * Opens the run history for a command that only reads. A missing file is an error, never
 * created. A database written by the older tool is upgraded in place first (adding columns
 * only), so its runs list and rank like new ones.
 *
 * @example
 * const db = openHistoryForReading({ db: 'runs.db', cwd: process.cwd(), env: process.env });
 */
export function openHistoryForReading(location: HistoryLocation): TradingDatabase {
  const path = resolveDatabasePath(location.db, location.env, location.cwd);
  if (!existsSync(path)) {
    throw new StoreError(`no database at ${path}; save a run first (backtest run ... --save-to-db) or pass --db PATH`);
  }
  return TradingDatabase.open(path);
}

/** Runs `work` with an open database and always closes it. */
export async function withDatabase<T>(db: TradingDatabase, work: (db: TradingDatabase) => T | Promise<T>): Promise<T> {
  try {
    return await work(db);
  } finally {
    db.close();
  }
}
