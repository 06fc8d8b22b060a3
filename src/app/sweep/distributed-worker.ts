/**
 * `backtest worker`: runs distributed sweep jobs from the database's queue until stopped (or
 * idle). The coordinating side is `distributed-sweep.ts`.
 *
 * A worker loads a sweep's bars once per sweep (from the store's bar sets, checked against the
 * sweep's SHA-256), plans its grid once, and keeps one pool of worker threads per sweep across
 * its jobs: starting threads, copying the bars into them and loading the strategy for every job
 * used to cost more than the runs of a 10-configuration job. A job names plan positions; results
 * already saved (the job ran before, on a worker whose lease expired) are skipped, and every
 * save goes through the idempotency key, so a job that runs twice saves nothing twice.
 *
 * Stopping (SIGTERM, Ctrl-C) returns the job in hand to the queue; a worker killed outright
 * loses its lease, and the job goes to another worker. Failed configurations are recorded with
 * their error line, once.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { BarSeries } from '../../core/bars.js';
import { ConfigError, StoreError } from '../../core/errors.js';
import type { ParamValue } from '../../core/strategy.js';
import type { Timeframe } from '../../core/timeframe.js';
import { fingerprintBars } from '../../data/index.js';
import { canonicalJson } from '../../store/canonical-json.js';
import { type PreparedBacktest, WalkForwardRole } from '../../store/index.js';
import type { SweepDefinition } from '../../store/sweep-record.js';
import {
  DEFAULT_RUN_TIMEOUT_SECONDS,
  distributedSettingsOf,
  openDistributed,
  periodGridOf,
  planOf,
  type Store,
  sleep,
  walkForwardTagOf,
} from './distributed-sweep.js';
import type { PreparedJobOutcome, SweepWorkerData } from './sweep-messages.js';
import { barColumnsFor, SweepWorkerPool } from './sweep-worker-pool.js';

const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('./sweep-worker-bootstrap.mjs', import.meta.url)
  : new URL('./sweep-worker.js', import.meta.url);

/** How often an idle `--exit-when-idle` worker looks whether the jobs others hold are done. */
const IDLE_EXIT_POLL_MS = 200;

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
  /** A configuration's idempotency key. */
  readonly keyOf: (params: Readonly<Record<string, ParamValue>>) => string;
}

/** What saving one job's outcomes did. */
interface SaveCounts {
  readonly saved: number;
  readonly failed: number;
  readonly duplicates: number;
}

/** A configuration's outcome, with what saving it needs. */
interface ConfigurationOutcome {
  readonly key: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly outcome: PreparedJobOutcome;
}

/** A job whose configurations have all run: its outcomes are saved next, then it is completed. */
interface RanJob {
  readonly id: string;
  readonly sweepId: string;
  readonly from: number;
  readonly to: number;
  readonly outcomes: readonly ConfigurationOutcome[];
}

/**
 * Runs sweep jobs until stopped (or idle, with `exitWhenIdle`).
 *
 * Jobs overlap: once a job's configurations have all run, its results are saved (one
 * transaction) and the job completed while the threads already run the next job. A job is
 * completed only after its results are committed, so a worker killed in between loses nothing:
 * the job's lease expires and it runs again, saving only what is missing.
 */
