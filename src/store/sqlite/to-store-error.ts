import Database from 'better-sqlite3';
import { AppError, StoreBusyError, StoreError } from '../../core/errors.js';

/** Plain-words explanations of the SQLite result codes a user can run into. */
const EXPLANATIONS: readonly (readonly [prefix: string, explanation: string])[] = [
  ['SQLITE_NOTADB', 'is not a SQLite database (or is encrypted); it was left untouched'],
  ['SQLITE_CORRUPT', 'is corrupt; restore it from a backup or export what is still readable'],
  ['SQLITE_BUSY', 'is locked by another process for longer than the busy timeout; try again when it has finished'],
  ['SQLITE_LOCKED', 'is locked by another connection; try again when it has finished'],
  [
    'SQLITE_READONLY',
    'is read-only (opened read-only, or the file or its folder may not be written); open it for writing or fix the permissions',
  ],
  ['SQLITE_CANTOPEN', 'cannot be opened; check that its folder exists and may be read and written'],
  ['SQLITE_FULL', 'cannot grow: the disk is full'],
  ['SQLITE_IOERR', 'could not be read or written (I/O error); check the disk'],
  ['SQLITE_PERM', 'may not be accessed (permission denied)'],
  ['SQLITE_CONSTRAINT', 'refused a row that breaks a table constraint'],
];

/**
 * Turns an error thrown while using the database at `path` into a {@link StoreError} that names
 * the file and says in plain words what went wrong; errors that already are an
 * {@link AppError} pass through unchanged. The original error is kept as `cause`.
 *
 * @example
 * try { stmt.run(); } catch (error) { throw toStoreError(error, '/data/trading.db', 'save a backtest'); }
 */
export function toStoreError(error: unknown, path: string, action: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof Database.SqliteError) {
    const explanation = EXPLANATIONS.find(([prefix]) => error.code.startsWith(prefix))?.[1];
    const detail = explanation ?? `failed with ${error.code}`;
    const message = `database ${path} ${detail} (while trying to ${action}: ${error.message})`;
    // Busy is the one failure worth retrying: the write did not happen and the lock will be freed.
    if (error.code.startsWith('SQLITE_BUSY')) return new StoreBusyError(message, { cause: error });
    return new StoreError(message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`database ${path}: could not ${action}: ${message}`, { cause: error });
}
