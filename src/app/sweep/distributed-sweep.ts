/**
 * Sweeps on many machines, the coordinating side: `sweep --distributed` stores the sweep and its
 * bars in PostgreSQL and enqueues one job per batch of configurations (plan positions); progress
 * is read back from the store and the queue. The queue is pg-boss (`postgres-sweep-queue.ts`).
 *
 * The side that runs jobs, `backtest worker`, is `distributed-worker.ts`: workers on any
 * machine that reaches the database lease jobs, rebuild the plan from the stored definition
 * (`planOf`), and save each result once (an idempotency key per sweep and configuration, see
 * `store/postgres/postgres-distributed.ts`).
 */
import { resolve } from 'node:path';
import type { BarSeries } from '../../core/bars.js';
import { type BacktestConfig, resolveConfig } from '../../core/config.js';
import { ConfigError, StoreError, UsageError } from '../../core/errors.js';
import type { ParamValue } from '../../core/strategy.js';
import { fingerprintBars } from '../../data/index.js';
import { canonicalJson } from '../../store/canonical-json.js';
import { type SweepDefinition, SweepStatus } from '../../store/sweep-record.js';
import { isStrategyModulePath, resolveParams, resolveStrategy } from '../../strategies/index.js';
import { moduleSha256 } from '../save-result.js';
import { createSweepId } from './create-sweep-id.js';
import { parseGridFlagsInSlices } from './parse-grid.js';
import { planSweepInSlices } from './plan-sweep.js';

type PostgresModule = typeof import('../../store/postgres/index.js');
type QueueModule = typeof import('../../store/postgres/postgres-sweep-queue.js');
export type Store = Awaited<ReturnType<PostgresModule['PostgresRunStore']['open']>>;
export type Queue = Awaited<ReturnType<QueueModule['PostgresSweepQueue']['open']>>;

/** Default lease of a job, seconds. */
export const DEFAULT_LEASE_SECONDS = 120;
/** Default configurations per job. */
export const DEFAULT_BATCH_SIZE = 10;
/** Default seconds one configuration may run on a worker (as `--run-timeout` of a local sweep). */
export const DEFAULT_RUN_TIMEOUT_SECONDS = 600;

/** What `sweep --distributed` needs. */
export interface EnqueueSweepOptions {
  readonly url: string;
  readonly bars: BarSeries;
  readonly strategy: string;
  readonly grid: readonly string[];
  readonly where?: string | undefined;
  readonly fixedParams?: Readonly<Record<string, string | ParamValue>> | undefined;
  readonly config?: Partial<Omit<BacktestConfig, 'strategy'>> | undefined;
  readonly notes?: string | undefined;
  readonly leaseSeconds?: number | undefined;
  readonly batchSize?: number | undefined;
  /** Seconds a worker lets one configuration run; default 600. */
  readonly runTimeoutSeconds?: number | undefined;
  readonly sweepId?: string | undefined;
}

/** What was enqueued. */
export interface EnqueuedSweep {
  readonly sweepId: string;
  readonly planned: number;
  readonly jobs: number;
  readonly batchSize: number;
  readonly leaseSeconds: number;
}

/** A distributed sweep's progress. */
export interface DistributedProgress {
  readonly planned: number;
  /** Saved or failed. */
  readonly done: number;
  readonly failed: number;
  /** Configurations in leased jobs and not yet done, at most (a job run again holds some done already). */
  readonly running: number;
  readonly jobs: {
    readonly pending: number;
    readonly active: number;
    /** Configurations in the leased jobs. */
    readonly activeConfigurations: number;
    readonly completed: number;
    readonly failed: number;
  };
  readonly workers: readonly {
    readonly workerId: string;
    readonly user: string;
    readonly host: string;
    readonly pid: number;
    readonly lastSeenMs: number;
    readonly saved: number;
    readonly failed: number;
  }[];
}

/** The PostgreSQL store and the sweep job queue of one database, opened together. */
export interface DistributedConnection {
  readonly store: Store;
  readonly queue: Queue;
  /** Closes both. */
  close(): Promise<void>;
}

/**
 * Opens the store and the job queue at `url` (loaded on demand, so commands that never touch
 * PostgreSQL do not load its driver or pg-boss).
 */
