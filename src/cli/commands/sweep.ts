import { lazyStore } from '../lazy-store.js';
import { formatMetricValue, metricHeader } from '../../app/format-values.js';
import { resolve } from 'node:path';
import { toJsonText } from '../../app/json-text.js';
import { InterruptedError } from '../../app/sweep/interrupted-error.js';
import { isStrategyModulePath, parseParamFlags } from '../../strategies/index.js';
import {
  runSweep,
  type SweepFailure,
  type SweepRow,
  type SweepStart,
  type SweepSummary,
  UnsavedResultsError,
} from '../../app/sweep/run-sweep.js';
import { AppError, UsageError } from '../../core/errors.js';
import type { MetricName } from '../../core/metric-catalog.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { type Progress, startProgress } from '../progress.js';
import { announcePlanning, capWorkers } from '../sweep-notes.js';
import { loadBarsForRun, lockTimeoutMs, type RunConfigFlags, runConfigFromFlags } from './run.js';
import { errorWithRecoveryFile } from '../../app/recovery-file.js';

/** Flags of `backtest sweep`, as commander parses them. */
export interface SweepCommandOptions extends RunConfigFlags {
  readonly data?: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
  /** Scale the `--data` file's prices by `Adj Close / Close`. */
  readonly adjusted?: boolean;
  /** IANA zone of the `--data` file's times written without an offset. */
  readonly tz?: string;
  /** `--start`: first bar time to use, unix ms (inclusive). */
  readonly start?: number;
  /** `--end`: last bar time to use, unix ms (inclusive). */
  readonly end?: number;
  /** `--oos-from`: every run's out-of-sample part starts at the first bar at or after this time, unix ms. */
  readonly oosFrom?: number;
  /** `--oos-fraction`: the last fraction of the bars is out of sample. */
  readonly oosFraction?: number;
  readonly strategy: string;
  /** `name=start..end:step`, `name=a,b,c` or `name=value`, one per swept parameter. */
  readonly grid: readonly string[];
  readonly where?: string;
  /** Seconds a save waits for another process's write lock. */
  readonly lockTimeout?: number;
  /** Add this project's tables to another program's SQLite file. */
  readonly init?: boolean;
  /** `name=value`, fixed for every combination (`--param`). */
  readonly param?: readonly string[];
  /** Worker threads; default: the machine's available parallelism, and never more. */
  readonly workers?: number;
  /** Seconds one combination may run before it is stopped and counted as failed; default 600. */
  readonly runTimeout?: number;
  readonly metric: string;
  readonly top: number;
  readonly saveToDb: boolean;
  readonly notes?: string;
  readonly db?: string;
  readonly json: boolean;
  /** `--distributed`: enqueue the sweep in PostgreSQL for `backtest worker` processes. */
  readonly distributed?: boolean;
  /** `--lease-seconds`: how long a worker holds a job before another may take it (distributed). */
  readonly leaseSeconds?: number;
  /** `--batch-size`: configurations per job (distributed). */
  readonly batchSize?: number;
  /** `--detach`: return once enqueued instead of showing progress (distributed). */
  readonly detach?: boolean;
}

/** Raised after the summary when some runs failed, so the process exits non-zero (1); `sweeps resume` too. */
export class SomeRunsFailedError extends AppError {
  constructor(failed: number, total: number) {
    super(`${failed} of ${total} sweep runs failed (see above)`, { code: 'runs-failed', exitCode: 1 });
  }
}

/** Metrics shown beside the ranking metric in the top table. */
const SHOWN_METRICS: readonly MetricName[] = ['total_return', 'sharpe_ratio', 'max_drawdown', 'total_trades'];
/** Failures listed one per line; the rest are only counted. */
const LISTED_FAILURES = 5;

/**
 * `backtest sweep`: runs every combination of `--grid` values on worker threads, optionally
 * saves each run under one sweep id, and prints the best runs. Ctrl-C stops dispatching, keeps
 * every result already received and ends with an {@link InterruptedError} (exit 130).
 */
