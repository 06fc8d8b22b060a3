/**
 * Walk-forward on many machines (`walk-forward --distributed`): the training grids run on
 * `backtest worker` processes, through the distributed sweep machinery, so workers need no new
 * job kind.
 *
 * The coordinator (this module, in the `walk-forward` process) plans the windows and the grid as
 * a local walk-forward does, imports every bar into the PostgreSQL store once, stores the group,
 * and turns each window with training bars into a distributed sweep `<group id>-w<index>`: the
 * walk-forward's strategy, grid, `--where`, fixed parameters and config over that window's
 * training bars (workers load exactly those by the fingerprint's time range), tagged with the
 * group and window so that workers save its runs as the group's hidden training runs. It then
 * polls the sweeps about once a second; when a window's sweep has every configuration saved or
 * failed, it reads the stored runs' metrics (and the recorded failures) back, maps them to plan
 * positions by their canonical parameters, and hands them to the walk-forward, which chooses,
 * tests, stitches and saves exactly as it does locally (`run-walk-forward.ts`).
 */
import { ConfigError, StoreError } from '../../core/errors.js';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import type { Metrics } from '../../core/result.js';
import type { ParamValue } from '../../core/strategy.js';
import { canonicalJson } from '../../store/canonical-json.js';
import { type BacktestRow, WalkForwardStatus } from '../../store/index.js';
import type { SweepDefinition } from '../../store/sweep-record.js';
import {
  type DistributedConnection,
  openDistributed,
  periodGridOf,
  planOf,
  queueSettings,
  storeSweepBars,
} from '../sweep/distributed-sweep.js';
import {
  createWalkForwardId,
  type RunWalkForwardHooks,
  type RunWalkForwardOptions,
  runWalkForward,
  type TrainingContext,
  type TrainingSource,
  type WalkForwardOutcome,
} from './run-walk-forward.js';

/** What `walk-forward --distributed` needs: a local walk-forward's options, a database URL and the queue settings. */
export interface DistributedWalkForwardOptions
  extends Omit<RunWalkForwardOptions, 'db' | 'training' | 'workers' | 'batchSize' | 'workerMemoryMb'> {
  /** The PostgreSQL database holding the runs and the job queue. */
  readonly url: string;
  /** Seconds a fetched job stays leased to its worker; default 120. */
  readonly leaseSeconds?: number | undefined;
  /** Configurations per job; default 10. */
  readonly batchSize?: number | undefined;
  /** Milliseconds between polls of the window sweeps; default 1000. */
  readonly pollMs?: number | undefined;
}

/** How a distributed walk-forward went, besides what a local one tells. */
export interface DistributedWalkForwardOutcome extends WalkForwardOutcome {
  readonly batchSize: number;
  readonly leaseSeconds: number;
  /** The window sweeps enqueued (one per window with training bars), in window order. */
  readonly sweepIds: readonly string[];
  /** Jobs enqueued over all windows. */
  readonly jobs: number;
  /** Jobs still waiting or leased when the coordinator stopped (after Ctrl-C: the workers go on with them). */
  readonly queuedJobs: number;
}

/**
 * The sweep id of a window's training grid.
 *
 * @example
 * windowSweepId('wf-20260101-120000-3f9a1c', 2); // 'wf-20260101-120000-3f9a1c-w2'
 */
export function windowSweepId(groupId: string, window: number): string {
  return `${groupId}-w${window}`;
}

/**
 * Runs a walk-forward whose training runs are done by `backtest worker` processes; see the
 * module comment. Ctrl-C (`hooks.signal`) stops waiting: finished windows are kept, the group is
 * marked interrupted, and queued jobs stay in the queue for the workers.
 *
 * @example
 * const outcome = await runDistributedWalkForward({ url, bars, strategy: 'sma-cross', grid: ['fast=5..20:5'],
 *   train: '2y', test: '6mo' });
 */