export async function openDistributed(url: string): Promise<DistributedConnection> {
  const { PostgresRunStore } = await import('../../store/postgres/index.js');
  const { PostgresSweepQueue } = await import('../../store/postgres/postgres-sweep-queue.js');
  const store = await PostgresRunStore.open(url);
  let queue: Queue;
  try {
    queue = await PostgresSweepQueue.open(url);
  } catch (error) {
    await store.close();
    throw new StoreError(`database ${store.location}: could not open the sweep job queue: ${String(error)}`, {
      cause: error,
    });
  }
  return {
    store,
    queue,
    close: async () => {
      await queue.close();
      await store.close();
    },
  };
}

/** Every configuration of a sweep definition, in plan order. */
export async function planOf(definition: SweepDefinition): Promise<readonly Readonly<Record<string, ParamValue>>[]> {
  const strategy = await resolveStrategy(definition.strategy.module?.path ?? definition.strategy.name);
  const axes = await parseGridFlagsInSlices(definition.grid, strategy, undefined);
  const plan = await planSweepInSlices(strategy, axes, definition.where, definition.fixedParams, undefined);
  return plan.params;
}

/** The returns grid of `bars` bars: consecutive groups of `ceil((bars - 1) / 2000)`. */
export function periodGridOf(bars: number): { readonly barsPerPeriod: number; readonly periodCount: number } {
  const returns = Math.max(1, bars - 1);
  const barsPerPeriod = Math.ceil(returns / 2000);
  return { barsPerPeriod, periodCount: Math.ceil(returns / barsPerPeriod) };
}

/**
 * Stores the sweep and its bars and enqueues its jobs; returns at once (progress: {@link
 * distributedProgress}).
 */
export async function enqueueDistributedSweep(options: EnqueueSweepOptions): Promise<EnqueuedSweep> {
  const { leaseSeconds, batchSize, runTimeoutSeconds } = queueSettings(options);
  const strategyPath = isStrategyModulePath(options.strategy) ? resolve(options.strategy) : options.strategy;
  const strategy = await resolveStrategy(strategyPath);
  const axes = await parseGridFlagsInSlices(options.grid, strategy, undefined);
  const fixed = options.fixedParams ?? {};
  const plan = await planSweepInSlices(strategy, axes, options.where, fixed, undefined);
  if (plan.params.length === 0) throw new UsageError('the grid leaves no combination to run');
  const config = resolveConfig({ ...options.config, strategy: { name: strategy.name, params: {} } });
  const { strategy: _unused, ...shared } = config;
  const { check: _check, ...typeOnly } = strategy;
  const parsed = resolveParams(typeOnly, fixed, '--param');
  const sweepId = options.sweepId ?? createSweepId();
  const definition = {
    sweepId,
    symbol: options.bars.symbol,
    timeframe: options.bars.timeframe,
    strategy:
      strategy.module === undefined
        ? { name: strategy.name }
        : { name: strategy.name, module: { path: strategy.module, sha256: moduleSha256(strategy.module) } },
    grid: [...options.grid],
    ...(options.where === undefined || options.where.trim() === '' ? {} : { where: options.where }),
    fixedParams: Object.fromEntries(Object.keys(fixed).map((name) => [name, parsed[name] as ParamValue])),
    bars: fingerprintBars(options.bars),
    config: shared,
    ...(options.notes === undefined ? {} : { notes: options.notes }),
    periodGrid: periodGridOf(options.bars.length),
    distributed: { batchSize, leaseSeconds, runTimeoutSeconds },
  } as SweepDefinition;
  const { store, queue, close } = await openDistributed(options.url);
  try {
    await storeSweepBars(store, options.bars);
    await store.createSweep(definition, plan.params.length);
    const jobs = await queue.enqueue(sweepId, plan.params.length, batchSize, leaseSeconds);
    return { sweepId, planned: plan.params.length, jobs, batchSize, leaseSeconds };
  } finally {
    await close();
  }
}

/** What `sweeps resume` of a distributed sweep enqueued. */
export interface RequeuedSweep {
  readonly sweepId: string;
  readonly planned: number;
  /** Configurations with a saved run: not run again. */
  readonly saved: number;
  /** Configurations with neither a saved run nor a recorded failure. */
  readonly missing: number;
  /** Configurations that failed: run again. */
  readonly failed: number;
  /** Saved runs that had no idempotency key (copied in) and were given theirs. */
  readonly adopted: number;
  /** Jobs enqueued now. */
  readonly jobs: number;
  /** Configurations left to run that jobs still waiting or leased already cover. */
  readonly alreadyQueued: number;
  readonly batchSize: number;
  readonly leaseSeconds: number;
}

