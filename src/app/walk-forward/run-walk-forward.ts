/**
 * Walk-forward optimization: for each window, run the parameter grid on the training span,
 * choose the best configuration by a metric, evaluate it on the test span that follows (a
 * warm-up over every earlier bar, then flat with the initial cash, as out-of-sample evaluations
 * are), and stitch the test spans into one out-of-sample run.
 *
 * Shape: one pool of worker threads (the sweep's, `../sweep/sweep-worker-pool.ts`) runs every
 * training job of every window, window after window, so workers start once and never wait for a
 * window to finish; each worker holds the bars once and runs a job on its window's training
 * bars only. The main thread chooses each window's configuration as soon as its last training
 * run is in, evaluates it on the test span, and is the only writer to the store: training runs
 * (linked to the group, hidden from `list` and `best`), each window, then the stitched run.
 * With a {@link TrainingSource} (`walk-forward --distributed`) the training runs happen and are
 * saved elsewhere; only their outcomes come in, and the rest is the same code path.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { BarSeries } from '../../core/bars.js';
import { type BacktestConfig, resolveConfig } from '../../core/config.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import { findMetric, type MetricName, RANKABLE_METRICS } from '../../core/metric-catalog.js';
import type { BarsFingerprint, Metrics } from '../../core/result.js';
import type { ParamValue, StrategyDefinition } from '../../core/strategy.js';
import { fingerprintBars } from '../../data/index.js';
import { runEngine } from '../../engine/run-engine.js';
import { computeMetrics } from '../../metrics/index.js';
import {
  type BacktestInput,
  downsampleEquity,
  type RunStore,
  type StoredMetricSet,
  type WalkForwardDefinition,
  WalkForwardRole,
  WalkForwardStatus,
  type WalkForwardSummary,
  type WalkForwardWindowRecord,
} from '../../store/index.js';
import { lowerBound } from '../../store/bar-chunks.js';
import { isStrategyModulePath, resolveParams, resolveStrategy } from '../../strategies/index.js';
import { BacktestResult } from '../backtest-result.js';
import { type LockWait, withLockRetry } from '../lock-retry.js';
import { outOfSampleFromOutput, viewBars } from '../out-of-sample.js';
import { moduleSha256, toSaveInput } from '../save-result.js';
import { type GridAxis, gridSize, MAX_GRID_COMBINATIONS, parseGridFlagsInSlices } from '../sweep/parse-grid.js';
import { planSweepInSlices } from '../sweep/plan-sweep.js';
import { DEFAULT_RUN_TIMEOUT_SECONDS, type SweepFailure, UnsavedResultsError } from '../sweep/run-sweep.js';
import { barColumnsFor, SweepWorkerPool } from '../sweep/sweep-worker-pool.js';
import { type Duration, parseDuration } from './durations.js';
import { type PlannedWindow, planWindows } from './plan-windows.js';
import { stitchTestSpans } from './stitch.js';
import type { WalkForwardWorkerData } from './walk-forward-messages.js';

/** What to run and how. */
export interface RunWalkForwardOptions {
  /** Every bar: the windows are laid over them. */
  readonly bars: BarSeries;
  /** A built-in strategy name or a path to a strategy module (relative to the process's cwd). */
  readonly strategy: string;
  /** `--grid` flags or axes already parsed. */
  readonly grid: readonly string[] | readonly GridAxis[];
  readonly where?: string | undefined;
  /** Parameters fixed for every configuration (`--param k=v`). */
  readonly fixedParams?: Readonly<Record<string, string | ParamValue>> | undefined;
  /** Settings that differ from the defaults, shared by every run. */
  readonly config?: Partial<Omit<BacktestConfig, 'strategy'>> | undefined;
  /** Training span length: `2y`, `6mo`, `500bars`, ... (see `durations.ts`). */
  readonly train: string | Duration;
  /** Test span length. */
  readonly test: string | Duration;
  /** How far each window moves on; default: `test`. */
  readonly step?: string | Duration | undefined;
  /** Every window trains from the first bar. */
  readonly anchored?: boolean | undefined;
  /** The metric each window's configuration is chosen by; default `sharpe_ratio`. */
  readonly metric?: MetricName | undefined;
  /** Configurations with fewer closed training trades are not chosen; default 1. */
  readonly minTrades?: number | undefined;
  /** Worker threads; default `os.availableParallelism()`, never more than there are jobs. */
  readonly workers?: number | undefined;
  /** Seconds one training run may take; default 600. */
  readonly runTimeoutSeconds?: number | undefined;
  readonly workerMemoryMb?: number | undefined;
  /**
   * Save the group, every training run, each window and the stitched run here; without it
   * nothing is saved. A function is called once the windows and the grid are planned.
   */
  readonly db?: RunStore | (() => Promise<RunStore>) | undefined;
  /** The bars file, when the bars came from one: stored with the group for `rerun`. */
  readonly dataFile?: string | undefined;
  readonly notes?: string | undefined;
  /** Default: a new `wf-YYYYMMDD-HHMMSS-xxxxxx`. */
  readonly groupId?: string | undefined;
  readonly lockWait?: Omit<LockWait, 'signal'> | undefined;
  /** Parameter sets per message to a worker; default from the job count. */
  readonly batchSize?: number | undefined;
  /**
   * Where the training runs happen instead of this process's worker threads (`walk-forward
   * --distributed`); it runs and saves them itself. Needs `db`.
   */
  readonly training?: TrainingSource | undefined;
}

