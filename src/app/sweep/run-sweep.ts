/**
 * Parameter sweeps: every combination of a grid, run in parallel on worker threads, with the
 * main thread as the only writer to the database.
 *
 * Shape: the main thread plans the combinations, hashes the bars once, starts N workers (each
 * gets its own copy of the bars, once), and deals out batches of parameter sets, keeping two
 * batches in flight per worker so none waits on a message. Workers send back compact save
 * inputs (metrics, config, an equity curve already cut to at most 300 points, the run's returns
 * on the sweep's period grid for `backtest overfit`). The main thread
 * saves them in batches, one transaction each, all under one sweep id. A configuration that
 * runs past the run timeout, or kills its worker, fails alone (see `sweep-worker-pool.ts`).
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { BarSeries } from '../../core/bars.js';
import { type BacktestConfig, resolveConfig } from '../../core/config.js';
import { ConfigError, StoreError, UsageError } from '../../core/errors.js';
import { findMetric, METRIC_CATALOG, type MetricName, RANKABLE_METRICS } from '../../core/metric-catalog.js';
import type { BarsFingerprint, Metrics } from '../../core/result.js';
import type { ParamValue, StrategyDefinition } from '../../core/strategy.js';
import { fingerprintBars } from '../../data/index.js';
import { type PeriodGrid, periodGridFor } from '../../metrics/index.js';
import {
  type BacktestInput,
  type BacktestRow,
  canonicalJson,
  MAX_LIMIT,
  type RunStore,
  type SweepDefinition,
  SweepStatus,
} from '../../store/index.js';
import { type LockWait, withLockRetry } from '../lock-retry.js';
import { isSplitSet, type OutOfSampleSplit, outOfSampleIndex, viewBars } from '../out-of-sample.js';
import { moduleSha256 } from '../save-result.js';
import { isStrategyModulePath, resolveParams, resolveStrategy } from '../../strategies/index.js';
import { createSweepId } from './create-sweep-id.js';
import { type GridAxis, gridSize, MAX_GRID_COMBINATIONS, parseGridFlagsInSlices } from './parse-grid.js';
import { planSweepInSlices } from './plan-sweep.js';
import type { SweepJobOutcome, SweepWorkerData } from './sweep-messages.js';
import { barColumnsFor, SweepWorkerPool } from './sweep-worker-pool.js';

/** What to sweep and how. */
export interface RunSweepOptions {
  readonly bars: BarSeries;
  /** A built-in strategy name (`sma-cross`) or a path to a strategy module (relative to the process's cwd). */
  readonly strategy: string;
  /** `--grid` flags (`fast=5..50:5`, `short=true,false`) or axes already parsed by `parseGridFlags`. */
  readonly grid: readonly string[] | readonly GridAxis[];
  /** A `--where` expression over parameter names, e.g. `slow - fast >= 10`. */
  readonly where?: string | undefined;
  /** Settings that differ from the defaults (cash, costs, sizing, fill timing), shared by every run. */
  readonly config?: Partial<Omit<BacktestConfig, 'strategy'>> | undefined;
  /** Parameters fixed for every combination (`--param k=v`); they may not also be swept. */
  readonly fixedParams?: Readonly<Record<string, string | ParamValue>> | undefined;
  /** Worker threads; default `os.availableParallelism()`, never more than there are runs. */
  readonly workers?: number | undefined;
  /**
   * Seconds one configuration may run; default 600. One still running then is stopped (its
   * worker is terminated and replaced) and counted as failed, "timed out after N s".
   */
  readonly runTimeoutSeconds?: number | undefined;
  /**
   * Old-generation heap limit of each worker thread, MB; default: Node's. A configuration that
   * runs out of it fails alone, "ran out of memory".
   */
  readonly workerMemoryMb?: number | undefined;
  /**
   * Save every run here, under the sweep id, and store the sweep itself (definition, status,
   * counts); without it nothing is saved. A function is called once the grid is planned, so a
   * grid that leaves nothing to run never creates a database.
   */
  readonly db?: RunStore | (() => Promise<RunStore>) | undefined;
  /** The bars file, when the bars came from one: stored with the sweep as a hint for resuming. */
  readonly dataFile?: string | undefined;
  /** How the bars file was read (`--adjusted`, `--tz`): stored with the sweep for `sweeps resume`. */
  readonly dataFileOptions?: SweepDefinition['dataFileOptions'];
  /**
   * Resume the stored sweep `sweepId`: run only the combinations that have no saved run yet.
   * Needs `db`; the other options must describe the same sweep (`resumeSweep` reads them back).
   */
  readonly resume?: boolean | undefined;
  /**
   * How long a save waits for another process's write lock (and whom to tell); the sweep's
   * abort signal also stops the wait. A save that fails anyway stops the sweep with an
   * {@link UnsavedResultsError} carrying every result not saved.
   */
  readonly lockWait?: Omit<LockWait, 'signal'> | undefined;
  /** Notes stored with every saved run. */
  readonly notes?: string | undefined;
  /**
   * Split every run into an in-sample and an out-of-sample part (see `out-of-sample.ts`): each
   * run's metrics, the top list and its ranking are then in-sample; the out-of-sample metrics
   * are saved beside them.
   */
  readonly outOfSample?: OutOfSampleSplit | undefined;
  /** Default: a new `sweep-YYYYMMDD-HHMMSS-xxxxxx`. */
  readonly sweepId?: string | undefined;
  /** Metric the top list is ranked by; default `sharpe_ratio`. */
  readonly metric?: MetricName | undefined;
  /** Length of the top list; default 10. */
  readonly top?: number | undefined;
  /** Parameter sets per message to a worker; default between 1 and 32, from the run count. */
  readonly batchSize?: number | undefined;
  /** Results per save transaction; default 100 (a partial batch is also saved every 250 ms). */
  readonly saveBatchSize?: number | undefined;
}

