import { lazyStore } from '../lazy-store.js';
import { resolve } from 'node:path';
import { formatMetricValue, formatTimeMs, metricHeader } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import { errorWithRecoveryFile } from '../../app/recovery-file.js';
import { InterruptedError } from '../../app/sweep/interrupted-error.js';
import { UnsavedResultsError } from '../../app/sweep/run-sweep.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_LEASE_SECONDS } from '../../app/sweep/distributed-sweep.js';
import type { DistributedWalkForwardOutcome } from '../../app/walk-forward/distributed-walk-forward.js';
import {
  efficiencyOf,
  type RunWalkForwardHooks,
  runWalkForward,
  type WalkForwardOutcome,
  type WalkForwardStart,
  type WindowResult,
} from '../../app/walk-forward/run-walk-forward.js';
import { UsageError } from '../../core/errors.js';
import type { MetricName } from '../../core/metric-catalog.js';
import type { ParamValue } from '../../core/strategy.js';
import type { Timeframe } from '../../core/timeframe.js';
import { redactDatabaseUrl } from '../../store/database-url.js';
import { isStrategyModulePath, parseParamFlags } from '../../strategies/index.js';
import type { CliIO } from '../cli-io.js';
import { renderMetricsTable, renderTable } from '../format.js';
import { shortMetricHeader } from '../format-rows.js';
import { type Progress, startProgress } from '../progress.js';
import { announcePlanning, capWorkers } from '../sweep-notes.js';
import { loadBarsForRun, lockTimeoutMs, type RunConfigFlags, runConfigFromFlags } from './run.js';
import { printFailures, SomeRunsFailedError } from './sweep.js';
import { requirePostgresUrl } from './worker.js';

/** Flags of `backtest walk-forward`, as commander parses them. */
export interface WalkForwardCommandOptions extends RunConfigFlags {
  readonly data?: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
  readonly adjusted?: boolean;
  readonly tz?: string;
  readonly start?: number;
  readonly end?: number;
  readonly strategy: string;
  readonly grid: readonly string[];
  readonly where?: string;
  readonly param?: readonly string[];
  /** `--train 2y`, `--test 6mo`, `--step 6mo`: see `durations.ts`. */
  readonly train: string;
  readonly test: string;
  readonly step?: string;
  readonly anchored: boolean;
  readonly metric: string;
  readonly minTrades: number;
  readonly workers?: number;
  readonly runTimeout?: number;
  readonly saveToDb: boolean;
  readonly notes?: string;
  readonly lockTimeout?: number;
  readonly init?: boolean;
  readonly db?: string;
  /** Also write the walk-forward as a self-contained HTML report. */
  readonly report?: string;
  readonly json: boolean;
  /** `--distributed`: the training grids run on `backtest worker` processes through the PostgreSQL --db. */
  readonly distributed?: boolean;
  /** `--lease-seconds`: how long a worker holds a job (distributed). */
  readonly leaseSeconds?: number;
  /** `--batch-size`: configurations per job (distributed). */
  readonly batchSize?: number;
}

/**
 * `backtest walk-forward`: runs the grid on each training window (on worker threads), chooses
 * the best configuration by `--metric`, evaluates it on the following test window, stitches the
 * test windows into one out-of-sample run, and prints the windows, the stitched metrics and the
 * walk-forward efficiency. Ctrl-C keeps the finished windows (saved, the group marked partial)
 * and exits 130. `--distributed`: the training grids run on `backtest worker` processes instead
 * (`distributed-walk-forward.ts`); everything else is the same.
 */