/**
 * A source of training outcomes other than the local worker pool: `backtest worker` processes
 * on other machines (`distributed-walk-forward.ts`). It runs and saves every training run
 * itself; the walk-forward chooses, tests, stitches and saves the rest as it does locally.
 */
export interface TrainingSource {
  /**
   * Runs every training job of `context`, reporting each outcome once (in any order), until all
   * are reported or `context.signal` aborts; a rejection fails the walk-forward.
   */
  train(context: TrainingContext): Promise<void>;
}

/** What a {@link TrainingSource} is given once the group is stored. */
export interface TrainingContext {
  readonly groupId: string;
  /** The group's stored definition (the grid as flags, fixed parameters parsed). */
  readonly definition: WalkForwardDefinition;
  /** The windows with training bars, in job order, with their training bars' fingerprints. */
  readonly windows: readonly (WindowPlan & { readonly fingerprint: BarsFingerprint })[];
  /** Every configuration in plan order: job `j` is `configs[j % C]` on `windows[floor(j / C)]`. */
  readonly configs: readonly Readonly<Record<string, ParamValue>>[];
  /** Aborts when the walk-forward stops waiting (Ctrl-C, an error, every outcome in). */
  readonly signal: AbortSignal;
  report(outcome: TrainingOutcome): void;
  /** Training runs finished (and of those failed) as the source sees them, reported or not: for the progress. */
  progress(done: number, failed: number): void;
}

/** One training run's outcome from a {@link TrainingSource}: its metrics, or why it failed. */
export type TrainingOutcome =
  | { readonly index: number; readonly metrics: Metrics; readonly error?: undefined }
  | { readonly index: number; readonly error: string; readonly metrics?: undefined };

/** One planned window, with its spans' first and last bar times (unix ms). */
export interface WindowPlan extends PlannedWindow {
  /** `null` when the training span holds no bar (the window will stay flat). */
  readonly trainFromMs: number | null;
  readonly trainToMs: number | null;
  readonly testFromMs: number;
  readonly testToMs: number;
}

/** What is known before the first training run. */
export interface WalkForwardStart {
  readonly groupId: string;
  readonly strategy: string;
  readonly swept: readonly string[];
  readonly gridSize: number;
  /** Configurations each window runs. */
  readonly configurations: number;
  readonly skippedByCheck: number;
  readonly skippedByWhere: number;
  readonly windows: readonly WindowPlan[];
  /** Training runs to do: configurations × windows with training bars. */
  readonly total: number;
  readonly workers: number;
}

/** Counts after each training run. */
export interface WalkForwardProgress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly windowsDone: number;
  readonly windows: number;
}

/** One finished window. */
export interface WindowResult extends WindowPlan {
  /** The chosen configuration (every parameter), or `null` for a flat window. */
  readonly chosenParams: Readonly<Record<string, ParamValue>> | null;
  /** Its metrics on the training span. */
  readonly inSampleMetrics: Metrics | null;
  /** Its metrics on the test span. */
  readonly outOfSampleMetrics: Metrics | null;
  readonly flat: boolean;
  /** Configurations that qualified (a value of the metric, enough trades, no failure). */
  readonly qualified: number;
  /** Training runs that failed. */
  readonly failed: number;
  /** Annualized out-of-sample over in-sample return (CAGR over CAGR); `null` unless both exist and the latter is above 0. */
  readonly efficiency: number | null;
}

/** How a walk-forward ended. */
export interface WalkForwardOutcome extends WalkForwardStart {
  readonly metric: MetricName;
  readonly minTrades: number;
  /** Finished windows, in order (every window unless interrupted). */
  readonly results: readonly WindowResult[];
  /** The stitched out-of-sample run; `undefined` when interrupted before every window finished. */
  readonly stitched: BacktestResult | undefined;
  /** The test spans' bars, one after another: the stitched run's bars. */
  readonly stitchedBars: BarSeries | undefined;
  /** Its id, when saved. */
  readonly stitchedRunId: number | undefined;
  readonly inSampleAnnualReturn: number | null;
  readonly outOfSampleAnnualReturn: number | null;
  /** Walk-forward efficiency: out-of-sample over in-sample annualized return. */
  readonly efficiency: number | null;
  /** The summary stored with the group (also when nothing is saved). */
  readonly summary: WalkForwardSummary | undefined;
  readonly completed: number;
  readonly failed: number;
  readonly failures: readonly (SweepFailure & { readonly window: number })[];
  /** Training runs saved. */
  readonly saved: number;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
}