export async function runSweepWorker(options: SweepWorkerOptions): Promise<SweepWorkerSummary> {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ConfigError(`--concurrency is ${concurrency}; use a whole number from 1`);
  }
  const workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const say = options.onEvent ?? (() => undefined);
  const { store, queue, close } = await openDistributed(options.url);
  const contexts = new Map<string, SweepContext>();
  // The threads of the sweep whose jobs this worker is running; replaced when a job of another
  // sweep comes, so one worker never holds more than one sweep's threads.
  let threads: SweepThreads | undefined;
  const summary = { workerId, jobs: 0, saved: 0, failed: 0, duplicates: 0 };
  // The previous job being saved and completed; one at a time, so saves keep job order.
  let finishing: Promise<void> = Promise.resolve();
  const finish = async (ran: RanJob): Promise<void> => {
    const counts = await saveOutcomes(store, contexts.get(ran.sweepId) as SweepContext, ran.outcomes, workerId);
    await queue.complete(ran.id);
    summary.saved += counts.saved;
    summary.failed += counts.failed;
    summary.duplicates += counts.duplicates;
    summary.jobs++;
    say(
      `sweep ${ran.sweepId}: configurations ${ran.from}..${ran.to - 1} done (${counts.saved} saved, ${counts.failed} failed)`,
    );
  };
  say(`worker ${workerId} waiting for sweep jobs in ${store.location}`);
  try {
    while (options.signal?.aborted !== true) {
      const job = await queue.fetch();
      if (job === undefined) {
        await finishing;
        const pollMs = (options.pollSeconds ?? 1) * 1000;
        if (options.exitWhenIdle === true) {
          if ((await queue.unfinished()) === 0) break;
          // Other workers hold the last jobs: look again soon, to exit as soon as they finish.
          await sleep(Math.min(pollMs, IDLE_EXIT_POLL_MS), options.signal);
          continue;
        }
        await sleep(pollMs, options.signal);
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
      if (threads?.sweepId !== sweepId) {
        await threads?.stop();
        threads = new SweepThreads(context, concurrency);
        // Saves keep the worker's last-seen time current from here on.
        await store.distributed.noteWorker(sweepId, { workerId, pid: process.pid });
      }
      // A job handed out before may have saved some results: those are not run again (nor its
      // failures, which are final). A job of `sweeps resume` skips saved results only: its
      // failed configurations run again.
      const finished = job.data.resumed
        ? await store.distributed.savedKeys(keysOf(context, from, to))
        : job.retried
          ? await store.distributed.finishedKeys(keysOf(context, from, to))
          : new Set<string>();
      let ran: { readonly outcomes: ConfigurationOutcome[]; readonly interrupted: boolean };
      try {
        ran = await threads.run(from, to, finished, options.signal);
      } catch (error) {
        await threads.stop();
        threads = undefined;
        // Back to the queue at once rather than after its lease: another worker can run it.
        await queue.release(job.id).catch(() => undefined);
        throw error;
      }
      if (ran.interrupted) {
        await threads.stop();
        threads = undefined;
        // Returned first: the previous job's save may still fail, and this one must not wait
        // for its lease because of that.
        await queue.release(job.id);
        say(`sweep ${sweepId}: stopped, job ${from}..${to - 1} returned to the queue`);
        await finishing;
        break;
      }
      await finishing;
      finishing = finish({ id: job.id, sweepId, from, to, outcomes: ran.outcomes });
      // Handled here so a failed save is not an unhandled rejection while the next job runs;
      // the loop's next `await finishing` still throws it.
      finishing.catch(() => undefined);
    }
    await finishing;
  } finally {
    // A failed save is already on its way out through `await finishing`; this only waits.
    await finishing.catch(() => undefined);
    await threads?.stop();
    await close();
  }
  return summary;
}

/** The idempotency keys of plan positions `[from, to)` of a sweep. */
function keysOf(context: SweepContext, from: number, to: number): string[] {
  return context.params.slice(from, to).map((params) => context.keyOf(params));
}

/** Saves a job's outcomes in one transaction, each once per idempotency key. */
async function saveOutcomes(
  store: Store,
  context: SweepContext,
  outcomes: readonly ConfigurationOutcome[],
  workerId: string,
): Promise<SaveCounts> {
  const counts = { saved: 0, failed: 0, duplicates: 0 };
  if (outcomes.length === 0) return counts;
  const results = await store.distributed.recordOnce(
    context.definition.sweepId,
    outcomes.map(({ key, outcome, params }) =>
      outcome.prepared !== undefined
        ? { key, prepared: revivePrepared(outcome.prepared) }
        : { key, failure: { paramsJson: canonicalJson(params, 'strategy parameters'), error: outcome.error } },
    ),
    workerId,
  );
  results.forEach((result, i) => {
    if (!result.stored) counts.duplicates++;
    else if (outcomes[i]?.outcome.prepared !== undefined) counts.saved++;
    else counts.failed++;
  });
  return counts;
}

