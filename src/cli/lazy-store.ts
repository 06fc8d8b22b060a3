/**
 * The database a sweep or walk-forward saves to, opened on first use: they open it once their
 * grid is planned, so a grid with nothing to run creates no file.
 */
import { openHistoryForWriting } from '../app/open-history.js';
import type { RunStore } from '../store/index.js';
import type { CliIO } from './cli-io.js';

/** Opens the store on demand and remembers it, to close it and name it in errors. */
export interface LazyStore {
  /** Opens it (with `--init` and the one-line notices of a first write). */
  open(): Promise<RunStore>;
  /** The store once opened, else `undefined`. */
  opened(): RunStore | undefined;
}

/**
 * @example
 * const store = lazyStore(options, io);
 * await runSweep({ ...rest, db: store.open }); await store.opened()?.close();
 */
export function lazyStore(
  options: { readonly db?: string | undefined; readonly init?: boolean | undefined },
  io: CliIO,
): LazyStore {
  let store: RunStore | undefined;
  return {
    open: async () => {
      store = await openHistoryForWriting({
        db: options.db,
        init: options.init,
        cwd: io.cwd,
        env: io.env,
        onNotice: (message) => io.err(`${message}\n`),
      });
      return store;
    },
    opened: () => store,
  };
}
