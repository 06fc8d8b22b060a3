/**
 * `backtest sweeps`: the stored sweeps that `backtest sweep --save-to-db` writes. List them, show
 * one (definition, status, counts, best run), resume one that stopped early (running only the
 * combinations without a saved run), or delete one with its runs.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  formatMetricValue,
  formatParams,
  formatTimeMs,
  formatUnixSeconds,
  metricHeader,
} from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import {
  type HistoryLocation,
  openHistoryForReading,
  openHistoryForWriting,
  withDatabase,
} from '../../app/open-history.js';
import { moduleSha256 } from '../../app/save-result.js';
import { requireStoredBars } from '../../app/stored-bars.js';
import { sliceBarsToRange } from '../../app/bar-range.js';
import { distributedSettingsOf } from '../../app/sweep/distributed-sweep.js';
import { InterruptedError } from '../../app/sweep/interrupted-error.js';
import { runSweep, type SweepStart, type SweepSummary, UnsavedResultsError } from '../../app/sweep/run-sweep.js';
import { errorWithRecoveryFile } from '../../app/recovery-file.js';
import type { BarSeries } from '../../core/bars.js';
import { DataError, StoreError, StrategyError, UsageError } from '../../core/errors.js';
import { canonicalTimeframe, type Timeframe } from '../../core/timeframe.js';
import { fingerprintBars } from '../../data/index.js';
import { isPostgresUrl } from '../../store/database-url.js';
import {
  type BacktestRow,
  isPartialSweep,
  resolveDatabasePath,
  type RunStore,
  type SweepDefinition,
  type SweepRecord,
  SweepStatus,
} from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderFittedTable, renderTable } from '../format.js';
import { readDistributedProgress, renderDistributedProgress } from '../distributed-show.js';
import { overfitJson, overfitRows } from '../format-overfit.js';
import { loadBarsFile } from '../load-bars-file.js';
import { type Progress, startProgress } from '../progress.js';
import { announcePlanning, capWorkers } from '../sweep-notes.js';
import { lockTimeoutMs } from './run.js';
import { printFailures, SomeRunsFailedError } from './sweep.js';

/** Marks a partial sweep (stopped early, or with failed runs) after its id in the list. */
const PARTIAL_MARK = '*';
/** The metric `sweeps show` names the best run by. */
const SHOW_METRIC = 'sharpe_ratio';
/** Characters of a SHA-256 shown in tables; `--json` and error messages give it whole. */
const SHA_PREFIX = 12;
const STATUSES: readonly string[] = Object.values(SweepStatus);

/** Flags of `backtest sweeps` and `backtest sweeps list`. */
export interface SweepsListCommandOptions {
  /** Only sweeps with this status: `running`, `completed` or `interrupted`. */
  readonly status?: string;
  readonly db?: string;
  readonly json: boolean;
}

/** Flags and argument of `backtest sweeps show ID`. */
export interface SweepsShowCommandOptions {
  readonly id: string;
  readonly db?: string;
  readonly json: boolean;
}

/** Flags and argument of `backtest sweeps resume ID`. */
export interface SweepsResumeCommandOptions {
  readonly id: string;
  /** CSV of the sweep's bars; default: its recorded data file if still there, else the stored bars. */
  readonly data?: string;
  /** Resume even when the strategy module's SHA-256 differs from the one stored with the sweep. */
  readonly allowChangedStrategy?: boolean;
  /** Worker threads; default: the machine's available parallelism, and never more. */
  readonly workers?: number;
  /** Seconds one combination may run before it is stopped and counted as failed; default 600. */
  readonly runTimeout?: number;
  /** Seconds a save waits for another process's write lock. */
  readonly lockTimeout?: number;
  /** A distributed sweep: enqueue its missing configurations and return without watching. */
  readonly detach?: boolean;
  readonly db?: string;
  readonly json: boolean;
}

/** Flags and argument of `backtest sweeps delete ID`. */
export interface SweepsDeleteCommandOptions {
  readonly id: string;
  readonly yes: boolean;
  readonly db?: string;
  readonly json?: boolean;
}

/**
 * `backtest sweeps [list]`: stored sweeps, newest first, with status and counts; partial ones
 * (stopped early or with failed runs) are marked, since `sweeps resume` can finish them.
 *
 * @example
 * await sweepsListCommand({ status: 'interrupted', json: false }, io);
 */
