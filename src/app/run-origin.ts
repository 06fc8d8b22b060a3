/** Who produced a stored run: the user and host recorded with it (PostgreSQL, schema version 8). */

/** The user and host of the process that saved a run; `null` where the store did not record it. */
export interface RunOriginInfo {
  readonly user: string | null;
  readonly host: string | null;
}

type OriginReader = { readonly origins: (ids: readonly number[]) => Promise<Map<number, RunOriginInfo>> };

/**
 * Who produced a stored run, when its store records it (the PostgreSQL store's `distributed`
 * records); `undefined` for stores that do not (SQLite).
 *
 * @example
 * const origin = await runOriginOf(store, 42); // { user: 'ana', host: 'box-3' }
 */
export async function runOriginOf(store: object, id: number): Promise<RunOriginInfo | undefined> {
  const distributed = (store as { distributed?: Partial<OriginReader> }).distributed;
  if (distributed === undefined || typeof distributed.origins !== 'function') return undefined;
  return (await (distributed as OriginReader).origins([id])).get(id);
}