/** Saved keys are looked up this many at a time. */
const KEY_PAGE = 5000;

/**
 * `sweeps resume` of a distributed sweep: enqueues again, through the queue, every batch of the
 * plan that holds a configuration with no saved run (missing, or failed: failed ones run
 * again), unless a job still waiting or leased covers that batch. Workers skip what is saved by
 * then, and save each result once whatever runs twice. Marks the sweep running when it had
 * configurations missing.
 */
export async function requeueDistributedSweep(url: string, sweepId: string): Promise<RequeuedSweep> {
  const { store, queue, close } = await openDistributed(url);
  try {
    const record = await store.findSweep(sweepId);
    if (record === undefined) throw new StoreError(`database ${store.location} has no sweep ${sweepId}`);
    const settings = distributedSettingsOf(record.definition);
    if (settings === undefined) {
      throw new UsageError(`sweep ${sweepId} was not distributed; resume it without a queue`);
    }
    const { idempotencyKey } = await import('../../store/postgres/index.js');
    const params = await planOf(record.definition);
    const keys = params.map((p) => idempotencyKey(sweepId, p));
    // Runs without a key (copied in by `db copy`, whose keys stay behind) are matched to their
    // configuration by parameters and given its key first, or they would be run and saved again.
    const positions = new Map(params.map((p, i) => [canonicalJson(p, 'strategy parameters'), i]));
    const adopted = await store.distributed.adoptRuns(sweepId, (json) => {
      const position = positions.get(canonicalJson(JSON.parse(json), 'strategy parameters'));
      return position === undefined ? undefined : keys[position];
    });
    const saved = new Set<string>();
    const finished = new Set<string>();
    for (let i = 0; i < keys.length; i += KEY_PAGE) {
      const page = keys.slice(i, i + KEY_PAGE);
      for (const key of await store.distributed.savedKeys(page)) saved.add(key);
      for (const key of await store.distributed.finishedKeys(page)) finished.add(key);
    }
    const queued = await queue.queuedRanges(sweepId);
    const covered = (position: number): boolean => queued.some((r) => position >= r.from && position < r.to);
    const batches: { sweepId: string; from: number; to: number; resumed: true }[] = [];
    let alreadyQueued = 0;
    for (let from = 0; from < params.length; from += settings.batchSize) {
      const to = Math.min(params.length, from + settings.batchSize);
      let unsaved = 0;
      let uncovered = false;
      for (let i = from; i < to; i++) {
        if (saved.has(keys[i] as string)) continue;
        unsaved++;
        if (covered(i)) alreadyQueued++;
        else uncovered = true;
      }
      if (unsaved > 0 && uncovered) batches.push({ sweepId, from, to, resumed: true });
    }
    const missing = keys.filter((key) => !finished.has(key)).length;
    if (missing > 0 && record.status !== SweepStatus.Running) {
      await store.updateSweep(sweepId, { status: SweepStatus.Running });
    }
    // With no job of it left in the queue, no worker is saving to it: its counts can be set from
    // what is stored (runs deleted or copied in since moved nothing).
    if (queued.length === 0) await store.distributed.recount(sweepId);
    const jobs = batches.length === 0 ? 0 : await queue.enqueueBatches(batches, settings.leaseSeconds);
    return {
      sweepId,
      planned: params.length,
      saved: saved.size,
      missing,
      failed: finished.size - saved.size,
      adopted,
      jobs,
      alreadyQueued,
      batchSize: settings.batchSize,
      leaseSeconds: settings.leaseSeconds,
    };
  } finally {
    await close();
  }
}

/**
 * Stores the bars workers will load into the store's bar set, unless the set holds exactly these
 * bars already (bars read from this store, `--symbol` without `--data`: re-importing them as a
 * file's would be refused by a set fetched from a provider).
 */
export async function storeSweepBars(store: Store, bars: BarSeries): Promise<void> {
  const range = { fromMs: bars.timeMs[0], toMs: bars.timeMs[bars.length - 1] };
  const present = await store.loadBars(bars.symbol, bars.timeframe, range);
  if (present !== undefined && fingerprintBars(present).sha256 === fingerprintBars(bars).sha256) return;
  await store.importBars(bars);
}

