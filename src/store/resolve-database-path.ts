import { resolve } from 'node:path';
import { isPostgresUrl } from './database-url.js';

/** Where the database lives when neither a path nor {@link DATABASE_PATH_ENV} is given, relative to the working folder. */
export const DEFAULT_DATABASE_PATH = 'data/trading.db';

/** Environment variable that overrides {@link DEFAULT_DATABASE_PATH}. */
export const DATABASE_PATH_ENV = 'BACKTEST_DB';

/**
 * The absolute path of the database to use: `explicit` if given (non-empty), else
 * `$BACKTEST_DB` if set and non-empty, else `./data/trading.db`; relative paths are resolved
 * against `cwd`. `':memory:'` and PostgreSQL URLs (`postgres://...`) are passed through unchanged. The folder is created when the
 * database is first opened for writing, not here.
 *
 * @example
 * resolveDatabasePath(undefined, { BACKTEST_DB: 'runs.db' }, '/home/me'); // '/home/me/runs.db'
 */
export function resolveDatabasePath(
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  const fromEnv = env[DATABASE_PATH_ENV];
  const chosen =
    explicit !== undefined && explicit !== ''
      ? explicit
      : fromEnv !== undefined && fromEnv !== ''
        ? fromEnv
        : DEFAULT_DATABASE_PATH;
  return chosen === ':memory:' || isPostgresUrl(chosen) ? chosen.trim() : resolve(cwd, chosen);
}