/** Hooks and the stop signal of {@link runWalkForward}. */
export interface RunWalkForwardHooks {
  readonly onPlan?: ((gridSize: number) => void) | undefined;
  readonly onStart?: ((start: WalkForwardStart) => void) | undefined;
  readonly onProgress?: ((progress: WalkForwardProgress) => void) | undefined;
  readonly onWindow?: ((window: WindowResult) => void) | undefined;
  /**
   * Aborting stops the training runs, keeps (and saves) every finished window, marks the group
   * interrupted and resolves without a stitched run.
   */
  readonly signal?: AbortSignal | undefined;
}

const SAVE_BATCH = 100;
const SAVE_INTERVAL_MS = 250;
/** The compiled CLI starts workers from the compiled module; from the sources, through a tsx bootstrap. */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./walk-forward-worker-bootstrap.mjs', import.meta.url)
  : new URL('./walk-forward-worker.js', import.meta.url);

/**
 * A new walk-forward group id, `wf-YYYYMMDD-HHMMSS-<6 hex>` in UTC.
 *
 * @example
 * createWalkForwardId(); // 'wf-20260101-120000-3f9a1c'
 */
export function createWalkForwardId(now: Date = new Date()): string {
  const iso = now.toISOString();
  const random = Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `wf-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${random}`;
}

/**
 * Runs a walk-forward; see the module comment. Plans the windows and the grid first (a
 * `UsageError` for windows or a grid that leave nothing to run, before anything is stored).
 *
 * @example
 * const outcome = await runWalkForward({ bars, strategy: 'sma-cross', grid: ['fast=5..20:5', 'slow=30..90:30'],
 *   train: '2y', test: '6mo' });
 * console.log(outcome.stitched?.metrics.sharpe_ratio, outcome.efficiency);
 */