/**
 * A distributed run's lease and batch size, the defaults filled in; a `ConfigError` naming the
 * flag for a value out of range.
 */
export function queueSettings(options: {
  readonly leaseSeconds?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly runTimeoutSeconds?: number | undefined;
}): { readonly leaseSeconds: number; readonly batchSize: number; readonly runTimeoutSeconds: number } {
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!(Number.isInteger(leaseSeconds) && leaseSeconds >= 5)) {
    throw new ConfigError(`--lease-seconds is ${leaseSeconds}; use a whole number of seconds from 5`);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new ConfigError(`--batch-size is ${batchSize}; use a whole number from 1`);
  }
  const runTimeoutSeconds = options.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS;
  if (!(runTimeoutSeconds > 0 && Number.isFinite(runTimeoutSeconds))) {
    throw new ConfigError(`--run-timeout is ${runTimeoutSeconds}; use a number of seconds above 0`);
  }
  return { leaseSeconds, batchSize, runTimeoutSeconds };
}

/** How a distributed sweep was enqueued, kept in its definition. */
export interface DistributedSettings {
  /** Configurations per job. */
  readonly batchSize: number;
  /** Seconds a fetched job stays leased to its worker. */
  readonly leaseSeconds: number;
  /**
   * Seconds a worker lets one configuration run before it stops it and records it failed
   * (`--run-timeout`); absent in sweeps enqueued before it was kept, which get the default.
   */
  readonly runTimeoutSeconds?: number | undefined;
}

/**
 * The batch size and lease a sweep was enqueued with, or `undefined` for a sweep that was not
 * distributed (the definition is stored as JSON, so the field rides along with it).
 *
 * @example
 * if (distributedSettingsOf(record.definition) !== undefined) showQueue();
 */
export function distributedSettingsOf(definition: SweepDefinition): DistributedSettings | undefined {
  const found = (definition as { distributed?: DistributedSettings }).distributed;
  return typeof found === 'object' && found !== null && typeof found.batchSize === 'number' ? found : undefined;
}

/** Marks a sweep as one window's training grid of a distributed walk-forward. */
export interface WalkForwardTag {
  readonly groupId: string;
  /** The window's index in the group. */
  readonly window: number;
}

/**
 * The walk-forward window a sweep trains, or `undefined` for a plain sweep. Workers save such a
 * sweep's runs as the group's training runs (hidden from `list` and `best`).
 */
export function walkForwardTagOf(definition: SweepDefinition): WalkForwardTag | undefined {
  const found = (definition as { walkForward?: WalkForwardTag }).walkForward;
  return typeof found === 'object' && found !== null && typeof found.groupId === 'string' ? found : undefined;
}

/** A distributed sweep's progress; a `StoreError` for an unknown sweep. */
export async function distributedProgress(url: string, sweepId: string): Promise<DistributedProgress> {
  const { store, queue, close } = await openDistributed(url);
  try {
    return await progressOf(store, queue, sweepId);
  } finally {
    await close();
  }
}

async function progressOf(store: Store, queue: Queue, sweepId: string): Promise<DistributedProgress> {
  const record = await store.findSweep(sweepId);
  if (record === undefined) throw new StoreError(`database ${store.location} has no sweep ${sweepId}`);
  const jobs = await queue.sweepJobs(sweepId);
  const workers = await store.distributed.workers(sweepId);
  return {
    planned: record.planned,
    done: record.done,
    failed: record.failed,
    running: Math.min(record.planned - record.done, jobs.activeConfigurations),
    jobs,
    workers,
  };
}

/**
 * Waits until a sweep has no job waiting or leased, calling `onProgress` about once a second;
 * stops early when `signal` aborts.
 */
export async function watchDistributedSweep(
  url: string,
  sweepId: string,
  onProgress: (progress: DistributedProgress) => void,
  signal?: AbortSignal,
): Promise<DistributedProgress> {
  const { store, queue, close } = await openDistributed(url);
  try {
    for (;;) {
      const progress = await progressOf(store, queue, sweepId);
      onProgress(progress);
      if (progress.jobs.pending + progress.jobs.active === 0 || signal?.aborted === true) return progress;
      await sleep(1000, signal);
    }
  } finally {
    await close();
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted === true) return done();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      done();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      done();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
