/**
 * The worker threads of a sweep, and what happens when a configuration hangs or kills its
 * worker.
 *
 * Each worker runs the jobs it is sent one at a time, in order, and says when each starts, so
 * the main thread always knows which configuration a worker is running and since when. A job
 * running longer than the run timeout is stopped by terminating its worker. A worker that dies
 * (`process.exit()` in a strategy, an uncaught error, out of memory) takes only the job it was
 * running with it. Either way that one job fails with the reason, the jobs queued behind it on
 * that worker go back to the queue, and a fresh worker takes the dead one's place.
 *
 * A worker that cannot load the strategy is not replaced (every worker would fail the same
 * way): its jobs fail with the reason, and once no worker is left the rest fail too.
 */
import { Worker } from 'node:worker_threads';
import type { BarColumns, BarSeries } from '../../core/bars.js';
import type { ParamValue } from '../../core/strategy.js';
import type {
  SweepBatchRequest,
  SweepJob,
  SweepJobFailure,
  SweepJobOutcome,
  SweepWorkerData,
  SweepWorkerMessage,
} from './sweep-messages.js';

/**
 * What {@link SweepWorkerPool} needs. `Data` is what each worker is started with: a sweep's
 * bars and settings, or a walk-forward's (`../walk-forward/walk-forward-messages.ts`).
 * `Outcome` is what a worker answers each job with; the pool adds failures of its own (a job
 * that hung or whose worker died).
 */
export interface SweepWorkerPoolOptions<
  Data = SweepWorkerData,
  Outcome extends { readonly index: number } = SweepJobOutcome,
> {
  /** The worker module (or its tsx bootstrap). */
  readonly workerUrl: URL;
  /** Workers kept running. */
  readonly workers: number;
  /** Start data for one worker, with its own copy of the bars to transfer; called for each worker started. */
  readonly workerData: () => { readonly data: Data; readonly transfer: readonly ArrayBuffer[] };
  /** Every parameter set known at the start; job `i` runs `params[i]`. More may come through `add`. */
  readonly params: readonly Readonly<Record<string, ParamValue>>[];
  /** Jobs per message; a worker holds at most two messages' worth. */
  readonly batchSize: number;
  /** A configuration still running after this many seconds is stopped and fails. */
  readonly runTimeoutSeconds: number;
  /** Old-generation heap limit of each worker, MB; default: Node's. Running out fails one job. */
  readonly workerMemoryMb?: number | undefined;
  /** Hears how each job ended, exactly once per job. */
  readonly onOutcome: (outcome: Outcome | SweepJobFailure) => void;
  /** Hears an exception thrown while handling a worker's event (by `onOutcome`, say). */
  readonly onError: (error: unknown) => void;
}

/**
 * A worker's own copy of the bars' columns and the buffers to transfer: each worker (a
 * replacement too) gets a copy, moved to it rather than cloned a second time.
 *
 * @example
 * workerData: () => { const { columns, transfer } = barColumnsFor(bars); return { data: { ...shared, columns }, transfer }; }
 */
export function barColumnsFor(bars: BarSeries): { readonly columns: BarColumns; readonly transfer: ArrayBuffer[] } {
  const columns = {
    timeMs: bars.timeMs.slice(),
    open: bars.open.slice(),
    high: bars.high.slice(),
    low: bars.low.slice(),
    close: bars.close.slice(),
    volume: bars.volume.slice(),
  };
  return { columns, transfer: Object.values(columns).map((column) => column.buffer as ArrayBuffer) };
}

/** Jobs sent to a worker and not answered, at most this many messages' worth. */
const BATCHES_IN_FLIGHT = 2;
/**
 * Times a job may go back to the queue because its worker was stopped while it waited behind
 * another job; one more and it fails. Each stop also fails the job that caused it, so this only
 * guards against a cause this pool cannot see.
 */
export const MAX_REQUEUES = 3;
/** A worker gets at least this long to load its strategy (the run timeout when that is longer). */
const MIN_LOAD_TIMEOUT_MS = 60_000;

/** A job on its way through the pool. */
interface PoolJob extends SweepJob {
  /** Times it went back to the queue. */
  requeues: number;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly createdMs: number;
  /** Jobs sent and not answered, in the order the worker runs them. */
  readonly inFlight: PoolJob[];
  /** The worker loaded its strategy. */
  ready: boolean;
  /** When `inFlight[0]` started, by the worker's word; undefined while it has not. */
  runningSinceMs: number | undefined;
  alive: boolean;
}