/** A Buffer view of bytes that crossed from a thread (structured clone delivers plain Uint8Arrays). */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A prepared result as a worker thread sent it, with its byte arrays as Buffers again. */
function revivePrepared(prepared: PreparedBacktest): PreparedBacktest {
  const { equity, trades, periodReturns } = prepared;
  return {
    ...prepared,
    equity:
      equity === undefined
        ? undefined
        : {
            ...equity,
            timeMs: asBuffer(equity.timeMs),
            equity: asBuffer(equity.equity),
            monthEndTimeMs: asBuffer(equity.monthEndTimeMs),
            monthEndEquity: asBuffer(equity.monthEndEquity),
          },
    trades: trades === undefined ? undefined : { ...trades, bytes: asBuffer(trades.bytes) },
    periodReturns: periodReturns === undefined ? undefined : { ...periodReturns, bytes: asBuffer(periodReturns.bytes) },
  };
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
  const { idempotencyKey } = await import('../../store/postgres/index.js');
  return {
    definition,
    params: await planOf(definition),
    bars,
    keyOf: (params) => idempotencyKey(sweepId, params),
  };
}

/**
 * One sweep's worker threads, kept across that sweep's jobs: each job's configurations are added
 * to the running pool, and its outcomes are saved in order as they arrive.
 */
class SweepThreads {
  readonly sweepId: string;
  private readonly context: SweepContext;
  private readonly pool: SweepWorkerPool<SweepWorkerData, PreparedJobOutcome>;
  /** Where each pool job's outcome goes, by pool job index. */
  private readonly waiting = new Map<number, (outcome: PreparedJobOutcome) => void>();
  /** Set when the pool itself failed (a bug, not a configuration); the job in hand fails with it. */
  private poolError: ((error: unknown) => void) | undefined;

  constructor(context: SweepContext, concurrency: number) {
    this.context = context;
    const { definition, bars } = context;
    this.sweepId = definition.sweepId;
    const link = walkForwardTagOf(definition);
    const shared = {
      strategy: definition.strategy.module?.path ?? definition.strategy.name,
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      fingerprint: definition.bars,
      config: definition.config,
      sweepId: definition.sweepId,
      ...(definition.notes === undefined ? {} : { notes: definition.notes }),
      periodGrid: (definition as { periodGrid?: unknown }).periodGrid ?? periodGridOf(bars.length),
      // The threads prepare results for storage; a walk-forward window's runs are its group's
      // training runs, hidden from `list` and `best`.
      prepare: {
        walkForward:
          link === undefined ? undefined : { id: link.groupId, role: WalkForwardRole.Training, window: link.window },
      },
    };
    this.pool = new SweepWorkerPool<SweepWorkerData, PreparedJobOutcome>({
      workerUrl: WORKER_URL,
      workers: concurrency,
      workerData: () => {
        const { columns, transfer } = barColumnsFor(bars);
        return { data: { ...shared, columns } as unknown as SweepWorkerData, transfer };
      },
      params: [],
      batchSize: 1,
      runTimeoutSeconds: distributedSettingsOf(definition)?.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS,
      onOutcome: (outcome) => {
        const deliver = this.waiting.get(outcome.index);
        this.waiting.delete(outcome.index);
        deliver?.(outcome);
      },
      onError: (error) => this.poolError?.(error),
    });
    // Threads start now, loading the strategy while the first job's saved keys are looked up.
    this.pool.start();
  }

  /**
   * Runs plan positions `[from, to)` but those whose keys are in `skip`; resolves once each has
   * an outcome, or at once (`interrupted`) when `signal` aborts.
   */
  run(
    from: number,
    to: number,
    skip: ReadonlySet<string>,
    signal?: AbortSignal,
  ): Promise<{ readonly outcomes: ConfigurationOutcome[]; readonly interrupted: boolean }> {
    const { params, keyOf } = this.context;
    const todo = params
      .slice(from, to)
      .map((p) => ({ params: p, key: keyOf(p) }))
      .filter((c) => !skip.has(c.key));
    const outcomes: ConfigurationOutcome[] = [];
    return new Promise((resolveJob, rejectJob) => {
      const done = (interrupted: boolean, error?: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        this.poolError = undefined;
        if (error === undefined) resolveJob({ outcomes, interrupted });
        else rejectJob(error);
      };
      const onAbort = (): void => done(true);
      if (signal?.aborted === true) return done(true);
      if (todo.length === 0) return done(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.poolError = (error) => done(false, error);
      const first = this.pool.add(todo.map((c) => c.params));
      todo.forEach((item, i) => {
        this.waiting.set(first + i, (outcome) => {
          outcomes.push({ ...item, outcome });
          if (outcomes.length === todo.length) done(false);
        });
      });
    });
  }

  async stop(): Promise<void> {
    this.waiting.clear();
    await this.pool.stop();
  }
}
