import { openStore, type RunStore, withStore } from '../store/index.js';

/** Where to find the run history: an explicit path, else `$BACKTEST_DB`, else `./data/trading.db`. */
export interface HistoryLocation {
  readonly db?: string | undefined;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Hears one line when a write creates the database or upgrades an older one. */
  readonly onNotice?: ((message: string) => void) | undefined;
  /** Writes may add this project's tables to another program's SQLite file (`--init`). */
  readonly init?: boolean | undefined;
}

/**
 * Opens the run history for a command that writes (saving, importing, deleting): the file
 * and its folder are created when missing, and an older schema is upgraded in place (side
 * tables added; the older tool's table is left as it is), with a notice saying so.
 *
 * @example
 * const store = await openHistoryForWriting({ cwd: process.cwd(), env: process.env });
 */
export function openHistoryForWriting(location: HistoryLocation): Promise<RunStore> {
  return openStore({
    db: location.db,
    cwd: location.cwd,
    env: location.env,
    onNotice: location.onNotice,
    init: location.init,
  });
}

/**
 * Opens the run history for a command that only reads. A missing file is an error, never
 * created, and nothing is ever written: a database of the older tool or of an earlier release
 * is read as it is, so its bytes are unchanged afterwards.
 *
 * @example
 * const store = await openHistoryForReading({ db: 'runs.db', cwd: process.cwd(), env: process.env });
 */
export function openHistoryForReading(location: HistoryLocation): Promise<RunStore> {
  return openStore({ db: location.db, cwd: location.cwd, env: location.env, readonly: true });
}

/**
 * Runs `work` with the store once it is open, and always closes it.
 *
 * @example
 * const rows = await withDatabase(openHistoryForReading(location), (store) => store.listRuns());
 */
export async function withDatabase<T>(
  opening: Promise<RunStore>,
  work: (store: RunStore) => T | Promise<T>,
): Promise<T> {
  return withStore(await opening, work);
}