/** What is known once the grid is planned, before any run starts. */
export interface SweepStart {
  readonly sweepId: string;
  readonly strategy: string;
  /** Names of the swept parameters, in `--grid` order. */
  readonly swept: readonly string[];
  /** Combinations in the grid before filtering. */
  readonly gridSize: number;
  /** Runs to do. */
  readonly total: number;
  readonly skippedByCheck: number;
  readonly skippedByWhere: number;
  readonly workers: number;
  /** Combinations a resumed sweep had already saved, so not run again. */
  readonly alreadySaved: number;
}

/** Counts after each batch of results. */
export interface SweepProgress {
  /** Runs finished, completed or failed. */
  readonly done: number;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  /** Runs committed to the database so far. */
  readonly saved: number;
}

/** Hooks and the stop signal for {@link runSweep}. */
export interface RunSweepHooks {
  /** Called before the grid is expanded, with its number of combinations (a million take seconds). */
  readonly onPlan?: ((gridSize: number) => void) | undefined;
  readonly onStart?: ((start: SweepStart) => void) | undefined;
  readonly onProgress?: ((progress: SweepProgress) => void) | undefined;
  /**
   * Aborting stops dispatching, drops runs still in flight, saves every result received, and
   * resolves. Aborting while the grid is planned rejects with an `InterruptedError` at once,
   * before anything is stored.
   */
  readonly signal?: AbortSignal | undefined;
}

/** One run in the top list. */
export interface SweepRow {
  /** Database id, when the run was saved. */
  readonly id?: number | undefined;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly metrics: Metrics;
  /** The out-of-sample metrics, for a sweep split with `outOfSample`. */
  readonly oosMetrics?: Metrics | undefined;
}

/** A run that threw, with its parameters. */
export interface SweepFailure {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly message: string;
}

/** How a sweep ended. */
export interface SweepSummary extends SweepStart {
  readonly completed: number;
  readonly failed: number;
  readonly saved: number;
  /** True when the signal stopped the sweep before every run finished. */
  readonly interrupted: boolean;
  readonly failures: readonly SweepFailure[];
  readonly metric: MetricName;
  /** Best runs first by `metric`; when saved, exactly `getBacktestResults({ sweepId, sort: metric, limit: top })`. */
  readonly top: readonly SweepRow[];
  /** Wall time from starting the workers to the last save, milliseconds. */
  readonly elapsedMs: number;
}