export async function runDistributedWalkForward(
  options: DistributedWalkForwardOptions,
  hooks: RunWalkForwardHooks = {},
): Promise<DistributedWalkForwardOutcome> {
  const { leaseSeconds, batchSize, runTimeoutSeconds } = queueSettings(options);
  const { url, leaseSeconds: _lease, batchSize: _batch, runTimeoutSeconds: _timeout, pollMs, ...local } = options;
  const groupId = options.groupId ?? createWalkForwardId();
  let connection: DistributedConnection | undefined;
  const source = new QueueTrainingSource(() => connection as DistributedConnection, {
    batchSize,
    leaseSeconds,
    runTimeoutSeconds,
    pollMs: pollMs ?? 1000,
  });
  try {
    const outcome = await runWalkForward(
      {
        ...local,
        groupId,
        // Opened once the windows and the grid are planned (a bad grid writes nothing); the bars
        // go in before the group, so workers find every window's training bars.
        db: async () => {
          connection = await openDistributed(url);
          await storeSweepBars(connection.store, options.bars);
          return connection.store;
        },
        training: source,
      },
      hooks,
    );
    return {
      ...outcome,
      batchSize,
      leaseSeconds,
      sweepIds: source.sweepIds,
      jobs: source.jobs,
      queuedJobs: await source.queuedJobs(),
    };
  } catch (error) {
    // A walk-forward that failed after its group was stored is no longer running.
    const store = connection?.store;
    const found = await store?.findWalkForward(groupId).catch(() => undefined);
    if (found?.status === WalkForwardStatus.Running) {
      await store?.updateWalkForward(groupId, { status: WalkForwardStatus.Interrupted }).catch(() => undefined);
    }
    throw error;
  } finally {
    await connection?.close();
  }
}

/** Training outcomes from the window sweeps' jobs, run by `backtest worker` processes. */
class QueueTrainingSource implements TrainingSource {
  sweepIds: readonly string[] = [];
  jobs = 0;
  private readonly connection: () => DistributedConnection;
  private readonly settings: {
    readonly batchSize: number;
    readonly leaseSeconds: number;
    readonly runTimeoutSeconds: number;
    readonly pollMs: number;
  };

  constructor(connection: () => DistributedConnection, settings: QueueTrainingSource['settings']) {
    this.connection = connection;
    this.settings = settings;
  }

  async train(context: TrainingContext): Promise<void> {
    const { store, queue } = this.connection();
    const { batchSize, leaseSeconds } = this.settings;
    const { configs, windows, signal } = context;
    const definitions = windows.map((w) => this.sweepDefinition(context, w));
    this.sweepIds = definitions.map((d) => d.sweepId);
    const positions = await checkedPositions(definitions[0] as SweepDefinition, configs);
    for (const definition of definitions) {
      if (signal.aborted) return;
      await store.createSweep(definition, configs.length);
      this.jobs += await queue.enqueue(definition.sweepId, configs.length, batchSize, leaseSeconds);
    }

    const counts = windows.map(() => ({ done: 0, failed: 0 }));
    const pending = new Set(windows.map((_, t) => t));
    while (pending.size > 0 && !signal.aborted) {
      const ready: number[] = [];
      for (const t of pending) {
        const sweepId = this.sweepIds[t] as string;
        const before = counts[t] as { done: number; failed: number };
        let record = await store.findSweep(sweepId);
        if (record === undefined) throw new StoreError(`database ${store.location} has no sweep ${sweepId}`);
        if (record.done < record.planned && record.done === before.done) {
          // No progress since the last look: make sure some job can still make it.
          const jobs = await queue.sweepJobs(sweepId);
          if (jobs.pending + jobs.active === 0) {
            record = (await store.findSweep(sweepId)) ?? record;
            if (record.done < record.planned) {
              throw new StoreError(
                `walk-forward window ${windows[t]?.index}: sweep ${sweepId} has ${record.planned - record.done} configurations neither saved nor failed and no job left in the queue (${jobs.failed} jobs failed for good)`,
              );
            }
          }
        }
        counts[t] = { done: record.done, failed: record.failed };
        if (record.done >= record.planned) ready.push(t);
      }
      context.progress(
        counts.reduce((n, c) => n + c.done, 0),
        counts.reduce((n, c) => n + c.failed, 0),
      );
      for (const t of ready) {
        if (signal.aborted) return;
        await this.reportWindow(context, t, positions);
        pending.delete(t);
      }
      if (pending.size > 0) await sleep(this.settings.pollMs, signal);
    }
  }

