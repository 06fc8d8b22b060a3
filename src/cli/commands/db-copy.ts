import { copyHistory } from '../../app/copy-history.js';
import { toJsonText } from '../../app/json-text.js';
import { openHistoryForReading, openHistoryForWriting } from '../../app/open-history.js';
import { UsageError } from '../../core/errors.js';
import { resolveDatabasePath } from '../../store/index.js';
import { describeDatabase } from '../../store/database-url.js';
import type { CliIO } from '../cli-io.js';
import { type Progress, startProgress } from '../progress.js';

/** Flags of `backtest db copy`. */
export interface DbCopyCommandOptions {
  /** A SQLite file path or a PostgreSQL URL to copy from (read only). */
  readonly from: string;
  /** A SQLite file path or a PostgreSQL URL to copy into (created or upgraded as a save would). */
  readonly to: string;
  /** Runs per transaction; default 500. */
  readonly batch?: number | undefined;
  /** Add this project's tables to a database of another program (`--init`). */
  readonly init?: boolean | undefined;
  /** Print the summary as JSON instead of a line. */
  readonly json?: boolean | undefined;
}

/**
 * `backtest db copy --from A --to B`: every run (with its curve, trades and side data), sweep,
 * walk-forward group and bar set of one store into another, SQLite or PostgreSQL either way.
 * Runs already in the target (same UUID) are skipped, so running it twice copies nothing twice.
 * Progress on standard error; one summary line (or with `json`, a JSON object) on standard
 * output, naming URLs without their passwords.
 *
 * @example
 * await dbCopyCommand({ from: 'data/trading.db', to: 'postgres://backtest:secret@db.local/runs' }, io);
 */
export async function dbCopyCommand(options: DbCopyCommandOptions, io: CliIO): Promise<void> {
  const from = resolveDatabasePath(options.from, {}, io.cwd);
  const to = resolveDatabasePath(options.to, {}, io.cwd);
  if (from === to) {
    throw new UsageError(`--from and --to are the same database (${describeDatabase(from)}); name two different ones`);
  }
  const batch = options.batch ?? 500;
  if (!Number.isInteger(batch) || batch < 1 || batch > 10_000) {
    throw new UsageError(`--batch ${batch} is not a whole number from 1 to 10000`);
  }
  const source = await openHistoryForReading({ db: from, cwd: io.cwd, env: io.env });
  try {
    const target = await openHistoryForWriting({
      db: to,
      cwd: io.cwd,
      env: io.env,
      init: options.init,
      onNotice: (line) => io.err(`${line}\n`),
    });
    let progress: Progress | undefined;
    let stage: string | undefined;
    try {
      const summary = await copyHistory(source, target, {
        batchSize: batch,
        onProgress: (name, done, total, detail) => {
          if (name !== stage) {
            progress?.stop();
            stage = name;
            progress = startProgress(io, name === 'runs' ? 'Runs' : 'Bar sets', total);
          }
          progress?.update(done, detail);
        },
      });
      progress?.stop();
      progress = undefined;
      if (options.json === true) {
        io.out(`${toJsonText({ from: source.location, to: target.location, ...summary })}\n`);
      } else {
        io.out(
          `Copied ${summary.runsCopied} runs (${summary.runsPresent} already there), ` +
            `${summary.sweepsCopied} sweeps (${summary.sweepsUpdated} already there, status updated), ` +
            `${summary.walkForwardsCopied} walk-forward groups (${summary.walkForwardsUpdated} already there, status updated) and ` +
            `${summary.barSets} bar sets (${summary.bars} bars) from ${source.location} to ${target.location}\n`,
        );
      }
    } finally {
      progress?.stop();
      await target.close();
    }
  } finally {
    await source.close();
  }
}