/**
 * A sweep stopped because its results could not be saved (the store failed, or another
 * process held its write lock past the lock timeout). `inputs` are the results computed and not
 * saved: write them to a recovery file (`writeRecoveryFile`). Exit 5, as other store failures.
 */
export class UnsavedResultsError extends StoreError {
  readonly inputs: readonly BacktestInput[];
  readonly sweepId: string;

  constructor(inputs: readonly BacktestInput[], sweepId: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `sweep ${sweepId} stopped: ${inputs.length} computed run${inputs.length === 1 ? ' was' : 's were'} not saved: ${reason}`,
      {
        cause,
      },
    );
    this.inputs = inputs;
    this.sweepId = sweepId;
  }
}

const DEFAULT_TOP = 10;
const DEFAULT_SAVE_BATCH = 100;
const SAVE_INTERVAL_MS = 250;
/** Default of `runTimeoutSeconds` (`--run-timeout`). */
export const DEFAULT_RUN_TIMEOUT_SECONDS = 600;
/**
 * The compiled CLI (dist/) starts workers straight from the compiled worker module. Running from
 * the TypeScript sources (tests, `npm run backtest`), workers go through a bootstrap that
 * registers tsx first, because worker threads do not inherit the parent's loader.
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./sweep-worker-bootstrap.mjs', import.meta.url)
  : new URL('./sweep-worker.js', import.meta.url);

/**
 * Runs every combination of a parameter grid on worker threads and, when given a database,
 * saves each result in batches under one shared sweep id. Combinations the strategy's `check`
 * rejects are skipped and counted; a run that throws is counted as failed and the rest go on.
 *
 * @example
 * const summary = await runSweep(
 *   { bars, strategy: 'sma-cross', grid: ['fast=5..50:5', 'slow=20..200:10'], db },
 *   { onProgress: (p) => console.log(`${p.done}/${p.total}`), signal: controller.signal },
 * );
 * console.log(summary.sweepId, summary.top[0]?.params);
 */
