import { openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import { StoreError, UsageError } from '../../core/errors.js';
import type { CliIO } from '../cli-io.js';

/** Flags and arguments of `backtest delete`. */
export interface DeleteCommandOptions {
  readonly ids: readonly number[];
  readonly yes: boolean;
  readonly db?: string;
}

/**
 * `backtest delete ID ...`: removes runs (and their stored curves) in one transaction. Every id
 * must exist, or nothing is deleted. Asks first unless `--yes`.
 */
export async function deleteCommand(options: DeleteCommandOptions, io: CliIO): Promise<void> {
  const ids = [...new Set(options.ids)];
  await withDatabase(openHistoryForWriting({ db: options.db, cwd: io.cwd, env: io.env }), async (store) => {
    const found = await Promise.all(ids.map((id) => store.findRun(id)));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length > 0) {
      throw new StoreError(`no saved run with id ${missing.join(', ')}; nothing was deleted`);
    }
    if (!options.yes) {
      const question = `Delete ${ids.length} run${ids.length === 1 ? '' : 's'} (${ids.join(', ')})?`;
      if (!io.interactive) {
        throw new UsageError(
          `not deleting ${ids.length} run${ids.length === 1 ? '' : 's'} without confirmation; pass --yes`,
        );
      }
      if (!(await io.confirm(question))) {
        io.err('Nothing deleted.\n');
        return;
      }
    }
    const deleted = await store.deleteRuns(ids);
    io.out(`Deleted ${deleted} run${deleted === 1 ? '' : 's'}.\n`);
  });
}
