/** Who produced a stored run: the user and host recorded with it (PostgreSQL, schema version 8). */
import type { RunStore } from '../store/index.js';

/** The user and host of the process that saved a run; `null` where the store did not record it. */
export interface RunOriginInfo {
  readonly user: string | null;
  readonly host: string | null;
}

type OriginReader = { readonly origins: (ids: readonly number[]) => Promise<Map<number, RunOriginInfo>> };

/**
 * Who produced a run of a distributed sweep (the worker's user and host), read from the
 * PostgreSQL store's `distributed` records; `undefined` for other runs and for stores that do not
 * record it (SQLite). Other runs are left out on purpose: a run copied in by `db copy` would name
 * the user and host that copied it.
 *
 * @example
 * const origin = await runOriginOf(store, 42, row.sweep_id); // { user: 'ana', host: 'box-3' }
 */
export async function runOriginOf(
  store: RunStore,
  id: number,
  sweepId: string | null,
): Promise<RunOriginInfo | undefined> {
  const distributed = (store as { distributed?: Partial<OriginReader> }).distributed;
  if (sweepId === null || distributed === undefined || typeof distributed.origins !== 'function') return undefined;
  const sweep = await store.findSweep(sweepId);
  // `distributed` (batch size and lease) rides in the definitions of `sweep --distributed` only.
  if (sweep === undefined || !('distributed' in sweep.definition)) return undefined;
  return (await (distributed as OriginReader).origins([id])).get(id);
}