export async function runSweep(options: RunSweepOptions, hooks: RunSweepHooks = {}): Promise<SweepSummary> {
  const metric = checkMetric(options.metric ?? 'sharpe_ratio');
  const topCount = options.top ?? DEFAULT_TOP;
  if (!Number.isInteger(topCount) || topCount < 1) {
    throw new ConfigError(`top is ${topCount}; it must be a whole number of 1 or more`);
  }
  if (options.resume === true && (options.db === undefined || options.sweepId === undefined)) {
    throw new ConfigError('resuming a sweep needs the store it was saved in and its sweep id');
  }
  // Workers load a module strategy by path themselves, so it must not depend on their cwd.
  const strategy = isStrategyModulePath(options.strategy) ? resolve(options.strategy) : options.strategy;
  const definition = await resolveStrategy(strategy);
  const config = resolveConfig({ ...options.config, strategy: { name: definition.name, params: {} } });
  const runTimeoutSeconds = options.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS;
  if (!(runTimeoutSeconds > 0) || !Number.isFinite(runTimeoutSeconds)) {
    throw new ConfigError(`runTimeoutSeconds is ${runTimeoutSeconds}; it must be a number of seconds above 0`);
  }
  const workerMemoryMb = options.workerMemoryMb;
  if (workerMemoryMb !== undefined && !(Number.isFinite(workerMemoryMb) && workerMemoryMb > 0)) {
    throw new ConfigError(`workerMemoryMb is ${workerMemoryMb}; it must be a number of megabytes above 0`);
  }
  // Planning a million combinations takes seconds: it runs in slices so Ctrl-C stops it at once.
  const parsedAxes = isFlagList(options.grid)
    ? await parseGridFlagsInSlices(options.grid, definition, hooks.signal)
    : options.grid;
  const fixed = options.fixedParams ?? {};
  const combinations = gridSize(parsedAxes);
  if (combinations <= MAX_GRID_COMBINATIONS) hooks.onPlan?.(combinations);
  const plan = await planSweepInSlices(definition, parsedAxes, options.where, fixed, hooks.signal);
  if (plan.params.length === 0 && options.resume !== true) {
    throw new UsageError(
      `the grid leaves no combination to run: ${plan.gridSize} combination${plan.gridSize === 1 ? '' : 's'}, ` +
        `${plan.skippedByCheck} rejected by ${definition.name}'s parameter check, ${plan.skippedByWhere} left out by --where`,
    );
  }
  // Before the store opens: a split that leaves a part without bars creates no database.
  const split = splitForWorkers(options.bars, options.outOfSample);
  const requestedWorkers = options.workers ?? availableParallelism();
  if (!Number.isInteger(requestedWorkers) || requestedWorkers < 1) {
    throw new ConfigError(`workers is ${requestedWorkers}; it must be a whole number of 1 or more`);
  }
  const store = typeof options.db === 'function' ? await options.db() : options.db;
  const sweepId = options.sweepId ?? createSweepId();
  const { strategy: _unused, ...sharedConfig } = config;
  // Hashed once: the stored sweep and every worker's runs name the same bars.
  const fingerprint = fingerprintBars(options.bars);

  // Every write of the sweep's own record waits out another process's lock, as its saves do.
  const retry = <T>(what: string, write: () => Promise<T>): Promise<T> =>
    withLockRetry(what, store?.location ?? '', write, { ...options.lockWait, signal: hooks.signal });
  // Every run's returns go on one grid of periods of these bars (for `backtest overfit`); a
  // resumed sweep keeps the grid it was stored with.
  let periodGrid: PeriodGrid = periodGridFor(split?.fromIndex ?? options.bars.length);
  let toRun = plan.params;
  if (store !== undefined) {
    if (options.resume === true) {
      const record = await store.findSweep(sweepId);
      if (record === undefined) throw new StoreError(`${store.location} has no sweep ${sweepId} to resume`);
      periodGrid = record.definition.periodGrid ?? periodGrid;
      const saved = await store.listRuns({ sweepId, limit: MAX_LIMIT });
      const done = new Set(saved.map((row) => row.strategy_params_json));
      toRun = plan.params.filter((params) => !done.has(canonicalJson(params)));
      await retry('mark the sweep running', () =>
        store.updateSweep(sweepId, { status: SweepStatus.Running, planned: plan.params.length }),
      );
    } else {
      const stored = sweepDefinition(options, sweepId, definition, fixed, sharedConfig, fingerprint, periodGrid);
      await retry('store the sweep', () => store.createSweep(stored, plan.params.length));
    }
  }

  const start: SweepStart = {
    sweepId,
    strategy: definition.name,
    swept: parsedAxes.map((axis) => axis.name),
    gridSize: plan.gridSize,
    total: toRun.length,
    skippedByCheck: plan.skippedByCheck,
    skippedByWhere: plan.skippedByWhere,
    workers: Math.max(1, Math.min(requestedWorkers, toRun.length)),
    alreadySaved: plan.params.length - toRun.length,
  };
  hooks.onStart?.(start);

  const outcome = await new SweepRun({
    options: { ...options, strategy, runTimeoutSeconds },
    store,
    hooks,
    start,
    params: toRun,
    fingerprint,
    config: sharedConfig,
    metric,
    topCount,
    periodGrid,
    split,
  }).run();
  if (outcome.saveError !== undefined) {
    // The store refused a save: say what was kept. The sweep's record stays `running` when
    // the store cannot be written either; `sweeps` then shows it as partial.
    await store
      ?.updateSweep(sweepId, { status: SweepStatus.Interrupted, failed: outcome.failed })
      .catch(() => undefined);
    throw new UnsavedResultsError(outcome.unsaved, sweepId, outcome.saveError);
  }
  let top: readonly SweepRow[] = outcome.best;
  if (store !== undefined) {
    const savedRuns = await store.countRuns({ sweepId });
    await retry('record how the sweep ended', () =>
      store.updateSweep(sweepId, {
        status: outcome.interrupted ? SweepStatus.Interrupted : SweepStatus.Completed,
        done: savedRuns + outcome.failed,
        failed: outcome.failed,
      }),
    );
    if (savedRuns > 0) {
      const rows = await store.listRuns({ sweepId, sort: metric, limit: topCount });
      const outOfSample = split === undefined ? undefined : await store.outOfSample(rows.map((row) => row.id));
      top = rows.map((row) => {
        const oos = outOfSample?.get(row.id);
        const shown = rowFromDatabase(row, definition);
        return oos === undefined ? shown : { ...shown, oosMetrics: oos.metrics as unknown as Metrics };
      });
    }
  }
  const { best: _best, unsaved: _unsaved, saveError: _saveError, ...counts } = outcome;
  return { ...start, ...counts, metric, top };
}

