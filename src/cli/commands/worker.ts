import { runSweepWorker } from '../../app/sweep/distributed-worker.js';
import { UsageError } from '../../core/errors.js';
import { isPostgresUrl } from '../../store/database-url.js';
import { resolveDatabasePath } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';

/** Flags of `backtest worker`, as commander parses them. */
export interface WorkerCommandOptions {
  /** A PostgreSQL URL (default: `$BACKTEST_DB`). */
  readonly db?: string;
  /** Worker threads; default: the machine's available parallelism. */
  readonly concurrency?: number;
  /** Exit once no sweep has a job waiting or leased. */
  readonly exitWhenIdle: boolean;
  /** Stops the worker as SIGTERM does (tests). */
  readonly signal?: AbortSignal;
}

/**
 * The PostgreSQL URL a distributed command uses: `--db`, else `$BACKTEST_DB`; a one-line usage
 * error (exit 2) when that is a SQLite file, since the job queue lives in PostgreSQL.
 *
 * @example
 * requirePostgresUrl('sweep --distributed', undefined, io); // 'postgres://...' from $BACKTEST_DB
 */
export function requirePostgresUrl(what: string, db: string | undefined, io: CliIO): string {
  const location = resolveDatabasePath(db, io.env, io.cwd);
  if (!isPostgresUrl(location)) {
    throw new UsageError(
      `${what} needs a PostgreSQL database (the job queue lives there): pass --db postgres://user:password@host:port/database`,
    );
  }
  return location.trim();
}

/**
 * `backtest worker`: runs distributed sweep jobs from the database's queue until stopped.
 * SIGTERM or Ctrl-C returns the job in hand to the queue (another worker takes it at once) and
 * exits; `--exit-when-idle` exits once no sweep has a job waiting or leased.
 *
 * @example
 * await workerCommand({ db: 'postgres://backtest:secret@db.local/runs', exitWhenIdle: true }, io);
 */
export async function workerCommand(options: WorkerCommandOptions, io: CliIO): Promise<void> {
  const url = requirePostgresUrl('worker', options.db, io);
  const controller = new AbortController();
  options.signal?.addEventListener('abort', () => controller.abort(), { once: true });
  // `once`: a second signal while the job is being returned falls back to Node's default.
  const onSignal = (): void => {
    io.err('Stopping: returning the job in hand to the queue\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const summary = await runSweepWorker({
      url,
      concurrency: options.concurrency,
      exitWhenIdle: options.exitWhenIdle,
      signal: controller.signal,
      onEvent: (line) => io.err(`${line}\n`),
    });
    io.out(
      `Worker ${summary.workerId}: ${summary.jobs} jobs, ${summary.saved} runs saved, ${summary.failed} failed` +
        (summary.duplicates > 0 ? `, ${summary.duplicates} already saved by another worker` : '') +
        '\n',
    );
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