export async function sweepsListCommand(options: SweepsListCommandOptions, io: CliIO): Promise<void> {
  const status = options.status === undefined ? undefined : checkStatus(options.status);
  const records = await withDatabase(openHistoryForReading(location(options, io)), (store) =>
    store.listSweeps({ status }),
  );
  if (options.json) {
    io.out(`${toJsonText(records.map(sweepJson))}\n`);
    return;
  }
  if (records.length === 0) {
    io.out(status === undefined ? 'No stored sweeps.\n' : `No ${status} sweeps.\n`);
    return;
  }
  io.out(
    renderFittedTable(
      {
        columns: [
          { header: 'Sweep' },
          { header: 'Created (UTC)', dropRank: 2 },
          { header: 'Symbol' },
          { header: 'Timeframe' },
          { header: 'Strategy', shrink: true },
          { header: 'Status' },
          { header: 'Done/planned', align: 'right' },
          { header: 'Failed', align: 'right', dropRank: 1 },
        ],
        rows: records.map((record) => {
          const { definition } = record;
          return [
            isPartialSweep(record) ? `${definition.sweepId}${PARTIAL_MARK}` : definition.sweepId,
            formatUnixSeconds(record.createdMs / 1000),
            definition.symbol,
            definition.timeframe,
            definition.strategy.module?.path ?? definition.strategy.name,
            record.status,
            `${record.done}/${record.planned}`,
            String(record.failed),
          ];
        }),
      },
      io.columns,
    ),
  );
  if (records.some(isPartialSweep)) {
    io.out(
      `${PARTIAL_MARK} partial (stopped early or with failed runs): backtest sweeps resume ID runs the missing combinations\n`,
    );
  }
}

/**
 * `backtest sweeps show ID`: the sweep's definition (strategy, grid, where, fixed parameters,
 * bars, data file, config), its status and counts, and its best run by Sharpe ratio.
 *
 * @example
 * await sweepsShowCommand({ id: 'sweep-20260101-120000-abc123', json: false }, io);
 */
export async function sweepsShowCommand(options: SweepsShowCommandOptions, io: CliIO): Promise<void> {
  const { record, savedRuns, best, overfit } = await withDatabase(
    openHistoryForReading(location(options, io)),
    async (store) => {
      const found = await requireSweep(store, options.id);
      const { symbol, timeframe, sweepId } = found.definition;
      return {
        record: found,
        savedRuns: await store.countRuns({ sweepId }),
        best: (await store.bestRun(symbol, timeframe, SHOW_METRIC, { sweepId })).row,
        overfit: await store.findSweepOverfit(sweepId),
      };
    },
  );
  const distributed = await readDistributedProgress(record, options.db, io);
  if (options.json) {
    io.out(
      `${toJsonText({ ...sweepJson(record), savedRuns, best: best ?? null, overfit: overfit === undefined ? null : overfitJson(overfit), ...(distributed === undefined ? {} : { distributed }) })}\n`,
    );
    return;
  }
  const { definition } = record;
  const fields: [string, string][] = [
    ['Sweep', definition.sweepId],
    [
      'Status',
      isPartialSweep(record)
        ? `${record.status} (partial: backtest sweeps resume ${definition.sweepId})`
        : record.status,
    ],
    ['Created (UTC)', formatUnixSeconds(record.createdMs / 1000)],
    ['Updated (UTC)', formatUnixSeconds(record.updatedMs / 1000)],
    ['Symbol', definition.symbol],
    ['Timeframe', definition.timeframe],
    ['Strategy', definition.strategy.name],
  ];
  const module = definition.strategy.module;
  if (module !== undefined) {
    fields.push(['Strategy module', module.path], ['Module SHA-256', `${module.sha256}${moduleChange(module)}`]);
  }
  const { bars } = definition;
  fields.push(
    ['Grid', definition.grid.join('  ')],
    ['Where', definition.where ?? '(none)'],
    ['Fixed parameters', formatParams(definition.fixedParams) || '(none)'],
    [
      'Bars',
      `${bars.count} bars, ${formatTimeMs(bars.firstTimeMs)} → ${formatTimeMs(bars.lastTimeMs)}, ` +
        `SHA-256 ${bars.sha256.slice(0, SHA_PREFIX)}…`,
    ],
    [
      'Data file',
      definition.dataFile === undefined
        ? '(none: bars from the database or the library)'
        : `${definition.dataFile}${existsSync(definition.dataFile) ? '' : ' (no longer there)'}`,
    ],
    [
      'Period grid',
      definition.periodGrid === undefined
        ? '(none: stored before period returns were kept)'
        : `${definition.periodGrid.periodCount} periods of ${definition.periodGrid.barsPerPeriod} bar returns`,
    ],
    ['Notes', definition.notes ?? ''],
    ['Planned', String(record.planned)],
    ['Done', String(record.done)],
    ['Failed', String(record.failed)],
    ['Saved runs', String(savedRuns)],
  );
  io.out(renderTable(['Field', 'Value'], fields, 2));
  io.out(`config:\n${JSON.stringify(definition.config, null, 2)}\n`);
  io.out(best === undefined ? `No saved run of this sweep has a ${metricHeader(SHOW_METRIC)}.\n` : describeBest(best));
  if (distributed !== undefined) io.out(renderDistributedProgress(record, distributed));
  if (overfit === undefined) {
    io.out(`Probability of backtest overfitting: not computed yet (backtest overfit ${definition.sweepId}).\n`);
  } else {
    io.out(`Probability of backtest overfitting (backtest overfit ${definition.sweepId}):\n`);
    io.out(renderTable(['Field', 'Value'], overfitRows(overfit), 2));
  }
}