/** The stored definition of a sweep: enough to resume it or run it again. */
function sweepDefinition(
  options: RunSweepOptions,
  sweepId: string,
  definition: StrategyDefinition,
  fixed: Readonly<Record<string, string | ParamValue>>,
  config: Omit<BacktestConfig, 'strategy'>,
  bars: BarsFingerprint,
  periodGrid: PeriodGrid,
): SweepDefinition {
  const grid = isFlagList(options.grid)
    ? options.grid
    : options.grid.map((axis) => `${axis.name}=${axis.values.map(String).join(',')}`);
  // Stored parsed (`true`, not "true"), as the combinations were run.
  const { check: _relation, ...typeOnly } = definition;
  const parsed = resolveParams(typeOnly, fixed, '--param');
  const fixedParams = Object.fromEntries(Object.keys(fixed).map((name) => [name, parsed[name] as ParamValue]));
  return {
    sweepId,
    symbol: options.bars.symbol,
    timeframe: options.bars.timeframe,
    strategy:
      definition.module === undefined
        ? { name: definition.name }
        : { name: definition.name, module: { path: definition.module, sha256: moduleSha256(definition.module) } },
    grid: [...grid],
    ...(options.where === undefined || options.where.trim() === '' ? {} : { where: options.where }),
    fixedParams,
    bars,
    ...(isSplitSet(options.outOfSample)
      ? { outOfSampleFromMs: options.bars.timeMs[outOfSampleIndex(options.bars, options.outOfSample)] as number }
      : {}),
    ...(options.dataFile === undefined ? {} : { dataFile: options.dataFile }),
    ...(options.dataFileOptions === undefined ? {} : { dataFileOptions: options.dataFileOptions }),
    config,
    ...(options.notes === undefined ? {} : { notes: options.notes }),
    periodGrid,
  };
}

interface RunOutcome {
  readonly completed: number;
  readonly failed: number;
  readonly saved: number;
  readonly unsaved: readonly BacktestInput[];
  readonly saveError: unknown;
  readonly interrupted: boolean;
  readonly failures: readonly SweepFailure[];
  readonly best: readonly SweepRow[];
  readonly elapsedMs: number;
}

/** The state of one running sweep; see {@link runSweep}. */
class SweepRun {
  private pool: SweepWorkerPool | undefined;
  private completed = 0;
  private failed = 0;
  private saved = 0;
  private readonly failures: SweepFailure[] = [];
  private readonly best: SweepRow[] = [];
  private pendingSaves: BacktestInput[] = [];
  /** Saves run one after another, in order; a failed save stops the sweep. */
  private saving: Promise<void> = Promise.resolve();
  /** Results a save could not store, kept for the recovery file. */
  private readonly unsaved: BacktestInput[] = [];
  private saveError: unknown;
  private finished = false;
  private finish: () => void = () => {};
  private failWith: (error: unknown) => void = () => {};
  private readonly batchSize: number;
  private readonly saveBatchSize: number;