/** When a worker was lost, as the end of a failure message. */
const Phase = { Loading: 'while loading the strategy', Running: 'while running it' } as const;
type Phase = (typeof Phase)[keyof typeof Phase];
/** Says what stopped a worker, given what it was doing. */
type LossReason = (phase: Phase) => string;

/**
 * Runs every job of a sweep on worker threads, restarting workers that hang or die; see the
 * module comment.
 *
 * @example
 * const pool = new SweepWorkerPool({ workerUrl, workers: 2, workerData, params, batchSize: 8,
 *   runTimeoutSeconds: 600, onOutcome: record, onError: fail });
 * pool.start();
 * // … once every outcome is in:
 * await pool.stop();
 */
export class SweepWorkerPool<Data = SweepWorkerData, Outcome extends { readonly index: number } = SweepJobOutcome> {
  private readonly options: SweepWorkerPoolOptions<Data, Outcome>;
  private readonly live: PoolWorker[] = [];
  /** Jobs taken back from a stopped worker; sent before new ones. */
  private readonly requeued: PoolJob[] = [];
  /** The options' parameter sets, then those added since. */
  private readonly params: Readonly<Record<string, ParamValue>>[];
  private nextIndex = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  /** Why a worker could not load the strategy, once one could not. */
  private loadFailure: string | undefined;
  private readonly runTimeoutMs: number;
  private readonly loadTimeoutMs: number;

  constructor(options: SweepWorkerPoolOptions<Data, Outcome>) {
    this.options = options;
    this.params = [...options.params];
    this.runTimeoutMs = options.runTimeoutSeconds * 1000;
    this.loadTimeoutMs = Math.max(this.runTimeoutMs, MIN_LOAD_TIMEOUT_MS);
  }

  /** Starts the workers and deals them their first jobs. */
  start(): void {
    for (let w = 0; w < this.options.workers; w++) this.spawn();
    // A quarter of the timeout between checks: a hung job is stopped within 1.25 timeouts.
    const checkEveryMs = Math.min(1000, Math.max(20, this.runTimeoutMs / 4));
    this.timer = setInterval(() => this.guard(() => this.checkTimes()), checkEveryMs);
  }

  /**
   * Adds parameter sets to a started pool, for work that arrives over time (a distributed
   * worker's jobs): the workers keep their bars and loaded strategy between additions. Returns
   * the job index of the first; outcomes come through `onOutcome` as for the others.
   */
  add(params: readonly Readonly<Record<string, ParamValue>>[]): number {
    const first = this.params.length;
    this.params.push(...params);
    if (this.stopped) return first;
    if (this.loadFailure !== undefined && this.live.length === 0) {
      // The strategy cannot load here: these fail with the reason, as the rest did.
      for (; this.nextIndex < this.params.length; this.nextIndex++) {
        this.fail({ index: this.nextIndex } as PoolJob, this.loadFailure);
      }
      return first;
    }
    for (const entry of this.live) this.dispatch(entry);
    // Workers lost while there was nothing to do were not replaced; they are now.
    while (this.loadFailure === undefined && this.live.length < this.options.workers && this.hasWork()) this.spawn();
    return first;
  }

  /** Terminates every worker; outcomes still in flight are dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const workers = this.live.splice(0);
    for (const entry of workers) entry.alive = false;
    await Promise.all(workers.map((entry) => entry.worker.terminate()));
  }

  private spawn(): void {
    const { data, transfer } = this.options.workerData();
    const memory = this.options.workerMemoryMb;
    const worker = new Worker(this.options.workerUrl, {
      workerData: data,
      transferList: [...transfer],
      ...(memory === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: memory } }),
    });
    const entry: PoolWorker = {
      worker,
      createdMs: performance.now(),
      inFlight: [],
      ready: false,
      runningSinceMs: undefined,
      alive: true,
    };
    this.live.push(entry);
    worker.on('message', (message: SweepWorkerMessage<Outcome>) => this.guard(() => this.onMessage(entry, message)));
    worker.on('error', (error: Error & { code?: string }) => this.guard(() => this.onWorkerError(entry, error)));
    worker.on('exit', (code) =>
      this.guard(() => this.lose(entry, (phase) => `the worker exited with code ${code} ${phase}`)),
    );
    this.dispatch(entry);
  }

  private guard(work: () => void): void {
    if (this.stopped) return;
    try {
      work();
    } catch (error) {
      this.options.onError(error);
    }
  }

  private hasWork(): boolean {
    return this.requeued.length > 0 || this.nextIndex < this.params.length;
  }

  /** Keeps between one and two batches in flight, requeued jobs first. */
  private dispatch(entry: PoolWorker): void {
    const { batchSize } = this.options;
    const { params } = this;
    const most = batchSize * BATCHES_IN_FLIGHT;
    while (!this.stopped && entry.alive && entry.inFlight.length + batchSize <= most && this.hasWork()) {
      const jobs: PoolJob[] = this.requeued.splice(0, batchSize);
      for (; jobs.length < batchSize && this.nextIndex < params.length; this.nextIndex++) {
        jobs.push({
          index: this.nextIndex,
          params: params[this.nextIndex] as Record<string, ParamValue>,
          requeues: 0,
        });
      }
      entry.inFlight.push(...jobs);
      const request: SweepBatchRequest = { type: 'batch', jobs: jobs.map(({ index, params }) => ({ index, params })) };
      entry.worker.postMessage(request);
    }
  }