  /** Jobs of the window sweeps still waiting or leased. */
  async queuedJobs(): Promise<number> {
    if (this.sweepIds.length === 0) return 0;
    const { queue } = this.connection();
    let queued = 0;
    for (const sweepId of this.sweepIds) {
      const jobs = await queue.sweepJobs(sweepId);
      queued += jobs.pending + jobs.active;
    }
    return queued;
  }

  private sweepDefinition(context: TrainingContext, window: TrainingContext['windows'][number]): SweepDefinition {
    const group = context.definition;
    return {
      sweepId: windowSweepId(context.groupId, window.index),
      symbol: group.symbol,
      timeframe: group.timeframe,
      strategy: group.strategy,
      grid: [...group.grid],
      ...(group.where === undefined ? {} : { where: group.where }),
      fixedParams: group.fixedParams,
      bars: window.fingerprint,
      config: group.config,
      ...(group.notes === undefined ? {} : { notes: group.notes }),
      periodGrid: periodGridOf(window.fingerprint.count),
      distributed: {
        batchSize: this.settings.batchSize,
        leaseSeconds: this.settings.leaseSeconds,
        runTimeoutSeconds: this.settings.runTimeoutSeconds,
      },
      walkForward: { groupId: context.groupId, window: window.index },
    } as SweepDefinition;
  }

  /** Reads a finished window sweep's runs and failures from the store and reports each at its plan position. */
  private async reportWindow(
    context: TrainingContext,
    t: number,
    positions: ReadonlyMap<string, number>,
  ): Promise<void> {
    const { store } = this.connection();
    const sweepId = this.sweepIds[t] as string;
    const count = context.configs.length;
    const seen = new Set<number>();
    const place = (paramsJson: string | null): number | undefined => {
      const c = paramsJson === null ? undefined : positions.get(canonicalJson(JSON.parse(paramsJson), 'parameters'));
      if (c === undefined || seen.has(c)) return undefined;
      seen.add(c);
      return t * count + c;
    };
    const page = 10_000;
    for (let offset = 0; ; offset += page) {
      const rows = await store.listRuns({
        sweepId,
        includeTraining: true,
        sort: 'id',
        order: 'asc',
        limit: page,
        offset,
      });
      for (const row of rows) {
        const index = place(row.strategy_params_json);
        if (index !== undefined) context.report({ index, metrics: metricsOfRow(row) });
      }
      if (rows.length < page) break;
    }
    for (const failure of await store.distributed.failures(sweepId)) {
      const index = place(failure.paramsJson);
      if (index !== undefined) context.report({ index, error: failure.error });
    }
    if (seen.size < count) {
      throw new StoreError(
        `walk-forward window ${context.windows[t]?.index}: sweep ${sweepId} is done, but ${count - seen.size} of its ${count} configurations have neither a stored run nor a recorded failure`,
      );
    }
  }
}

/**
 * Plan positions by canonical parameters, after checking that the plan workers rebuild from a
 * window sweep's definition is this walk-forward's, configuration for configuration.
 */
async function checkedPositions(
  definition: SweepDefinition,
  configs: readonly Readonly<Record<string, ParamValue>>[],
): Promise<Map<string, number>> {
  const rebuilt = await planOf(definition);
  const positions = new Map<string, number>();
  configs.forEach((params, c) => {
    positions.set(canonicalJson(params, 'parameters'), c);
  });
  const same =
    rebuilt.length === configs.length &&
    rebuilt.every((params, c) => positions.get(canonicalJson(params, 'parameters')) === c);
  if (!same || positions.size !== configs.length) {
    throw new ConfigError(
      `workers would rebuild ${rebuilt.length} configurations from the stored grid (${definition.grid.join(' ')}), not the walk-forward's ${configs.length}; pass the grid as --grid flags`,
    );
  }
  return positions;
}

/** A stored run's metrics, by catalog name (each is a column of the row). */
function metricsOfRow(row: BacktestRow): Metrics {
  const out: Record<string, number | null> = {};
  for (const { name } of METRIC_CATALOG) {
    const value = (row as unknown as Record<string, unknown>)[name];
    out[name] = typeof value === 'number' ? value : null;
  }
  return out as unknown as Metrics;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      done();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      done();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