  private readonly options: RunSweepOptions;
  private readonly store: RunStore | undefined;
  private readonly hooks: RunSweepHooks;
  private readonly start: SweepStart;
  private readonly params: readonly Readonly<Record<string, ParamValue>>[];
  private readonly fingerprint: BarsFingerprint;
  private readonly config: Omit<BacktestConfig, 'strategy'>;
  private readonly metric: MetricName;
  private readonly topCount: number;
  private readonly periodGrid: PeriodGrid;
  private readonly split: SweepWorkerData['outOfSample'];

  constructor(setup: {
    options: RunSweepOptions;
    store: RunStore | undefined;
    hooks: RunSweepHooks;
    start: SweepStart;
    params: readonly Readonly<Record<string, ParamValue>>[];
    fingerprint: BarsFingerprint;
    config: Omit<BacktestConfig, 'strategy'>;
    metric: MetricName;
    topCount: number;
    periodGrid: PeriodGrid;
    split: SweepWorkerData['outOfSample'];
  }) {
    ({
      options: this.options,
      store: this.store,
      hooks: this.hooks,
      start: this.start,
      params: this.params,
      fingerprint: this.fingerprint,
      config: this.config,
      metric: this.metric,
      topCount: this.topCount,
      periodGrid: this.periodGrid,
      split: this.split,
    } = setup);
    const perWorkerBatches = this.start.workers * 8;
    this.batchSize =
      this.options.batchSize ?? Math.max(1, Math.min(32, Math.ceil(this.params.length / perWorkerBatches)));
    this.saveBatchSize = this.options.saveBatchSize ?? DEFAULT_SAVE_BATCH;
  }