/**
 * `backtest sweeps resume ID`: runs the combinations of a stored sweep that have no saved run,
 * on the same bars (checked by SHA-256) and strategy (a module's SHA-256 must match unless
 * `--allow-changed-strategy`), and leaves the sweep `completed`. Ctrl-C stops it as it stops
 * `backtest sweep`: results received are kept and the sweep is `interrupted` again (exit 130).
 *
 * @example
 * await sweepsResumeCommand({ id: 'sweep-20260101-120000-abc123', json: false }, io);
 */
export async function sweepsResumeCommand(options: SweepsResumeCommandOptions, io: CliIO): Promise<void> {
  const where = location(options, io);
  const url = resolveDatabasePath(options.db, io.env, io.cwd).trim();
  if (isPostgresUrl(url)) {
    const stored = await withDatabase(openHistoryForReading(where), (store) => requireSweep(store, options.id));
    if (distributedSettingsOf(stored.definition) !== undefined) {
      // Its workers run it, through the queue: running it here too could save a configuration
      // a worker saves as well.
      for (const [flag, given] of [
        ['--data', options.data !== undefined],
        ['--workers', options.workers !== undefined],
      ] as const) {
        if (given)
          throw new UsageError(`${flag} does not apply to a distributed sweep: its workers load the stored bars`);
      }
      checkStrategyModule(stored.definition, options.allowChangedStrategy === true, io);
      const { resumeDistributedSweep } = await import('./sweep-distributed.js');
      await resumeDistributedSweep(url, options.id, { detach: options.detach, json: options.json }, io);
      return;
    }
  }
  if (options.detach === true) throw new UsageError('--detach applies only to a distributed sweep');
  const { record, bars, barsSource } = await withDatabase(openHistoryForReading(where), async (store) => {
    const found = await requireSweep(store, options.id);
    return { record: found, ...(await barsForResume(found.definition, options, store, io)) };
  });
  const { definition } = record;
  const fingerprint = fingerprintBars(bars);
  if (fingerprint.sha256 !== definition.bars.sha256) {
    throw new DataError({
      source: barsSource,
      reason:
        `these bars are not the ones sweep ${definition.sweepId} ran on: their SHA-256 is ${fingerprint.sha256} ` +
        `(${fingerprint.count} bars), the sweep's is ${definition.bars.sha256} (${definition.bars.count} bars); ` +
        'pass --data with the file the sweep ran on',
    });
  }
  checkStrategyModule(definition, options.allowChangedStrategy === true, io);
  if (record.status === SweepStatus.Running) {
    io.err(
      `warning: sweep ${definition.sweepId} is marked running; if another process is still running it, stop that first, or both save the same combinations\n`,
    );
  }

  const controller = new AbortController();
  // `once`: a second Ctrl-C while cleaning up falls back to Node's default and ends the process.
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let progress: Progress | undefined;
  let summary: SweepSummary;
  let after: SweepRecord | undefined;
  const store = await openHistoryForWriting({ ...where, onNotice: (message) => io.err(`${message}\n`) });
  try {
    summary = await runSweep(
      {
        bars,
        strategy: definition.strategy.module?.path ?? definition.strategy.name,
        grid: definition.grid,
        where: definition.where,
        fixedParams: definition.fixedParams,
        config: definition.config,
        notes: definition.notes,
        ...(definition.outOfSampleFromMs === undefined
          ? {}
          : { outOfSample: { fromMs: definition.outOfSampleFromMs } }),
        workers: capWorkers(options.workers, io),
        runTimeoutSeconds: options.runTimeout,
        sweepId: definition.sweepId,
        resume: true,
        db: store,
        lockWait: { timeoutMs: lockTimeoutMs(options), onWait: (line) => io.err(`${line}\n`) },
      },
      {
        signal: controller.signal,
        onPlan: (gridSize) => announcePlanning(gridSize, io),
        onStart: (start) => {
          if (!options.json) io.out(describeResumeStart(start, definition, barsSource));
          progress = startProgress(io, 'Resume', start.total);
        },
        onProgress: (p) => progress?.update(p.done, p.failed > 0 ? `${p.failed} failed` : ''),
      },
    );
    after = await store.findSweep(definition.sweepId);
  } catch (error) {
    if (error instanceof UnsavedResultsError) {
      progress?.stop();
      throw errorWithRecoveryFile(error.inputs, store.location, error);
    }
    throw error;
  } finally {
    progress?.stop();
    process.removeListener('SIGINT', onSigint);
    await store.close();
  }

  const final = after ?? record;
  if (options.json) {
    io.out(
      `${toJsonText({
        sweepId: definition.sweepId,
        alreadySaved: summary.alreadySaved,
        toRun: summary.total,
        completed: summary.completed,
        failed: summary.failed,
        saved: summary.saved,
        interrupted: summary.interrupted,
        status: final.status,
        planned: final.planned,
        done: final.done,
        failures: summary.failures,
      })}\n`,
    );
  } else if (summary.total === 0) {
    io.out(
      `Nothing left to run: all ${summary.alreadySaved} combinations of sweep ${definition.sweepId} are saved; it is ${final.status}.\n`,
    );
  } else {
    io.out(
      `Ran ${summary.completed + summary.failed} of ${summary.total} missing runs in ${(summary.elapsedMs / 1000).toFixed(1)} s: ` +
        `${summary.completed} completed, ${summary.failed} failed, ${summary.saved} saved. ` +
        `Sweep ${definition.sweepId} is ${final.status}: ${final.done} of ${final.planned} done, ${final.failed} failed.\n`,
    );
  }
  printFailures(summary.failures, io);
  if (summary.interrupted) {
    io.err(
      `Interrupted: ${summary.saved} of ${summary.total} missing runs saved; run backtest sweeps resume ${definition.sweepId} again to finish\n`,
    );
    throw new InterruptedError(
      `resume of sweep ${definition.sweepId} stopped by Ctrl-C after ${summary.completed + summary.failed} of ${summary.total} runs`,
    );
  }
  if (summary.failed > 0) throw new SomeRunsFailedError(summary.failed, summary.total);
}

