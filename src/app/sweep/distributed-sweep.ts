/**
 * Sweeps on many machines: `sweep --distributed` stores the sweep and its bars in PostgreSQL and
 * enqueues one job per batch of configurations; `backtest worker` processes on any machine that
 * reaches the database lease jobs, run their configurations on worker threads and save each
 * result once (an idempotency key per sweep and configuration, see
 * `store/postgres/postgres-distributed.ts`). The queue is pg-boss (`postgres-sweep-queue.ts`).
 *
 * Workers load a sweep's bars once per sweep (from the store's bar sets, checked against the
 * sweep's SHA-256) and plan its grid once; a job names plan positions. A worker stopping
 * (SIGTERM, Ctrl-C) returns the job in hand; one killed outright loses its lease, and the job
 * goes to another worker. Failed configurations are recorded with their error line, once.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import type { BarSeries } from '../../core/bars.js';
import { type BacktestConfig, resolveConfig } from '../../core/config.js';
import { ConfigError, StoreError, UsageError } from '../../core/errors.js';
import type { ParamValue } from '../../core/strategy.js';
import type { Timeframe } from '../../core/timeframe.js';
import { fingerprintBars } from '../../data/index.js';
import { canonicalJson } from '../../store/canonical-json.js';
import type { SweepDefinition } from '../../store/sweep-record.js';
import { isStrategyModulePath, resolveParams, resolveStrategy } from '../../strategies/index.js';
import { moduleSha256 } from '../save-result.js';
import { createSweepId } from './create-sweep-id.js';
import { parseGridFlagsInSlices } from './parse-grid.js';
import { planSweepInSlices } from './plan-sweep.js';
import type { SweepJobOutcome, SweepWorkerData } from './sweep-messages.js';
import { SweepWorkerPool } from './sweep-worker-pool.js';

type PostgresModule = typeof import('../../store/postgres/index.js');
type QueueModule = typeof import('../../store/postgres/postgres-sweep-queue.js');
type Store = Awaited<ReturnType<PostgresModule['PostgresRunStore']['open']>>;
type Queue = Awaited<ReturnType<QueueModule['PostgresSweepQueue']['open']>>;

const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./sweep-worker-bootstrap.mjs', import.meta.url)
  : new URL('./sweep-worker.js', import.meta.url);

/** Default lease of a job, seconds. */
export const DEFAULT_LEASE_SECONDS = 120;
/** Default configurations per job. */
export const DEFAULT_BATCH_SIZE = 10;

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
  /** Configurations in leased jobs, at most. */
  readonly running: number;
  readonly jobs: {
    readonly pending: number;
    readonly active: number;
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

async function openPostgres(url: string): Promise<{ store: Store; queue: Queue }> {
  const { PostgresRunStore } = await import('../../store/postgres/index.js');
  const { PostgresSweepQueue } = await import('../../store/postgres/postgres-sweep-queue.js');
  const store = await PostgresRunStore.open(url);
  try {
    const queue = await PostgresSweepQueue.open(url);
    return { store, queue };
  } catch (error) {
    await store.close();
    throw new StoreError(`database ${store.location}: could not open the sweep job queue: ${String(error)}`, {
      cause: error,
    });
  }
}

/** Every configuration of a sweep definition, in plan order. */
async function planOf(definition: SweepDefinition): Promise<readonly Readonly<Record<string, ParamValue>>[]> {
  const strategy = await resolveStrategy(definition.strategy.module?.path ?? definition.strategy.name);
  const axes = await parseGridFlagsInSlices(definition.grid, strategy, undefined);
  const plan = await planSweepInSlices(strategy, axes, definition.where, definition.fixedParams, undefined);
  return plan.params;
}

/** The returns grid of `bars` bars: consecutive groups of `ceil((bars - 1) / 2000)`. */
function periodGridOf(bars: number): { readonly barsPerPeriod: number; readonly periodCount: number } {
  const returns = Math.max(1, bars - 1);
  const barsPerPeriod = Math.ceil(returns / 2000);
  return { barsPerPeriod, periodCount: Math.ceil(returns / barsPerPeriod) };
}

/**
 * Stores the sweep and its bars and enqueues its jobs; returns at once (progress: {@link
 * distributedProgress}).
 */
export async function enqueueDistributedSweep(options: EnqueueSweepOptions): Promise<EnqueuedSweep> {
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!(Number.isInteger(leaseSeconds) && leaseSeconds >= 5)) {
    throw new ConfigError(`--lease-seconds is ${leaseSeconds}; use a whole number of seconds from 5`);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new ConfigError(`--batch-size is ${batchSize}; use a whole number from 1`);
  }
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
    distributed: { batchSize, leaseSeconds },
  } as SweepDefinition;
  const { store, queue } = await openPostgres(options.url);
  try {
    await store.importBars(options.bars);
    await store.createSweep(definition, plan.params.length);
    const jobs = await queue.enqueue(sweepId, plan.params.length, batchSize, leaseSeconds);
    return { sweepId, planned: plan.params.length, jobs, batchSize, leaseSeconds };
  } finally {
    await queue.close();
    await store.close();
  }
}