export async function runWalkForward(
  options: RunWalkForwardOptions,
  hooks: RunWalkForwardHooks = {},
): Promise<WalkForwardOutcome> {
  const metric = checkMetric(options.metric ?? 'sharpe_ratio');
  const minTrades = options.minTrades ?? 1;
  if (!Number.isSafeInteger(minTrades) || minTrades < 0) {
    throw new ConfigError(`minTrades is ${minTrades}; it must be a whole number of 0 or more`);
  }
  const train = duration(options.train, '--train');
  const test = duration(options.test, '--test');
  const step = options.step === undefined ? test : duration(options.step, '--step');
  const { bars } = options;
  const planned = planWindows(bars.timeMs, { train, test, step, anchored: options.anchored });
  const windows: WindowPlan[] = planned.map((w) => ({
    ...w,
    trainFromMs: w.trainTo > w.trainFrom ? (bars.timeMs[w.trainFrom] as number) : null,
    trainToMs: w.trainTo > w.trainFrom ? (bars.timeMs[w.trainTo - 1] as number) : null,
    testFromMs: bars.timeMs[w.testFrom] as number,
    testToMs: bars.timeMs[w.testTo - 1] as number,
  }));

  const strategyPath = isStrategyModulePath(options.strategy) ? resolve(options.strategy) : options.strategy;
  const definition = await resolveStrategy(strategyPath);
  const config = resolveConfig({ ...options.config, strategy: { name: definition.name, params: {} } });
  const { strategy: _unused, ...sharedConfig } = config;
  const runTimeoutSeconds = options.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS;
  if (!(runTimeoutSeconds > 0) || !Number.isFinite(runTimeoutSeconds)) {
    throw new ConfigError(`runTimeoutSeconds is ${runTimeoutSeconds}; it must be a number of seconds above 0`);
  }
  const axes = isFlagList(options.grid)
    ? await parseGridFlagsInSlices(options.grid, definition, hooks.signal)
    : options.grid;
  const fixed = options.fixedParams ?? {};
  const combinations = gridSize(axes);
  if (combinations <= MAX_GRID_COMBINATIONS) hooks.onPlan?.(combinations);
  const plan = await planSweepInSlices(definition, axes, options.where, fixed, hooks.signal);
  if (plan.params.length === 0) {
    throw new UsageError(
      `the grid leaves no configuration to run: ${plan.gridSize} combination${plan.gridSize === 1 ? '' : 's'}, ` +
        `${plan.skippedByCheck} rejected by ${definition.name}'s parameter check, ${plan.skippedByWhere} left out by --where`,
    );
  }
  const trainable = windows.filter((w) => w.trainTo > w.trainFrom);
  const total = trainable.length * plan.params.length;
  const requestedWorkers = options.workers ?? availableParallelism();
  if (!Number.isInteger(requestedWorkers) || requestedWorkers < 1) {
    throw new ConfigError(`workers is ${requestedWorkers}; it must be a whole number of 1 or more`);
  }

  const store = typeof options.db === 'function' ? await options.db() : options.db;
  const groupId = options.groupId ?? createWalkForwardId();
  const retry = <T>(what: string, write: () => Promise<T>): Promise<T> =>
    withLockRetry(what, store?.location ?? '', write, { ...options.lockWait, signal: hooks.signal });
  if (options.training !== undefined && store === undefined) {
    throw new ConfigError('training runs from another source need a store to save the walk-forward in');
  }
  let stored: WalkForwardDefinition | undefined;
  if (store !== undefined) {
    const made = walkForwardDefinition(options, groupId, definition, fixed, sharedConfig, {
      metric,
      minTrades,
      train,
      test,
      step,
    });
    stored = made;
    await retry('store the walk-forward', () => store.createWalkForward(made, windows.length));
  }

  const start: WalkForwardStart = {
    groupId,
    strategy: definition.name,
    swept: axes.map((axis) => axis.name),
    gridSize: plan.gridSize,
    configurations: plan.params.length,
    skippedByCheck: plan.skippedByCheck,
    skippedByWhere: plan.skippedByWhere,
    windows,
    total,
    workers: Math.max(1, Math.min(requestedWorkers, total)),
  };
  hooks.onStart?.(start);

  const run = new WalkForwardRun({
    options: { ...options, strategy: strategyPath, runTimeoutSeconds },
    definition,
    sharedConfig,
    store,
    stored,
    hooks,
    start,
    configs: plan.params,
    trainable,
    metric,
    minTrades,
  });
  const outcome = await run.run();
  if (outcome.saveError !== undefined) {
    await store?.updateWalkForward(groupId, { status: WalkForwardStatus.Interrupted }).catch(() => undefined);
    throw new UnsavedResultsError(outcome.unsaved, groupId, outcome.saveError);
  }
  const results = [...outcome.results].sort((a, b) => a.index - b.index);
  const complete = !outcome.interrupted && results.length === windows.length;

  let stitched: BacktestResult | undefined;
  let stitchedBars: BarSeries | undefined;
  let stitchedRunId: number | undefined;
  let summary: WalkForwardSummary | undefined;
  const inSampleAnnualReturn = mean(
    results.flatMap((r) =>
      r.inSampleMetrics?.cagr === null || r.inSampleMetrics === null ? [] : [r.inSampleMetrics.cagr],
    ),
  );
  if (complete) {
    const made = stitchResult(bars, results, outcome.testRuns, definition, sharedConfig);
    stitched = made.result;
    stitchedBars = made.bars;
    const outOfSampleAnnualReturn = stitched.metrics.cagr;
    summary = {
      stitchedMetrics: stitched.metrics,
      outOfSampleAnnualReturn,
      inSampleAnnualReturn,
      efficiency: efficiencyOf(outOfSampleAnnualReturn, inSampleAnnualReturn),
      buyAndHold: buyAndHoldCurve(made),
    };
    if (store !== undefined) {
      const input: BacktestInput = {
        ...toSaveInput(stitched, {
          notes: options.notes ?? `walk-forward ${groupId}: ${results.length} windows stitched out of sample`,
        }),
        walkForward: { id: groupId, role: WalkForwardRole.Stitched },
      };
      const id = await retry('save the stitched run', () => store.saveRun(input));
      stitchedRunId = id;
      const finalSummary = summary;
      await retry('record how the walk-forward ended', () =>
        store.updateWalkForward(groupId, {
          status: WalkForwardStatus.Completed,
          stitchedRunId: id,
          summary: finalSummary,
        }),
      );
    }
  } else if (store !== undefined) {
    await retry('record how the walk-forward ended', () =>
      store.updateWalkForward(groupId, { status: WalkForwardStatus.Interrupted }),
    );
  }
  const outOfSampleAnnualReturn = stitched?.metrics.cagr ?? null;
  return {
    ...start,
    metric,
    minTrades,
    results,
    stitched,
    stitchedBars,
    stitchedRunId,
    inSampleAnnualReturn,
    outOfSampleAnnualReturn,
    efficiency: stitched === undefined ? null : efficiencyOf(outOfSampleAnnualReturn, inSampleAnnualReturn),
    summary,
    completed: outcome.completed,
    failed: outcome.failed,
    failures: outcome.failures,
    saved: outcome.saved,
    interrupted: outcome.interrupted || !complete,
    elapsedMs: outcome.elapsedMs,
  };
}