/**
 * `backtest sweeps delete ID`: deletes a sweep and every run saved under it, in one
 * transaction. Asks first unless `--yes`; without a terminal to ask on it refuses.
 *
 * @example
 * await sweepsDeleteCommand({ id: 'sweep-20260101-120000-abc123', yes: true }, io);
 */
export async function sweepsDeleteCommand(options: SweepsDeleteCommandOptions, io: CliIO): Promise<void> {
  const where = location(options, io);
  // Looked up read-only first, so an unknown id neither creates nor upgrades the database.
  const { record, runs } = await withDatabase(openHistoryForReading(where), async (store) => {
    const found = await requireSweep(store, options.id);
    return { record: found, runs: await store.countRuns({ sweepId: found.definition.sweepId }) };
  });
  const { definition } = record;
  const what = `sweep ${definition.sweepId} (${definition.strategy.name} on ${definition.symbol} ${definition.timeframe}) and its ${runs} saved run${runs === 1 ? '' : 's'}`;
  if (!options.yes) {
    if (!io.interactive) throw new UsageError(`not deleting ${what} without confirmation; pass --yes`);
    if (!(await io.confirm(`Delete ${what}?`))) {
      io.err('Nothing deleted.\n');
      return;
    }
  }
  const deleted = await withDatabase(openHistoryForWriting(where), (store) => store.deleteSweep(definition.sweepId));
  if (options.json === true) {
    io.out(`${toJsonText({ sweepId: definition.sweepId, deletedRuns: deleted })}\n`);
    return;
  }
  io.out(`Deleted sweep ${definition.sweepId} and its ${deleted} run${deleted === 1 ? '' : 's'}.\n`);
}

function location(options: { readonly db?: string | undefined }, io: CliIO): HistoryLocation {
  return { db: options.db, cwd: io.cwd, env: io.env };
}

function checkStatus(status: string): SweepStatus {
  if (!STATUSES.includes(status)) {
    throw new UsageError(`--status "${status}" is not a sweep status; use one of ${STATUSES.join(', ')}`);
  }
  return status as SweepStatus;
}

