/**
 * Waiting out another process's write lock instead of losing computed results. SQLite's busy
 * timeout (5 s) covers short writes; a long `data import` or `import` can hold the lock longer,
 * and a save that gives up then would throw a finished backtest away.
 */
import { StoreBusyError, StoreError } from '../core/errors.js';

/** How long to keep trying and whom to tell. */
export interface LockWait {
  /** Give up after this long, ms; default 600,000 (`--lock-timeout 600`). */
  readonly timeoutMs?: number | undefined;
  /** Stops waiting at once (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
  /** Hears one line when waiting starts, and one every minute after. */
  readonly onWait?: ((message: string) => void) | undefined;
}

/** The default of `--lock-timeout`, seconds. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 600;

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;
const REMIND_EVERY_MS = 60_000;

/**
 * Runs a write, retrying with backoff while the store says another process holds its write
 * lock, until it succeeds, `timeoutMs` passes, or `signal` aborts. Any other failure is thrown
 * at once. `what` names the write in messages (`save 100 runs`).
 *
 * @example
 * const id = await withLockRetry('save the run', store.location, () => store.saveRun(input), { onWait: console.error });
 */
export async function withLockRetry<T>(
  what: string,
  location: string,
  write: () => Promise<T>,
  wait: LockWait = {},
): Promise<T> {
  const timeoutMs = wait.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_SECONDS * 1000;
  const started = Date.now();
  let delay = FIRST_DELAY_MS;
  let lastNotice = Number.NEGATIVE_INFINITY;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof StoreBusyError)) throw error;
      const waited = Date.now() - started;
      if (waited >= timeoutMs) {
        throw new StoreError(
          `gave up after ${Math.round(waited / 1000)} s waiting for another process to release the write lock of ${location}, to ${what} (--lock-timeout ${Math.round(timeoutMs / 1000)})`,
          { cause: error },
        );
      }
      if (wait.signal?.aborted === true) {
        throw new StoreError(`stopped while waiting for the write lock of ${location}, to ${what}`, { cause: error });
      }
      if (Date.now() - lastNotice >= REMIND_EVERY_MS) {
        lastNotice = Date.now();
        wait.onWait?.(
          `waiting for another process to release the write lock of ${location}, to ${what} ` +
            `(${Math.round(waited / 1000)} s so far; giving up after ${Math.round(timeoutMs / 1000)} s, or on Ctrl-C)`,
        );
      }
      await sleep(Math.min(delay, Math.max(0, timeoutMs - waited)), wait.signal);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