/** How a distributed sweep was enqueued, kept in its definition. */
export interface DistributedSettings {
  /** Configurations per job. */
  readonly batchSize: number;
  /** Seconds a fetched job stays leased to its worker. */
  readonly leaseSeconds: number;
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

/** A distributed sweep's progress; a `StoreError` for an unknown sweep. */
export async function distributedProgress(url: string, sweepId: string): Promise<DistributedProgress> {
  const { store, queue } = await openPostgres(url);
  try {
    return await progressOf(store, queue, sweepId);
  } finally {
    await queue.close();
    await store.close();
  }
}

async function progressOf(store: Store, queue: Queue, sweepId: string): Promise<DistributedProgress> {
  const record = await store.findSweep(sweepId);
  if (record === undefined) throw new StoreError(`database ${store.location} has no sweep ${sweepId}`);
  const jobs = await queue.sweepJobs(sweepId);
  const workers = await store.distributed.workers(sweepId);
  const batch = distributedSettingsOf(record.definition)?.batchSize ?? DEFAULT_BATCH_SIZE;
  return {
    planned: record.planned,
    done: record.done,
    failed: record.failed,
    running: Math.min(record.planned - record.done, jobs.active * batch),
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
  const { store, queue } = await openPostgres(url);
  try {
    for (;;) {
      const progress = await progressOf(store, queue, sweepId);
      onProgress(progress);
      if (progress.jobs.pending + progress.jobs.active === 0 || signal?.aborted === true) return progress;
      await sleep(1000, signal);
    }
  } finally {
    await queue.close();
    await store.close();
  }
}

/** What `backtest worker` needs. */
export interface SweepWorkerOptions {
  readonly url: string;
  /** Worker threads; default: the machine's available parallelism. */
  readonly concurrency?: number | undefined;
  /** Exit once no sweep has a job waiting or leased. */
  readonly exitWhenIdle?: boolean | undefined;
  /** Seconds between polls of an empty queue. */
  readonly pollSeconds?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((line: string) => void) | undefined;
}

/** What a worker did. */
export interface SweepWorkerSummary {
  readonly workerId: string;
  readonly jobs: number;
  readonly saved: number;
  readonly failed: number;
  /** Results another worker had saved first (a job that ran twice). */
  readonly duplicates: number;
}

/** One sweep as a worker holds it: its plan and bars, loaded once. */
interface SweepContext {
  readonly definition: SweepDefinition;
  readonly params: readonly Readonly<Record<string, ParamValue>>[];
  readonly bars: BarSeries;
}

/** Runs sweep jobs until stopped (or idle, with `exitWhenIdle`). */
export async function runSweepWorker(options: SweepWorkerOptions): Promise<SweepWorkerSummary> {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ConfigError(`--concurrency is ${concurrency}; use a whole number from 1`);
  }
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const say = options.onEvent ?? (() => undefined);
  const { store, queue } = await openPostgres(options.url);
  const contexts = new Map<string, SweepContext>();
  const summary = { workerId, jobs: 0, saved: 0, failed: 0, duplicates: 0 };
  say(`worker ${workerId} waiting for sweep jobs in ${store.location}`);
  try {
    while (options.signal?.aborted !== true) {
      const job = await queue.fetch();
      if (job === undefined) {
        if (options.exitWhenIdle === true && (await queue.unfinished()) === 0) break;
        await sleep((options.pollSeconds ?? 1) * 1000, options.signal);
        continue;
      }
      const { sweepId, from, to } = job.data;
      let context = contexts.get(sweepId);
      try {
        if (context === undefined) {
          context = await loadContext(store, sweepId);
          contexts.set(sweepId, context);
          say(`sweep ${sweepId}: ${context.params.length} configurations, ${context.bars.length} bars loaded`);
        }
      } catch (error) {
        // A sweep this worker cannot load (deleted, bars gone): give the job back and go on.
        say(`sweep ${sweepId}: ${String(error instanceof Error ? error.message : error)}`);
        await queue.release(job.id);
        await sleep(1000, options.signal);
        continue;
      }
      await store.distributed.noteWorker(sweepId, { workerId, pid: process.pid });
      const outcome = await runJob(store, context, from, to, concurrency, workerId, options.signal);
      summary.saved += outcome.saved;
      summary.failed += outcome.failed;
      summary.duplicates += outcome.duplicates;
      if (outcome.interrupted) {
        await queue.release(job.id);
        say(`sweep ${sweepId}: stopped, job ${from}..${to - 1} returned to the queue`);
        break;
      }
      await queue.complete(job.id);
      summary.jobs++;
      say(
        `sweep ${sweepId}: configurations ${from}..${to - 1} done (${outcome.saved} saved, ${outcome.failed} failed)`,
      );
    }
  } finally {
    await queue.close();
    await store.close();
  }
  return summary;
}

async function loadContext(store: Store, sweepId: string): Promise<SweepContext> {
  const record = await store.findSweep(sweepId);
  if (record === undefined) throw new StoreError(`database ${store.location} has no sweep ${sweepId}`);
  const { definition } = record;
  const expected = definition.bars;
  const bars = await store.loadBars(definition.symbol, definition.timeframe as Timeframe, {
    fromMs: expected.firstTimeMs,
    toMs: expected.lastTimeMs,
  });
  if (bars === undefined) {
    throw new StoreError(`sweep ${sweepId}: the database holds no ${definition.symbol} ${definition.timeframe} bars`);
  }
  const found = fingerprintBars(bars);
  if (found.sha256 !== expected.sha256) {
    throw new StoreError(
      `sweep ${sweepId}: the stored ${definition.symbol} ${definition.timeframe} bars have SHA-256 ${found.sha256}, the sweep ran on ${expected.sha256}`,
    );
  }
  return { definition, params: await planOf(definition), bars };
}

async function runJob(
  store: Store,
  context: SweepContext,
  from: number,
  to: number,
  concurrency: number,
  workerId: string,
  signal: AbortSignal | undefined,
): Promise<{ saved: number; failed: number; duplicates: number; interrupted: boolean }> {
  const { definition, bars } = context;
  const { idempotencyKey } = await import('../../store/postgres/index.js');
  const batch = context.params.slice(from, to);
  const keys = batch.map((params) => idempotencyKey(definition.sweepId, params));
  const finished = await store.distributed.finishedKeys(keys);
  const todo = batch.map((params, i) => ({ params, key: keys[i] as string })).filter((c) => !finished.has(c.key));
  const counts = { saved: 0, failed: 0, duplicates: 0, interrupted: false };
  if (todo.length === 0) return counts;
  const strategy = definition.strategy.module?.path ?? definition.strategy.name;
  const shared = {
    strategy,
    symbol: bars.symbol,
    timeframe: bars.timeframe,
    fingerprint: definition.bars,
    config: definition.config,
    sweepId: definition.sweepId,
    ...(definition.notes === undefined ? {} : { notes: definition.notes }),
    periodGrid: (definition as { periodGrid?: unknown }).periodGrid ?? periodGridOf(bars.length),
  };
  let saving: Promise<void> = Promise.resolve();
  let saveError: unknown;
  let answered = 0;
  await new Promise<void>((resolveJob, rejectJob) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void pool.stop().then(() => resolveJob(), rejectJob);
    };
    const onAbort = (): void => {
      counts.interrupted = true;
      finish();
    };
    const pool = new SweepWorkerPool({
      workerUrl: WORKER_URL,
      workers: Math.max(1, Math.min(concurrency, todo.length)),
      workerData: () => {
        const columns = {
          timeMs: bars.timeMs.slice(),
          open: bars.open.slice(),
          high: bars.high.slice(),
          low: bars.low.slice(),
          close: bars.close.slice(),
          volume: bars.volume.slice(),
        };
        const data = { ...shared, columns } as unknown as SweepWorkerData;
        return { data, transfer: Object.values(columns).map((column) => column.buffer as ArrayBuffer) };
      },
      params: todo.map((c) => c.params),
      batchSize: 1,
      runTimeoutSeconds: 600,
      onOutcome: (outcome: SweepJobOutcome) => {
        const item = todo[outcome.index];
        if (item === undefined) return;
        saving = saving.then(async () => {
          if (saveError !== undefined) return;
          try {
            if (outcome.input !== undefined) {
              const result = await store.saveRunOnce(definition.sweepId, item.key, outcome.input, workerId);
              if (result.stored) counts.saved++;
              else counts.duplicates++;
            } else {
              const result = await store.distributed.failOnce(
                definition.sweepId,
                item.key,
                canonicalJson(item.params, 'strategy parameters'),
                outcome.error,
                workerId,
              );
              if (result.stored) counts.failed++;
              else counts.duplicates++;
            }
          } catch (error) {
            saveError = error;
          }
        });
        answered++;
        if (answered === todo.length) finish();
      },
      onError: (error) => {
        saveError ??= error;
        finish();
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) {
      counts.interrupted = true;
      settled = true;
      resolveJob();
      return;
    }
    pool.start();
  });
  await saving;
  if (saveError !== undefined) throw saveError;
  return counts;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
