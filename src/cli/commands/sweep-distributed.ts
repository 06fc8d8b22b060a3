import { resolve } from 'node:path';
import { toJsonText } from '../../app/json-text.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_LEASE_SECONDS,
  type DistributedProgress,
  enqueueDistributedSweep,
  requeueDistributedSweep,
  watchDistributedSweep,
} from '../../app/sweep/distributed-sweep.js';
import { UsageError } from '../../core/errors.js';
import { redactDatabaseUrl } from '../../store/database-url.js';
import { isStrategyModulePath, parseParamFlags } from '../../strategies/index.js';
import type { CliIO } from '../cli-io.js';
import { type Progress, startProgress } from '../progress.js';
import { loadBarsForRun, runConfigFromFlags } from './run.js';
import { SomeRunsFailedError, type SweepCommandOptions } from './sweep.js';
import { requirePostgresUrl } from './worker.js';

/** Flags of a local sweep that a distributed one does not take (its workers decide those). */
const LOCAL_ONLY: readonly (readonly [string, (o: SweepCommandOptions) => unknown])[] = [
  // Read loosely: the out-of-sample flags are declared by the out-of-sample work.
  ['--oos-from', (o) => (o as { oosFrom?: unknown }).oosFrom],
  ['--oos-fraction', (o) => (o as { oosFraction?: unknown }).oosFraction],
  ['--workers', (o) => o.workers],
  ['--init', (o) => (o.init === true ? true : undefined)],
];

/**
 * `backtest sweep --distributed`: stores the sweep and its bars in PostgreSQL, enqueues one job
 * per `--batch-size` configurations, prints the sweep id and shows progress until no job waits
 * or is leased (`--detach`: returns at once). `backtest worker` processes run the jobs. Ctrl-C
 * stops watching only: the sweep goes on on the workers.
 *
 * @example
 * await distributedSweepCommand({ ...flags, db: 'postgres://backtest:secret@db/runs', distributed: true }, io);
 */
export async function distributedSweepCommand(options: SweepCommandOptions, io: CliIO): Promise<void> {
  const url = requirePostgresUrl('sweep --distributed', options.db, io);
  for (const [flag, value] of LOCAL_ONLY) {
    if (value(options) !== undefined) throw new UsageError(`${flag} does not apply to sweep --distributed`);
  }
  const bars = await loadBarsForRun(options, io);
  const enqueued = await enqueueDistributedSweep({
    url,
    bars,
    strategy: isStrategyModulePath(options.strategy) ? resolve(io.cwd, options.strategy) : options.strategy,
    grid: options.grid,
    where: options.where,
    fixedParams: parseParamFlags([...(options.param ?? [])]),
    config: runConfigFromFlags(options),
    notes: options.notes,
    leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    runTimeoutSeconds: options.runTimeout,
  });
  const where = redactDatabaseUrl(url);
  if (options.json && options.detach === true) {
    io.out(`${toJsonText({ ...enqueued, database: where })}\n`);
    return;
  }
  if (!options.json) {
    io.out(
      `Sweep ${enqueued.sweepId}: ${enqueued.planned} configurations of ${bars.symbol} ${bars.timeframe} enqueued as ` +
        `${enqueued.jobs} jobs of up to ${enqueued.batchSize} (lease ${enqueued.leaseSeconds} s) in ${where}\n` +
        `Run them with: backtest worker --db ${where}   (on any machine that reaches the database)\n`,
    );
  }
  if (options.detach === true) {
    if (!options.json) io.out(`Progress: backtest sweeps show ${enqueued.sweepId} --db ${where}\n`);
    return;
  }

  await watchToTheEnd(url, enqueued.sweepId, enqueued.planned, options.json, io, (last) => ({
    ...enqueued,
    database: where,
    progress: last,
  }));
}

/** Flags of `backtest sweeps resume ID` that the distributed path reads. */
export interface DistributedResumeOptions {
  readonly detach?: boolean | undefined;
  readonly json: boolean;
}

/**
 * `backtest sweeps resume ID` of a distributed sweep: enqueues again the batches that hold a
 * configuration with no saved run (missing or failed) and watches until no job waits or is
 * leased (`--detach`: returns at once). The workers run them; nothing runs here, so a resume
 * never saves a configuration the workers save too.
 */
export async function resumeDistributedSweep(
  url: string,
  sweepId: string,
  options: DistributedResumeOptions,
  io: CliIO,
): Promise<void> {
  const requeued = await requeueDistributedSweep(url, sweepId);
  const where = redactDatabaseUrl(url);
  const left = requeued.planned - requeued.saved;
  if (options.json && (options.detach === true || left === 0)) {
    io.out(`${toJsonText({ ...requeued, database: where })}\n`);
    return;
  }
  if (left === 0) {
    io.out(`Nothing left to run: all ${requeued.planned} configurations of sweep ${sweepId} are saved.\n`);
    return;
  }
  if (!options.json) {
    const queued = requeued.alreadyQueued > 0 ? `; ${requeued.alreadyQueued} are in jobs still queued or leased` : '';
    io.out(
      `Sweep ${sweepId}: ${left} of ${requeued.planned} configurations have no saved run ` +
        `(${requeued.missing} not run, ${requeued.failed} failed)${queued}; enqueued ${requeued.jobs} jobs ` +
        `of up to ${requeued.batchSize} (lease ${requeued.leaseSeconds} s) in ${where}\n` +
        `Run them with: backtest worker --db ${where}   (on any machine that reaches the database)\n`,
    );
  }
  if (options.detach === true) {
    io.out(`Progress: backtest sweeps show ${sweepId} --db ${where}\n`);
    return;
  }
  await watchToTheEnd(url, sweepId, requeued.planned, options.json, io, (last) => ({
    ...requeued,
    database: where,
    progress: last,
  }));
}

/**
 * Shows a distributed sweep's progress until no job waits or is leased, then its last line
 * (or JSON); Ctrl-C stops watching only. Exit 1 when configurations failed.
 */
async function watchToTheEnd(
  url: string,
  sweepId: string,
  planned: number,
  json: boolean,
  io: CliIO,
  asJson: (last: DistributedProgress) => Record<string, unknown>,
): Promise<void> {
  const where = redactDatabaseUrl(url);
  const controller = new AbortController();
  // `once`: a second Ctrl-C falls back to Node's default and ends the process.
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const progress: Progress = startProgress(io, 'Sweep', planned);
  let last: DistributedProgress;
  try {
    last = await watchDistributedSweep(
      url,
      sweepId,
      (p) => progress.update(p.done, describeProgress(p)),
      controller.signal,
    );
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
  }
  if (json) {
    io.out(`${toJsonText(asJson(last))}\n`);
  } else {
    io.out(
      `Sweep ${sweepId}: ${last.done - last.failed} of ${last.planned} runs saved, ${last.failed} failed, ` +
        `by ${last.workers.length} worker${last.workers.length === 1 ? '' : 's'}\n`,
    );
  }
  if (controller.signal.aborted) {
    io.err(`Stopped watching; the sweep goes on on the workers (backtest sweeps show ${sweepId} --db ${where})\n`);
    return;
  }
  if (last.failed > 0) throw new SomeRunsFailedError(last.failed, last.planned);
}

function describeProgress(p: DistributedProgress): string {
  const parts = [`${p.running} running`, `${p.workers.length} workers`];
  if (p.failed > 0) parts.push(`${p.failed} failed`);
  return parts.join(', ');
}