  async run(): Promise<RunOutcome> {
    const startedMs = performance.now();
    const signal = this.hooks.signal;
    let interrupted = false;
    if (this.params.length > 0 && signal?.aborted !== true) {
      const done = new Promise<void>((resolve, reject) => {
        this.finish = resolve;
        this.failWith = reject;
      });
      const onAbort = (): void => {
        interrupted = true;
        this.stop();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setInterval(() => this.flushGuarded(), SAVE_INTERVAL_MS);
      try {
        this.pool = this.createPool();
        this.pool.start();
        await done;
      } finally {
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        await this.pool?.stop();
      }
      this.flush();
      await this.saving;
    } else if (signal?.aborted === true) {
      interrupted = this.params.length > 0;
    }
    return {
      completed: this.completed,
      failed: this.failed,
      saved: this.saved,
      unsaved: this.unsaved,
      saveError: this.saveError,
      interrupted,
      failures: this.failures,
      best: this.best,
      elapsedMs: performance.now() - startedMs,
    };
  }

  private createPool(): SweepWorkerPool {
    const { bars } = this.options;
    const shared = {
      strategy: this.options.strategy,
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      fingerprint: this.fingerprint,
      config: this.config,
      sweepId: this.start.sweepId,
      ...(this.options.notes === undefined ? {} : { notes: this.options.notes }),
      periodGrid: this.periodGrid,
      ...(this.split === undefined ? {} : { outOfSample: this.split }),
    };
    return new SweepWorkerPool({
      workerUrl: WORKER_URL,
      workers: this.start.workers,
      workerData: () => {
        const { columns, transfer } = barColumnsFor(bars);
        const data: SweepWorkerData = { ...shared, columns };
        return { data, transfer };
      },
      params: this.params,
      batchSize: this.batchSize,
      runTimeoutSeconds: this.options.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS,
      workerMemoryMb: this.options.workerMemoryMb,
      onOutcome: (outcome) => this.guard(() => this.onOutcome(outcome)),
      onError: (error) =>
        this.guard(() => {
          throw error;
        }),
    });
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

  /** Each run's outcome, exactly once, whether it completed, failed, timed out or lost its worker. */
  private onOutcome(outcome: SweepJobOutcome): void {
    this.record(outcome);
    if (this.pendingSaves.length >= this.saveBatchSize) this.flush();
    this.report();
    this.finishWhenDone();
  }

  private record(outcome: SweepJobOutcome): void {
    const params = this.params[outcome.index] as Readonly<Record<string, ParamValue>>;
    if (outcome.input === undefined) {
      this.failed++;
      this.failures.push({ params, message: outcome.error });
      return;
    }
    this.completed++;
    if (this.store !== undefined) this.pendingSaves.push(outcome.input);
    else {
      const oos = outcome.input.outOfSample?.metrics as Metrics | undefined;
      this.keepIfBest({
        params,
        metrics: outcome.input.metrics as Metrics,
        ...(oos === undefined ? {} : { oosMetrics: oos }),
      });
    }
  }

  /** Keeps the in-memory top list (used only when nothing is saved) sorted, best first. */
  private keepIfBest(row: SweepRow): void {
    const at = this.best.findIndex((other) => compareRows(row, other, this.metric) < 0);
    if (at === -1) {
      if (this.best.length < this.topCount) this.best.push(row);
      return;
    }
    this.best.splice(at, 0, row);
    if (this.best.length > this.topCount) this.best.pop();
  }

  private finishWhenDone(): void {
    if (this.completed + this.failed === this.params.length) this.stop();
  }

  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    this.finish();
  }

  private report(): void {
    const done = this.completed + this.failed;
    this.hooks.onProgress?.({
      done,
      total: this.params.length,
      completed: this.completed,
      failed: this.failed,
      saved: this.saved,
    });
  }

  private flushGuarded(): void {
    this.guard(() => this.flush());
  }

  /**
   * Queues every result received so far for saving in one transaction, waiting out another
   * process's write lock. When a save fails anyway the sweep stops, and that batch and every
   * later result are kept in `unsaved` rather than lost.
   */
  private flush(): void {
    const db = this.store;
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
          `save ${inputs.length} sweep run${inputs.length === 1 ? '' : 's'}`,
          db.location,
          () => db.saveRuns(inputs),
          {
            ...this.options.lockWait,
            signal: this.hooks.signal,
          },
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

/** Best first by `metric` (in its direction), undefined values last, then plan order. */
function compareRows(a: SweepRow, b: SweepRow, metric: MetricName): number {
  const x = a.metrics[metric];
  const y = b.metrics[metric];
  if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
  if (x === y) return 0;
  const better = findMetric(metric)?.better === 'lower' ? x < y : x > y;
  return better ? -1 : 1;
}

/** A saved run as a top-list row; parameters in the strategy's order (the stored JSON sorts keys). */
function rowFromDatabase(row: BacktestRow, definition: StrategyDefinition): SweepRow {
  const record = row as unknown as Record<string, unknown>;
  const metrics = Object.fromEntries(METRIC_CATALOG.map((m) => [m.name, record[m.name] ?? null])) as unknown as Metrics;
  const paramsJson = record.strategy_params_json;
  const stored = typeof paramsJson === 'string' ? (JSON.parse(paramsJson) as Record<string, ParamValue>) : {};
  const params = Object.fromEntries(
    definition.params.filter((p) => Object.hasOwn(stored, p.name)).map((p) => [p.name, stored[p.name] as ParamValue]),
  );
  return { id: row.id, params, metrics };
}

/** The split bar and the fingerprints of both parts, for every worker; `undefined` for runs not split. */
function splitForWorkers(bars: BarSeries, split: OutOfSampleSplit | undefined): SweepWorkerData['outOfSample'] {
  if (!isSplitSet(split)) return undefined;
  const fromIndex = outOfSampleIndex(bars, split);
  return {
    fromIndex,
    inSample: fingerprintBars(viewBars(bars, 0, fromIndex)),
    outOfSample: fingerprintBars(viewBars(bars, fromIndex, bars.length)),
  };
}

function isFlagList(grid: readonly string[] | readonly GridAxis[]): grid is readonly string[] {
  return grid.every((g: string | GridAxis) => typeof g === 'string');
}

function checkMetric(name: string): MetricName {
  const info = findMetric(name);
  if (info === undefined || info.better === undefined) {
    throw new ConfigError(`cannot rank a sweep by "${name}"; choose one of: ${RANKABLE_METRICS.join(', ')}`);
  }
  return info.name;
}