/** The stored sweep; a `StoreError` (exit 5) naming the database when there is none. */
async function requireSweep(store: RunStore, sweepId: string): Promise<SweepRecord> {
  const record = await store.findSweep(sweepId);
  if (record === undefined) {
    throw new StoreError(`database ${store.location} has no sweep ${sweepId}; backtest sweeps lists the stored ones`);
  }
  return record;
}

function sweepJson(record: SweepRecord): Record<string, unknown> {
  return { sweepId: record.definition.sweepId, ...record, partial: isPartialSweep(record) };
}

/** Whether a sweep's strategy module still has the SHA-256 stored with it, as a suffix for `show`. */
function moduleChange(module: { readonly path: string; readonly sha256: string }): string {
  try {
    const now = moduleSha256(module.path);
    return now === module.sha256 ? '' : ` (the file has changed since: now ${now.slice(0, SHA_PREFIX)}…)`;
  } catch {
    return ' (the file cannot be read now)';
  }
}

function describeBest(row: BacktestRow): string {
  const params = row.strategy_params_json === null ? {} : (JSON.parse(row.strategy_params_json) as object);
  return (
    `Best by ${metricHeader(SHOW_METRIC)}: run ${row.id} (${formatParams(params as Record<string, unknown>)}) ` +
    `at ${formatMetricValue(SHOW_METRIC, row.sharpe_ratio)}; ` +
    `${metricHeader('total_return')} ${formatMetricValue('total_return', row.total_return)}\n`
  );
}

/**
 * The bars to resume on: `--data`, else the file the sweep ran on when it is still there, else
 * the database's bars of the sweep's symbol and timeframe. Loaded under the sweep's symbol and
 * timeframe, so the new runs are filed with the old ones whatever the file is called.
 */
async function barsForResume(
  definition: SweepDefinition,
  options: SweepsResumeCommandOptions,
  store: RunStore,
  io: CliIO,
): Promise<{ bars: BarSeries; barsSource: string }> {
  const timeframe: Timeframe | undefined = canonicalTimeframe(definition.timeframe);
  if (timeframe === undefined) {
    throw new StoreError(
      `database ${store.location}: sweep ${definition.sweepId} has the timeframe "${definition.timeframe}", which is not one`,
    );
  }
  // Read as the sweep read it (`--adjusted`, `--tz`), or the SHA-256 check would refuse the bars.
  const flags = { symbol: definition.symbol, timeframe, ...definition.dataFileOptions };
  // The sweep's own bar range (it may have run on --start/--end, or the set may have grown since).
  const range = { fromMs: definition.bars.firstTimeMs, toMs: definition.bars.lastTimeMs };
  if (options.data !== undefined) {
    const bars = await loadBarsFile(resolve(io.cwd, options.data), options.data, flags);
    return { bars: sliceBarsToRange(bars, range, options.data), barsSource: options.data };
  }
  if (definition.dataFile !== undefined) {
    if (existsSync(definition.dataFile)) {
      const bars = await loadBarsFile(definition.dataFile, definition.dataFile, flags);
      return { bars: sliceBarsToRange(bars, range, definition.dataFile), barsSource: definition.dataFile };
    }
    io.err(
      `The sweep's data file ${definition.dataFile} is no longer there; using the bars stored in the database (or pass --data FILE)\n`,
    );
  }
  const bars = await requireStoredBars(store, definition.symbol, timeframe, range);
  return { bars, barsSource: `${store.location} bars of ${definition.symbol} ${timeframe}` };
}

/**
 * A module strategy must be the file the sweep ran, or the resumed runs would not be
 * comparable with the saved ones; `--allow-changed-strategy` accepts a changed file with a warning.
 */
function checkStrategyModule(definition: SweepDefinition, allowChanged: boolean, io: CliIO): void {
  const module = definition.strategy.module;
  if (module === undefined) return;
  const now = moduleSha256(module.path);
  if (now === module.sha256) return;
  const change = `strategy module ${module.path} has changed since sweep ${definition.sweepId} ran (SHA-256 now ${now}, then ${module.sha256})`;
  if (!allowChanged) {
    throw new StrategyError(`${change}; pass --allow-changed-strategy to resume with the file as it is now`);
  }
  io.err(`warning: ${change}; resuming with the file as it is now\n`);
}

function describeResumeStart(start: SweepStart, definition: SweepDefinition, barsSource: string): string {
  return (
    `Resuming sweep ${start.sweepId}: ${start.strategy} on ${definition.symbol} ${definition.timeframe}, bars from ${barsSource}\n` +
    `${start.alreadySaved} of ${start.alreadySaved + start.total} combinations already saved, ${start.total} to run` +
    (start.total === 0 ? '\n' : ` on ${start.workers} worker${start.workers === 1 ? '' : 's'}\n`)
  );
}
