/**
 * What `sweeps show` adds for a distributed sweep: its jobs and the workers seen, read from the
 * PostgreSQL database that holds its queue.
 */
import { formatTimeMs } from '../app/format-values.js';
import {
  DEFAULT_RUN_TIMEOUT_SECONDS,
  type DistributedProgress,
  distributedProgress,
  distributedSettingsOf,
} from '../app/sweep/distributed-sweep.js';
import { isPostgresUrl } from '../store/database-url.js';
import { resolveDatabasePath, type SweepRecord } from '../store/index.js';
import type { CliIO } from './cli-io.js';
import { renderTable } from './format.js';

/**
 * The progress of a distributed sweep (planned, done, failed, running, jobs, workers), or
 * `undefined` for a sweep that was not enqueued with `sweep --distributed`.
 *
 * @example
 * const progress = await readDistributedProgress(record, options.db, io);
 */
export async function readDistributedProgress(
  record: SweepRecord,
  db: string | undefined,
  io: CliIO,
): Promise<DistributedProgress | undefined> {
  if (distributedSettingsOf(record.definition) === undefined) return undefined;
  const url = resolveDatabasePath(db, io.env, io.cwd);
  if (!isPostgresUrl(url)) return undefined;
  return distributedProgress(url.trim(), record.definition.sweepId);
}

/** The lines `sweeps show` prints for a distributed sweep. */
export function renderDistributedProgress(record: SweepRecord, progress: DistributedProgress): string {
  const settings = distributedSettingsOf(record.definition);
  const { jobs } = progress;
  const head =
    `Distributed: ${progress.planned} planned, ${progress.done} done (${progress.done - progress.failed} saved, ` +
    `${progress.failed} failed), ${progress.running} running; jobs of up to ${settings?.batchSize ?? '?'} ` +
    `leased for ${settings?.leaseSeconds ?? '?'} s: ${jobs.pending} waiting, ${jobs.active} leased, ` +
    `${jobs.completed} completed, ${jobs.failed} failed; a configuration may run ` +
    `${settings?.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS} s\n`;
  if (progress.workers.length === 0) return `${head}No worker has taken a job yet (backtest worker --db URL).\n`;
  const rows = progress.workers.map((w) => [
    w.workerId,
    `${w.user}@${w.host}`,
    String(w.pid),
    String(w.saved),
    String(w.failed),
    formatTimeMs(w.lastSeenMs),
  ]);
  return `${head}Workers seen:\n${renderTable(['Worker', 'User@host', 'PID', 'Saved', 'Failed', 'Last seen (UTC)'], rows)}`;
}