  private onMessage(entry: PoolWorker, message: SweepWorkerMessage<Outcome>): void {
    if (!entry.alive) return;
    switch (message.type) {
      case 'ready':
        entry.ready = true;
        return;
      case 'started':
        checkOrder(entry, message.index);
        entry.runningSinceMs = performance.now();
        return;
      case 'result':
        checkOrder(entry, message.outcome.index);
        entry.inFlight.shift();
        entry.runningSinceMs = undefined;
        this.options.onOutcome(message.outcome);
        this.dispatch(entry);
        return;
      case 'fatal':
        this.lose(entry, () => message.message);
        return;
    }
  }

  private onWorkerError(entry: PoolWorker, error: Error & { code?: string }): void {
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      const memory = this.options.workerMemoryMb;
      const limit = memory === undefined ? '' : ` (the limit is ${memory} MB per worker)`;
      this.lose(entry, (phase) => `ran out of memory ${phase}${limit}`);
      return;
    }
    this.lose(entry, (phase) => `the worker stopped on an uncaught error ${phase}: ${error.message}`);
  }

  /** Stops a job that has run too long, and a worker that takes too long to load the strategy. */
  private checkTimes(): void {
    const now = performance.now();
    for (const entry of [...this.live]) {
      if (entry.runningSinceMs !== undefined && now - entry.runningSinceMs >= this.runTimeoutMs) {
        this.lose(entry, () => `timed out after ${this.options.runTimeoutSeconds} s`);
      } else if (!entry.ready && now - entry.createdMs >= this.loadTimeoutMs) {
        this.lose(entry, () => `the strategy did not load within ${this.loadTimeoutMs / 1000} s`);
      }
    }
  }

  /**
   * A worker is gone or must go. Before its strategy loaded: its jobs fail and it is not
   * replaced. After: the job it was running fails, the jobs behind it go back to the queue,
   * and a fresh worker takes its place.
   */
  private lose(entry: PoolWorker, reason: LossReason): void {
    if (!entry.alive) return;
    entry.alive = false;
    this.live.splice(this.live.indexOf(entry), 1);
    void entry.worker.terminate();
    const jobs = entry.inFlight.splice(0);
    if (!entry.ready) {
      const message = reason(Phase.Loading);
      this.loadFailure ??= message;
      for (const job of jobs) this.fail(job, message);
    } else {
      const running = entry.runningSinceMs === undefined ? undefined : jobs.shift();
      if (running !== undefined) this.fail(running, reason(Phase.Running));
      const back: PoolJob[] = [];
      for (const job of jobs) {
        job.requeues++;
        if (job.requeues > MAX_REQUEUES) {
          this.fail(
            job,
            `not run: its worker was stopped ${job.requeues} times while it waited behind configurations that hung or crashed`,
          );
        } else {
          back.push(job);
        }
      }
      this.requeued.unshift(...back);
      // Idle workers take requeued jobs at once; the replacement takes what is left.
      for (const other of this.live) this.dispatch(other);
      if (!this.stopped && this.hasWork()) this.spawn();
    }
    if (this.live.length === 0 && this.hasWork()) {
      // Nothing left to run the rest on; they fail with the same reason.
      const message = this.loadFailure ?? reason(Phase.Loading);
      for (const job of this.requeued.splice(0)) this.fail(job, message);
      const { params } = this;
      for (; this.nextIndex < params.length; this.nextIndex++) this.fail({ index: this.nextIndex } as PoolJob, message);
    }
  }

  private fail(job: PoolJob, message: string): void {
    if (this.stopped) return;
    this.options.onOutcome({ index: job.index, error: message });
  }
}

/** Workers answer in the order jobs were sent; anything else is a bug here, not in a strategy. */
function checkOrder(entry: PoolWorker, index: number): void {
  const expected = entry.inFlight[0]?.index;
  if (index !== expected) {
    throw new Error(`sweep worker answered job ${index} while job ${expected} was next; jobs must run in order`);
  }
}