export async function walkForwardCommand(options: WalkForwardCommandOptions, io: CliIO): Promise<void> {
  if (options.grid.length === 0) {
    throw new UsageError(
      'nothing to optimize: pass at least one --grid, e.g. --grid fast=5..50:5 --grid slow=20..200:10',
    );
  }
  const url = distributedUrl(options, io);
  const bars = await loadBarsForRun(options, io);
  const fixedParams = parseParamFlags([...(options.param ?? [])]);
  const store = lazyStore(options, io);

  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let progress: Progress | undefined;
  let outcome: WalkForwardOutcome | DistributedWalkForwardOutcome;
  const common = {
    bars,
    strategy: isStrategyModulePath(options.strategy) ? resolve(io.cwd, options.strategy) : options.strategy,
    grid: options.grid,
    where: options.where,
    fixedParams,
    config: runConfigFromFlags(options),
    train: options.train,
    test: options.test,
    step: options.step,
    anchored: options.anchored,
    metric: options.metric as MetricName,
    minTrades: options.minTrades,
    ...(options.data === undefined ? {} : { dataFile: resolve(io.cwd, options.data) }),
    notes: options.notes,
    lockWait: { timeoutMs: lockTimeoutMs(options), onWait: (line: string) => io.err(`${line}\n`) },
  };
  try {
    const run =
      url === undefined
        ? (hooks: RunWalkForwardHooks) =>
            runWalkForward(
              {
                ...common,
                workers: capWorkers(options.workers, io),
                runTimeoutSeconds: options.runTimeout,
                ...(options.saveToDb ? { db: store.open } : {}),
              },
              hooks,
            )
        : async (hooks: RunWalkForwardHooks) => {
            const { runDistributedWalkForward } = await import('../../app/walk-forward/distributed-walk-forward.js');
            return runDistributedWalkForward(
              {
                ...common,
                url,
                leaseSeconds: options.leaseSeconds,
                batchSize: options.batchSize,
                runTimeoutSeconds: options.runTimeout,
              },
              hooks,
            );
          };
    outcome = await run({
      signal: controller.signal,
      onPlan: (gridSize) => announcePlanning(gridSize, io),
      onStart: (start) => {
        if (!options.json) io.out(describeStart(start, options, url));
        progress = startProgress(io, 'Walk-forward', start.total);
      },
      onProgress: (p) =>
        progress?.update(
          p.done,
          `window ${Math.min(p.windowsDone + 1, p.windows)}/${p.windows}${p.failed > 0 ? `, ${p.failed} failed` : ''}`,
        ),
    });
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

  if (options.report !== undefined && outcome.stitched !== undefined) {
    const [{ renderWalkForwardReport }, { writeFileAtomically }] = await Promise.all([
      import('../../web/walk-forward-page.js'),
      import('../../app/write-file-atomically.js'),
    ]);
    const path = resolve(io.cwd, options.report);
    writeFileAtomically(
      path,
      renderWalkForwardReport(outcome, {
        train: options.train,
        test: options.test,
        step: options.step ?? options.test,
        anchored: options.anchored,
        grid: options.grid,
        where: options.where,
        fixedParams,
        notes: options.notes,
      }),
    );
    io.err(`Wrote report ${path}\n`);
  }

  const saved = options.saveToDb || url !== undefined;
  if (options.json) {
    io.out(`${toJsonText({ ...walkForwardJson(outcome), ...distributedJson(outcome) })}\n`);
  } else {
    io.out(renderWindows(outcome));
    io.out(describeEnd(outcome, saved));
  }
  printFailures(outcome.failures, io);
  if (outcome.interrupted) {
    const kept = saved
      ? `${outcome.results.length} of ${outcome.windows.length} windows finished and saved; walk-forward ${outcome.groupId} is marked partial`
      : `${outcome.results.length} of ${outcome.windows.length} windows finished, none saved (no --save-to-db)`;
    const queuedJobs = (outcome as Partial<DistributedWalkForwardOutcome>).queuedJobs ?? 0;
    const queued =
      queuedJobs > 0
        ? `; ${queuedJobs} jobs stay in the queue, and backtest worker processes still run them (saved as the group's training runs)`
        : '';
    io.err(`Interrupted: ${kept}${queued}\n`);
    throw new InterruptedError(
      `walk-forward stopped by Ctrl-C after ${outcome.results.length} of ${outcome.windows.length} windows`,
    );
  }
  if (outcome.failed > 0) throw new SomeRunsFailedError(outcome.failed, outcome.total);
}

function describeStart(start: WalkForwardStart, options: WalkForwardCommandOptions, url?: string): string {
  const layout = `${options.anchored ? 'anchored' : 'rolling'}: train ${options.train}, test ${options.test}, step ${options.step ?? options.test}`;
  const flat = start.windows.filter((w) => w.trainTo <= w.trainFrom).length;
  const head =
    `Walk-forward ${start.groupId}: ${start.configurations} configurations of ${start.strategy} × ${start.windows.length} windows (${layout})` +
    `${flat > 0 ? `, ${flat} without training bars` : ''} = ${start.total} training runs`;
  if (url === undefined) return `${head} on ${start.workers} worker${start.workers === 1 ? '' : 's'}\n`;
  const batch = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const jobs = (start.windows.length - flat) * Math.ceil(start.configurations / batch);
  const where = redactDatabaseUrl(url);
  return (
    `${head}, enqueued as ${jobs} jobs of up to ${batch} (lease ${options.leaseSeconds ?? DEFAULT_LEASE_SECONDS} s) in ${where}\n` +
    `Run them with: backtest worker --db ${where}   (on any machine that reaches the database)\n`
  );
}

/** Flags of a local walk-forward that a distributed one does not take (its workers decide those). */
const LOCAL_ONLY: readonly (readonly [string, (o: WalkForwardCommandOptions) => unknown])[] = [
  ['--workers', (o) => o.workers],
  ['--init', (o) => (o.init === true ? true : undefined)],
];

/**
 * The PostgreSQL URL of `--distributed` (checked before any bar is read or anything written), or
 * `undefined` for a local walk-forward, which refuses the distributed-only flags.
 */
function distributedUrl(options: WalkForwardCommandOptions, io: CliIO): string | undefined {
  if (options.distributed !== true) {
    for (const [flag, value] of [
      ['--lease-seconds', options.leaseSeconds],
      ['--batch-size', options.batchSize],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} applies to walk-forward --distributed only`);
    }
    return undefined;
  }
  const url = requirePostgresUrl('walk-forward --distributed', options.db, io);
  for (const [flag, value] of LOCAL_ONLY) {
    if (value(options) !== undefined) throw new UsageError(`${flag} does not apply to walk-forward --distributed`);
  }
  return url;
}

/** What `--json` adds for a distributed walk-forward. */
function distributedJson(outcome: WalkForwardOutcome | DistributedWalkForwardOutcome): Record<string, unknown> {
  if (!('sweepIds' in outcome)) return {};
  const { sweepIds, jobs, batchSize, leaseSeconds, queuedJobs } = outcome;
  return { distributed: { sweepIds, jobs, batchSize, leaseSeconds, queuedJobs } };
}

function formatParams(params: Readonly<Record<string, ParamValue>> | null, swept: readonly string[]): string {
  if (params === null) return '';
  const names = swept.length > 0 ? swept : Object.keys(params);
  return names.map((name) => `${name}=${String(params[name])}`).join(' ');
}

/** A window as the windows table shows it: a finished one or a stored one. */
export type ShownWindow = Pick<
  WindowResult,
  'index' | 'trainFromMs' | 'trainToMs' | 'testFromMs' | 'testToMs' | 'chosenParams' | 'flat'
> & {
  readonly inSampleMetrics: Readonly<Partial<Record<MetricName, number | null>>> | null;
  readonly outOfSampleMetrics: Readonly<Partial<Record<MetricName, number | null>>> | null;
};

/**
 * The windows as a table: spans, the chosen parameters, the chosen configuration's metric in
 * and out of sample, its out-of-sample return and trades, and its efficiency (out-of-sample over
 * in-sample CAGR); flat windows marked.
 */
export function renderWindows(outcome: {
  readonly metric: MetricName;
  readonly minTrades: number;
  readonly swept: readonly string[];
  readonly results: readonly ShownWindow[];
}): string {
  const m = outcome.metric;
  const head = [
    '#',
    'Train',
    'Test',
    'Chosen',
    `${shortMetricHeader(m)} IS`,
    `${shortMetricHeader(m)} OOS`,
    'Return OOS [%]',
    'Trades OOS',
    'WFE',
  ];
  const rows = outcome.results.map((w) => [
    String(w.index + 1),
    w.trainFromMs === null ? '(no bars)' : `${formatTimeMs(w.trainFromMs)} → ${formatTimeMs(w.trainToMs as number)}`,
    `${formatTimeMs(w.testFromMs)} → ${formatTimeMs(w.testToMs)}`,
    w.flat
      ? `flat (no configuration with ≥ ${outcome.minTrades} trade${outcome.minTrades === 1 ? '' : 's'})`
      : formatParams(w.chosenParams, outcome.swept),
    formatMetricValue(m, w.inSampleMetrics?.[m] ?? null),
    formatMetricValue(m, w.outOfSampleMetrics?.[m] ?? null),
    formatMetricValue('total_return', w.outOfSampleMetrics?.total_return ?? null),
    formatMetricValue('total_trades', w.outOfSampleMetrics?.total_trades ?? null),
    formatEfficiency(efficiencyOf(w.outOfSampleMetrics?.cagr ?? null, w.inSampleMetrics?.cagr ?? null)),
  ]);
  return `Windows (chosen by ${metricHeader(m)} on the training span; out of sample on the test span)\n${renderTable(head, rows, 4)}`;
}

function describeEnd(outcome: WalkForwardOutcome, saveToDb: boolean): string {
  const lines: string[] = [];
  const stitched = outcome.stitched;
  const seconds = outcome.elapsedMs / 1000;
  lines.push(
    `Ran ${outcome.completed + outcome.failed} of ${outcome.total} training runs in ${seconds.toFixed(1)} s: ${outcome.completed} completed, ${outcome.failed} failed`,
  );
  const flat = outcome.results.filter((w) => w.flat).length;
  if (flat > 0) lines.push(`${flat} window${flat === 1 ? '' : 's'} stayed flat: no configuration qualified`);
  if (stitched !== undefined) {
    lines.push(
      `Stitched out-of-sample run: ${outcome.results.length} test windows, ${formatTimeMs(stitched.bars.firstTimeMs)} → ${formatTimeMs(stitched.bars.lastTimeMs)} (${stitched.bars.count} bars)`,
    );
    lines.push(renderMetricsTable(stitched.metrics).trimEnd());
    lines.push(describeEfficiency(outcome));
  }
  if (saveToDb) {
    lines.push(
      stitched === undefined
        ? `Saved walk-forward ${outcome.groupId}: ${outcome.results.length} windows and ${outcome.saved} training runs`
        : `Saved walk-forward ${outcome.groupId}: stitched run id=${outcome.stitchedRunId}, ${outcome.results.length} windows, ${outcome.saved} training runs (hidden from list and best; list --walk-forward ${outcome.groupId} --include-training shows them)`,
    );
  } else {
    lines.push('Not saved (add --save-to-db to keep the group, its windows and runs)');
  }
  return `${lines.join('\n')}\n`;
}

function formatEfficiency(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2);
}

/** The walk-forward efficiency in one line, with what it was computed from. */
export function describeEfficiency(
  outcome: Pick<WalkForwardOutcome, 'efficiency' | 'inSampleAnnualReturn' | 'outOfSampleAnnualReturn'>,
): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${formatMetricValue('cagr', v)} %`);
  const from = `out-of-sample CAGR ${pct(outcome.outOfSampleAnnualReturn)} / mean in-sample CAGR of the chosen configurations ${pct(outcome.inSampleAnnualReturn)}`;
  if (outcome.efficiency === null) {
    return `Walk-forward efficiency: n/a (${from}; it needs both, and an in-sample CAGR above 0)`;
  }
  return `Walk-forward efficiency: ${outcome.efficiency.toFixed(3)} (${from})`;
}

/** `--json`: everything the text shows, by name. */
export function walkForwardJson(outcome: WalkForwardOutcome): Record<string, unknown> {
  return {
    groupId: outcome.groupId,
    strategy: outcome.strategy,
    metric: outcome.metric,
    minTrades: outcome.minTrades,
    configurations: outcome.configurations,
    total: outcome.total,
    completed: outcome.completed,
    failed: outcome.failed,
    saved: outcome.saved,
    interrupted: outcome.interrupted,
    windows: outcome.results.map((w) => ({
      index: w.index,
      trainFromMs: w.trainFromMs,
      trainToMs: w.trainToMs,
      testFromMs: w.testFromMs,
      testToMs: w.testToMs,
      chosenParams: w.chosenParams,
      flat: w.flat,
      qualified: w.qualified,
      failed: w.failed,
      metrics: w.inSampleMetrics,
      oos_metrics: w.outOfSampleMetrics,
      efficiency: w.efficiency,
    })),
    stitched:
      outcome.stitched === undefined
        ? null
        : {
            ...(outcome.stitchedRunId === undefined ? {} : { id: outcome.stitchedRunId }),
            bars: outcome.stitched.bars,
            metrics: outcome.stitched.metrics,
            outOfMoney: outcome.stitched.outOfMoney,
          },
    inSampleAnnualReturn: outcome.inSampleAnnualReturn,
    outOfSampleAnnualReturn: outcome.outOfSampleAnnualReturn,
    efficiency: outcome.efficiency,
    failures: outcome.failures,
  };
}