export async function sweepCommand(options: SweepCommandOptions, io: CliIO): Promise<void> {
  if (options.grid.length === 0) {
    throw new UsageError('nothing to sweep: pass at least one --grid, e.g. --grid fast=5..50:5 --grid slow=20..200:10');
  }
  if (options.distributed === true) {
    const { distributedSweepCommand } = await import('./sweep-distributed.js');
    return distributedSweepCommand(options, io);
  }
  for (const [flag, value] of [
    ['--lease-seconds', options.leaseSeconds],
    ['--batch-size', options.batchSize],
    ['--detach', options.detach === true ? true : undefined],
  ] as const) {
    if (value !== undefined) throw new UsageError(`${flag} applies to sweep --distributed only`);
  }
  const bars = await loadBarsForRun(options, io);
  const fixedParams = parseParamFlags([...(options.param ?? [])]);
  // Opened by the sweep once its grid is planned: a grid with nothing to run creates no file.
  const store = lazyStore(options, io);

  const controller = new AbortController();
  // `once`: a second Ctrl-C while cleaning up falls back to Node's default and ends the process.
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let progress: Progress | undefined;
  let summary: SweepSummary;
  try {
    summary = await runSweep(
      {
        bars,
        strategy: isStrategyModulePath(options.strategy) ? resolve(io.cwd, options.strategy) : options.strategy,
        grid: options.grid,
        where: options.where,
        fixedParams,
        ...(options.data === undefined ? {} : { dataFile: resolve(io.cwd, options.data) }),
        ...(options.data !== undefined && (options.adjusted === true || options.tz !== undefined)
          ? {
              dataFileOptions: {
                ...(options.adjusted === true ? { adjusted: true } : {}),
                ...(options.tz === undefined ? {} : { tz: options.tz }),
              },
            }
          : {}),
        config: runConfigFromFlags(options),
        workers: capWorkers(options.workers, io),
        runTimeoutSeconds: options.runTimeout,
        ...(options.saveToDb ? { db: store.open } : {}),
        notes: options.notes,
        outOfSample: { fromMs: options.oosFrom, fraction: options.oosFraction },
        metric: options.metric as MetricName,
        top: options.top,
        lockWait: { timeoutMs: lockTimeoutMs(options), onWait: (line) => io.err(`${line}\n`) },
      },
      {
        signal: controller.signal,
        onPlan: (gridSize) => announcePlanning(gridSize, io),
        onStart: (start) => {
          if (!options.json) io.out(describeStart(start, options.where !== undefined));
          progress = startProgress(io, 'Sweep', start.total);
        },
        onProgress: (p) => progress?.update(p.done, p.failed > 0 ? `${p.failed} failed` : ''),
      },
    );
  } catch (error) {
    const db = store.opened();
    if (error instanceof UnsavedResultsError && db !== undefined) {
      progress?.stop();
      throw errorWithRecoveryFile(error.inputs, db.location, error);
    }
    throw error;
  } finally {
    progress?.stop();
    process.removeListener('SIGINT', onSigint);
    await store.opened()?.close();
  }

  if (options.json) {
    io.out(`${toJsonText(jsonSummary(summary))}\n`);
  } else {
    io.out(describeEnd(summary, options.saveToDb));
    if (summary.top.length > 0) io.out(renderTop(summary));
  }
  printFailures(summary.failures, io);

  if (summary.interrupted) {
    const kept = options.saveToDb
      ? `${summary.saved} of ${summary.total} runs saved (sweep id ${summary.sweepId})`
      : `${summary.completed} of ${summary.total} runs completed, none saved (no --save-to-db)`;
    io.err(`Interrupted: ${kept}\n`);
    throw new InterruptedError(
      `sweep stopped by Ctrl-C after ${summary.completed + summary.failed} of ${summary.total} runs`,
    );
  }
  if (summary.failed > 0) throw new SomeRunsFailedError(summary.failed, summary.total);
}