/** Out-of-sample over in-sample annualized return; `null` unless both exist and the divisor is above 0. */
export function efficiencyOf(outOfSample: number | null, inSample: number | null): number | null {
  if (outOfSample === null || inSample === null || !(inSample > 0)) return null;
  return outOfSample / inSample;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function duration(value: string | Duration, flag: string): Duration {
  return typeof value === 'string' ? parseDuration(value, flag) : value;
}

function isFlagList(grid: readonly string[] | readonly GridAxis[]): grid is readonly string[] {
  return grid.every((g: string | GridAxis) => typeof g === 'string');
}

function checkMetric(name: string): MetricName {
  const info = findMetric(name);
  if (info === undefined || info.better === undefined) {
    throw new ConfigError(`cannot choose configurations by "${name}"; choose one of: ${RANKABLE_METRICS.join(', ')}`);
  }
  return info.name;
}

/** The stored definition: enough to run the walk-forward again. */
function walkForwardDefinition(
  options: RunWalkForwardOptions,
  groupId: string,
  definition: StrategyDefinition,
  fixed: Readonly<Record<string, string | ParamValue>>,
  config: Omit<BacktestConfig, 'strategy'>,
  chosen: { metric: MetricName; minTrades: number; train: Duration; test: Duration; step: Duration },
): WalkForwardDefinition {
  const grid = isFlagList(options.grid)
    ? options.grid
    : options.grid.map((axis) => `${axis.name}=${axis.values.map(String).join(',')}`);
  const { check: _relation, ...typeOnly } = definition;
  const parsed = resolveParams(typeOnly, fixed, '--param');
  const fixedParams = Object.fromEntries(Object.keys(fixed).map((name) => [name, parsed[name] as ParamValue]));
  return {
    groupId,
    symbol: options.bars.symbol,
    timeframe: options.bars.timeframe,
    strategy:
      definition.module === undefined
        ? { name: definition.name }
        : { name: definition.name, module: { path: definition.module, sha256: moduleSha256(definition.module) } },
    grid: [...grid],
    ...(options.where === undefined || options.where.trim() === '' ? {} : { where: options.where }),
    fixedParams,
    metric: chosen.metric,
    minTrades: chosen.minTrades,
    train: chosen.train.text,
    test: chosen.test.text,
    step: chosen.step.text,
    anchored: options.anchored === true,
    bars: fingerprintBars(options.bars),
    ...(options.dataFile === undefined ? {} : { dataFile: options.dataFile }),
    config,
    ...(options.notes === undefined ? {} : { notes: options.notes }),
  };
}

/** A window's test run, kept for stitching. */
interface TestRun {
  readonly equity: Float64Array;
  readonly trades: BacktestResult['trades'];
  readonly barsInMarket: number;
  readonly skippedOrders: number;
  readonly outOfMoney: BacktestResult['outOfMoney'];
}

interface RunOutcome {
  readonly results: readonly WindowResult[];
  readonly testRuns: ReadonlyMap<number, TestRun>;
  readonly completed: number;
  readonly failed: number;
  readonly failures: readonly (SweepFailure & { readonly window: number })[];
  readonly saved: number;
  readonly unsaved: readonly BacktestInput[];
  readonly saveError: unknown;
  readonly interrupted: boolean;
  readonly elapsedMs: number;
}

/** What each training run told about its configuration. */
interface Candidate {
  readonly metrics: Metrics | undefined;
  readonly failed: boolean;
}

/** The state of one running walk-forward; see {@link runWalkForward}. */
class WalkForwardRun {
  private pool: SweepWorkerPool<WalkForwardWorkerData> | undefined;
  private completed = 0;
  private failed = 0;
  private saved = 0;
  private windowsDone = 0;
  private readonly failures: (SweepFailure & { window: number })[] = [];
  private readonly results: WindowResult[] = [];
  private readonly testRuns = new Map<number, TestRun>();
  /** Per trainable window (in job order): each configuration's outcome, and how many are in. */
  private readonly candidates: (Candidate | undefined)[][];
  private readonly received: number[];
  private pendingSaves: BacktestInput[] = [];
  private saving: Promise<void> = Promise.resolve();
  /** Windows are chosen, tested and saved one after another, in the order they complete. */
  private windowWork: Promise<void> = Promise.resolve();
  private readonly unsaved: BacktestInput[] = [];
  private saveError: unknown;
  /** Finished training runs as a {@link TrainingSource} sees them (ahead of those reported). */
  private remote = { done: 0, failed: 0 };
  private finished = false;
  private finish: () => void = () => {};
  private failWith: (error: unknown) => void = () => {};
  private readonly fingerprints: BarsFingerprint[];

  private readonly setup: {
    readonly options: RunWalkForwardOptions;
    readonly definition: StrategyDefinition;
    readonly sharedConfig: Omit<BacktestConfig, 'strategy'>;
    readonly store: RunStore | undefined;
    readonly stored: WalkForwardDefinition | undefined;
    readonly hooks: RunWalkForwardHooks;
    readonly start: WalkForwardStart;
    readonly configs: readonly Readonly<Record<string, ParamValue>>[];
    readonly trainable: readonly WindowPlan[];
    readonly metric: MetricName;
    readonly minTrades: number;
  };

  constructor(setup: WalkForwardRun['setup']) {
    this.setup = setup;
    const { trainable, configs, options } = setup;
    this.candidates = trainable.map(() => new Array<Candidate | undefined>(configs.length));
    this.received = trainable.map(() => 0);
    // Hashed once here rather than once per training run in the workers.
    this.fingerprints = trainable.map((w) => fingerprintBars(viewBars(options.bars, w.trainFrom, w.trainTo)));
  }

  async run(): Promise<RunOutcome> {
    const startedMs = performance.now();
    const { hooks, start } = this.setup;
    const signal = hooks.signal;
    let interrupted = signal?.aborted === true;
    // Windows whose training span holds no bar have nothing to choose from: flat from the start.
    for (const window of start.windows) {
      if (window.trainTo <= window.trainFrom) this.queueWindow(() => this.finishWindow(window, undefined));
    }
    if (start.total > 0 && !interrupted) {
      const done = new Promise<void>((resolve, reject) => {
        this.finish = resolve;
        this.failWith = reject;
      });
      const onAbort = (): void => {
        interrupted = true;
        this.stop();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setInterval(() => this.guard(() => this.flush()), SAVE_INTERVAL_MS);
      const training = new AbortController();
      let trained: Promise<void> | undefined;
      try {
        if (this.setup.options.training === undefined) {
          this.pool = this.createPool();
          this.pool.start();
        } else {
          trained = this.train(this.setup.options.training, training.signal);
        }
        await done;
      } finally {
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        training.abort();
        await this.pool?.stop();
        await trained;
      }
    }
    await this.windowWork;
    this.flush();
    await this.saving;
    return {
      results: this.results,
      testRuns: this.testRuns,
      completed: this.completed,
      failed: this.failed,
      failures: this.failures,
      saved: this.saved,
      unsaved: this.unsaved,
      saveError: this.saveError,
      interrupted,
      elapsedMs: performance.now() - startedMs,
    };
  }

  private createPool(): SweepWorkerPool<WalkForwardWorkerData> {
    const { options, start, configs, trainable, sharedConfig, store } = this.setup;
    const { bars } = options;
    const windows = trainable.map((w, t) => ({
      index: w.index,
      from: w.trainFrom,
      to: w.trainTo,
      fingerprint: this.fingerprints[t] as BarsFingerprint,
    }));
    // Job j runs configuration j % C on trainable window floor(j / C).
    const params = trainable.flatMap(() => configs);
    const perWorkerBatches = start.workers * 8;
    const batchSize = options.batchSize ?? Math.max(1, Math.min(32, Math.ceil(params.length / perWorkerBatches)));
    return new SweepWorkerPool<WalkForwardWorkerData>({
      workerUrl: WORKER_URL,
      workers: start.workers,
      workerData: () => {
        const { columns, transfer } = barColumnsFor(bars);
        const data: WalkForwardWorkerData = {
          strategy: options.strategy,
          symbol: bars.symbol,
          timeframe: bars.timeframe,
          columns,
          config: sharedConfig,
          windows,
          configCount: configs.length,
          ...(store === undefined ? {} : { save: { groupId: start.groupId, notes: options.notes } }),
        };
        return { data, transfer };
      },
      params,
      batchSize,
      runTimeoutSeconds: options.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS,
      workerMemoryMb: options.workerMemoryMb,
      onOutcome: (outcome) =>
        this.guard(() =>
          this.onOutcome(
            outcome.input === undefined
              ? { index: outcome.index, error: outcome.error }
              : { index: outcome.index, metrics: outcome.input.metrics as Metrics, input: outcome.input },
          ),
        ),
      onError: (error) =>
        this.guard(() => {
          throw error;
        }),
    });
  }

  /** Training outcomes from another source (see {@link TrainingSource}); resolves once it stopped. */
  private async train(source: TrainingSource, signal: AbortSignal): Promise<void> {
    const { start, configs, trainable, stored } = this.setup;
    try {
      await source.train({
        groupId: start.groupId,
        definition: stored as WalkForwardDefinition,
        windows: trainable.map((w, t) => ({ ...w, fingerprint: this.fingerprints[t] as BarsFingerprint })),
        configs,
        signal,
        report: (outcome) =>
          this.guard(() =>
            this.onOutcome(
              outcome.metrics === undefined
                ? { index: outcome.index, error: outcome.error }
                : { index: outcome.index, metrics: outcome.metrics },
            ),
          ),
        progress: (done, failed) => {
          this.remote = { done, failed };
          this.guard(() => this.emitProgress());
        },
      });
    } catch (error) {
      this.guard(() => {
        throw error;
      });
    }
  }

  private guard(work: () => void): void {
    if (this.finished) return;
    try {
      work();
    } catch (error) {
      this.finished = true;
      this.failWith(error);
    }
  }

  /** One training run in: `input` (to save) when it ran here, metrics only when another source saved it. */
  private onOutcome(
    outcome:
      | { readonly index: number; readonly metrics: Metrics; readonly input?: BacktestInput | undefined }
      | { readonly index: number; readonly error: string; readonly metrics?: undefined },
  ): void {
    const { configs, trainable, store } = this.setup;
    const t = Math.floor(outcome.index / configs.length);
    const c = outcome.index % configs.length;
    const window = trainable[t] as WindowPlan;
    const candidates = this.candidates[t] as (Candidate | undefined)[];
    // A source reporting a run twice must not finish a window early.
    if (candidates[c] !== undefined) return;
    if (outcome.metrics === undefined) {
      this.failed++;
      this.failures.push({
        params: configs[c] as Record<string, ParamValue>,
        message: outcome.error,
        window: window.index,
      });
      candidates[c] = { metrics: undefined, failed: true };
    } else {
      this.completed++;
      candidates[c] = { metrics: outcome.metrics, failed: false };
      if (outcome.input === undefined) this.saved++;
      else if (store !== undefined) this.pendingSaves.push(outcome.input);
    }
    if (this.pendingSaves.length >= SAVE_BATCH) this.flush();
    this.received[t] = (this.received[t] ?? 0) + 1;
    if (this.received[t] === configs.length) this.queueWindow(() => this.finishWindow(window, candidates));
    this.emitProgress();
    if (this.completed + this.failed === this.setup.start.total) this.stop();
  }

  private emitProgress(): void {
    this.setup.hooks.onProgress?.({
      done: Math.max(this.completed + this.failed, this.remote.done),
      total: this.setup.start.total,
      failed: Math.max(this.failed, this.remote.failed),
      windowsDone: this.windowsDone,
      windows: this.setup.start.windows.length,
    });
  }

  private queueWindow(work: () => Promise<void>): void {
    this.windowWork = this.windowWork.then(async () => {
      if (this.saveError !== undefined) return;
      try {
        await work();
      } catch (error) {
        this.finished = true;
        this.failWith(error);
      }
    });
  }

  /** Chooses the window's configuration, evaluates it on the test span, records and saves the window. */
  private async finishWindow(
    window: WindowPlan,
    candidates: readonly (Candidate | undefined)[] | undefined,
  ): Promise<void> {
    const { options, definition, sharedConfig, configs, metric, minTrades, store, hooks } = this.setup;
    const chosen = candidates === undefined ? undefined : chooseConfiguration(candidates, metric, minTrades);
    const qualified = candidates === undefined ? 0 : countQualified(candidates, metric, minTrades);
    const failed = candidates?.filter((c) => c?.failed === true).length ?? 0;
    let result: WindowResult;
    if (chosen === undefined) {
      result = {
        ...window,
        chosenParams: null,
        inSampleMetrics: null,
        outOfSampleMetrics: null,
        flat: true,
        qualified,
        failed,
        efficiency: null,
      };
    } else {
      const params = configs[chosen] as Readonly<Record<string, ParamValue>>;
      const strategy =
        definition.module === undefined
          ? { name: definition.name, params }
          : { name: definition.name, params, module: definition.module };
      const config = resolveConfig({ ...sharedConfig, strategy });
      // The test span follows the out-of-sample rule: every earlier bar is a warm-up, and the
      // strategy never sees a bar after the span.
      const bars = viewBars(options.bars, 0, window.testTo);
      const instance = definition.create(params);
      if (instance.prepare !== undefined) await instance.prepare(bars);
      const output = runEngine(bars, instance, config, { tradeFromIndex: window.testFrom });
      const oos = outOfSampleFromOutput(bars, output, config, window.testFrom);
      this.testRuns.set(window.index, {
        equity: oos.equityCurve.equity,
        trades: oos.trades,
        barsInMarket: output.barsInMarket,
        skippedOrders: oos.skippedOrders,
        outOfMoney: oos.outOfMoney,
      });
      const inSample = candidates?.[chosen]?.metrics as Metrics;
      result = {
        ...window,
        chosenParams: params,
        inSampleMetrics: inSample,
        outOfSampleMetrics: oos.metrics,
        flat: false,
        qualified,
        failed,
        efficiency: efficiencyOf(oos.metrics.cagr, inSample.cagr),
      };
    }
    this.results.push(result);
    this.windowsDone++;
    if (store !== undefined) {
      const record: WalkForwardWindowRecord = {
        index: result.index,
        trainFromMs: result.trainFromMs,
        trainToMs: result.trainToMs,
        testFromMs: result.testFromMs,
        testToMs: result.testToMs,
        chosenParams: result.chosenParams,
        inSampleMetrics: result.inSampleMetrics as StoredMetricSet | null,
        outOfSampleMetrics: result.outOfSampleMetrics as StoredMetricSet | null,
        flat: result.flat,
      };
      await withLockRetry(
        'store a walk-forward window',
        store.location,
        () => store.saveWalkForwardWindow(this.setup.start.groupId, record),
        { ...options.lockWait, signal: hooks.signal },
      );
    }
    hooks.onWindow?.(result);
  }

  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.finish();
  }

  /** Queues the training runs received so far for one save transaction (see the sweep's flush). */
  private flush(): void {
    const db = this.setup.store;
    if (db === undefined || this.pendingSaves.length === 0) return;
    const inputs = this.pendingSaves;
    this.pendingSaves = [];
    this.saving = this.saving.then(async () => {
      if (this.saveError !== undefined) {
        this.unsaved.push(...inputs);
        return;
      }
      try {
        await withLockRetry(
          `save ${inputs.length} training run${inputs.length === 1 ? '' : 's'}`,
          db.location,
          () => db.saveRuns(inputs),
          { ...this.setup.options.lockWait, signal: this.setup.hooks.signal },
        );
        this.saved += inputs.length;
      } catch (error) {
        this.saveError = error;
        this.unsaved.push(...inputs);
        this.stop();
      }
    });
  }
}

/** True when a training run qualifies: no failure, a value of the metric, enough trades. */
function qualifies(candidate: Candidate | undefined, metric: MetricName, minTrades: number): boolean {
  const metrics = candidate?.metrics;
  if (candidate === undefined || candidate.failed || metrics === undefined) return false;
  return metrics[metric] !== null && (metrics.total_trades ?? 0) >= minTrades;
}

function countQualified(candidates: readonly (Candidate | undefined)[], metric: MetricName, minTrades: number): number {
  return candidates.filter((c) => qualifies(c, metric, minTrades)).length;
}

/**
 * The index of the best qualifying configuration by `metric` in its better direction (for the
 * drawdown, closest to zero); ties go to the first in grid order; `undefined` when none qualifies.
 *
 * @example
 * chooseConfiguration(candidates, 'sharpe_ratio', 1); // 3
 */
export function chooseConfiguration(
  candidates: readonly (Candidate | undefined)[],
  metric: MetricName,
  minTrades: number,
): number | undefined {
  const lowerIsBetter = findMetric(metric)?.better === 'lower';
  let best: number | undefined;
  let bestValue = 0;
  candidates.forEach((candidate, i) => {
    if (!qualifies(candidate, metric, minTrades)) return;
    const value = candidate?.metrics?.[metric] as number;
    if (best === undefined || (lowerIsBetter ? value < bestValue : value > bestValue)) {
      best = i;
      bestValue = value;
    }
  });
  return best;
}

/** The stitched run as a backtest result (its out-of-sample part is itself), with its bars. */
interface StitchedResult {
  readonly result: BacktestResult;
  /** The test spans' bars, one after another. */
  readonly bars: BarSeries;
}

/** The stitched out-of-sample run as a backtest result, its out-of-sample part being itself. */
function stitchResult(
  bars: BarSeries,
  results: readonly WindowResult[],
  testRuns: ReadonlyMap<number, TestRun>,
  definition: StrategyDefinition,
  sharedConfig: Omit<BacktestConfig, 'strategy'>,
): StitchedResult {
  const initialCash = sharedConfig.initialCash;
  const stitched = stitchTestSpans(
    bars,
    results.map((r) => ({ from: r.testFrom, to: r.testTo, run: testRuns.get(r.index) })),
    initialCash,
  );
  const n = stitched.bars.length;
  const metrics = computeMetrics({
    timeMs: stitched.bars.timeMs,
    equity: stitched.equity,
    trades: stitched.trades,
    initialCash,
    barsInMarket: stitched.barsInMarket,
    firstClose: stitched.bars.close[0] as number,
    lastClose: stitched.bars.close[n - 1] as number,
    riskFreeRate: sharedConfig.riskFreeRate,
  });
  // The parameters change from window to window, so the stitched run's config names none.
  const config = resolveConfig({
    ...sharedConfig,
    strategy:
      definition.module === undefined
        ? { name: definition.name, params: {} }
        : { name: definition.name, params: {}, module: definition.module },
  });
  const fingerprint = fingerprintBars(stitched.bars);
  const equityCurve = { timeMs: stitched.bars.timeMs, equity: stitched.equity };
  const result = new BacktestResult({
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    config,
    equityCurve,
    trades: stitched.trades,
    skippedOrders: stitched.skippedOrders,
    outOfMoney: stitched.outOfMoney,
    metrics,
    bars: fingerprint,
    outOfSample: {
      equityCurve,
      trades: stitched.trades,
      skippedOrders: stitched.skippedOrders,
      outOfMoney: stitched.outOfMoney,
      metrics,
      bars: fingerprint,
    },
  });
  return { result, bars: stitched.bars };
}

/**
 * Buy and hold over the stitched bars from the initial cash (cash × close / first close), at
 * the times the stored (downsampled) stitched curve keeps, for charts against it.
 */
function buyAndHoldCurve(stitched: StitchedResult): WalkForwardSummary['buyAndHold'] {
  const { timeMs, close } = stitched.bars;
  const kept = downsampleEquity(stitched.result.equityCurve);
  const cash = stitched.result.config.initialCash;
  const first = close[0] as number;
  const equity = [...kept.timeMs].map((t) => (cash * (close[lowerBound(timeMs, t)] as number)) / first);
  return { timeMs: [...kept.timeMs], equity };
}