/**
 * Lists failed runs on standard error, one line each, the first few only; `sweeps resume` too.
 *
 * @example
 * printFailures(summary.failures, io); // failed: n=2: n = 2 is not supported
 */
export function printFailures(failures: readonly SweepFailure[], io: CliIO): void {
  for (const failure of failures.slice(0, LISTED_FAILURES)) {
    io.err(`failed: ${formatParams(failure.params)}: ${failure.message}\n`);
  }
  if (failures.length > LISTED_FAILURES) io.err(`… and ${failures.length - LISTED_FAILURES} more failures\n`);
}

function describeStart(start: SweepStart, hasWhere: boolean): string {
  const left: string[] = [];
  if (start.skippedByCheck > 0) left.push(`${start.skippedByCheck} rejected by ${start.strategy}'s parameter check`);
  if (hasWhere) left.push(`${start.skippedByWhere} left out by --where`);
  const filtered = left.length === 0 ? '' : ` (${left.join(', ')})`;
  return (
    `Sweep ${start.sweepId}: ${start.total} of ${start.gridSize} combinations of ${start.strategy}${filtered}, ` +
    `on ${start.workers} worker${start.workers === 1 ? '' : 's'}\n`
  );
}

function describeEnd(summary: SweepSummary, saveToDb: boolean): string {
  const seconds = summary.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${Math.round((summary.completed + summary.failed) / seconds)} runs/s)` : '';
  const saved = saveToDb ? `, ${summary.saved} saved` : ', not saved (add --save-to-db to keep them)';
  return `Ran ${summary.completed + summary.failed} of ${summary.total} runs in ${seconds.toFixed(1)} s${rate}: ${summary.completed} completed, ${summary.failed} failed${saved}\n`;
}

function renderTop(summary: SweepSummary): string {
  const metrics = [summary.metric, ...SHOWN_METRICS.filter((m) => m !== summary.metric)];
  const paramNames = summary.swept;
  const withIds = summary.top.some((row) => row.id !== undefined);
  // A split sweep ranks by the in-sample value and shows the out-of-sample one beside it.
  const split = summary.top.some((row) => row.oosMetrics !== undefined);
  const head = [
    '#',
    ...(withIds ? ['Id'] : []),
    ...paramNames,
    ...metrics.flatMap((m, i) =>
      i === 0 && split ? [`${metricHeader(m)} IS`, `${metricHeader(m)} OOS`] : [metricHeader(m)],
    ),
  ];
  const rows = summary.top.map((row, i) => [
    String(i + 1),
    ...(withIds ? [String(row.id ?? '')] : []),
    ...paramNames.map((name) => String(row.params[name])),
    ...metrics.flatMap((m, j) =>
      j === 0 && split
        ? [formatMetricValue(m, row.metrics[m]), formatMetricValue(m, row.oosMetrics?.[m] ?? null)]
        : [formatMetricValue(m, row.metrics[m])],
    ),
  ]);
  const by = split
    ? `${metricHeader(summary.metric)} in sample (IS), out-of-sample value (OOS) beside it`
    : metricHeader(summary.metric);
  return `Top ${summary.top.length} by ${by}\n${renderTable(head, rows)}`;
}

function jsonSummary(summary: SweepSummary): Record<string, unknown> {
  return {
    sweepId: summary.sweepId,
    strategy: summary.strategy,
    gridSize: summary.gridSize,
    total: summary.total,
    skippedByCheck: summary.skippedByCheck,
    skippedByWhere: summary.skippedByWhere,
    completed: summary.completed,
    failed: summary.failed,
    saved: summary.saved,
    interrupted: summary.interrupted,
    metric: summary.metric,
    top: summary.top.map((row: SweepRow, i) => ({
      rank: i + 1,
      ...(row.id === undefined ? {} : { id: row.id }),
      params: row.params,
      metrics: row.metrics,
      ...(row.oosMetrics === undefined ? {} : { oos_metrics: row.oosMetrics }),
    })),
    failures: summary.failures,
  };
}

function formatParams(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
