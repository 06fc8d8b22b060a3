/**
 * The job queue of distributed sweeps, on pg-boss 10 in the same PostgreSQL database as the runs.
 *
 * One queue, `backtest-sweep`; one job per batch of a sweep's planned configurations (`from` to
 * `to`, plan positions). A job fetched is leased: `expireInSeconds` is the sweep's lease, and a
 * job still active past it (its worker was killed) is failed by pg-boss's maintenance and, having
 * retries left, fetched again by another worker. A job returned (`release`) goes back at once.
 * Running a job twice is harmless: results are saved once per idempotency key.
 *
 * pg-boss keeps its tables in its own schema: `pgboss`, or `<schema>_pgboss` when the URL sets
 * a `search_path` (so databases shared by schemas keep their queues apart, as tests do).
 */
import PgBoss from 'pg-boss';

export const SWEEP_QUEUE = 'backtest-sweep';

/** One job: the plan positions `[from, to)` of a sweep. */
export interface SweepBatchJob {
  readonly sweepId: string;
  readonly from: number;
  readonly to: number;
  /**
   * Enqueued by `sweeps resume`: some of its configurations may be saved already (skipped),
   * and its failed ones run again.
   */
  readonly resumed?: boolean;
}

/** Times a job may be handed out again after its lease expired or it was returned. */
const RETRY_LIMIT = 20;

/** The pg-boss schema for a database URL. */
export function queueSchemaFor(url: string): string {
  try {
    const options = new URL(url).searchParams.get('options') ?? '';
    const match = /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options);
    return match === null ? 'pgboss' : `${match[1]}_pgboss`;
  } catch {
    return 'pgboss';
  }
}

/** Jobs of one sweep by state. */
export interface SweepJobCounts {
  readonly pending: number;
  readonly active: number;
  /** Configurations in the leased jobs (some may be saved already when a job runs again). */
  readonly activeConfigurations: number;
  readonly completed: number;
  readonly failed: number;
}

/** The distributed sweeps' job queue. */
export class PostgresSweepQueue {
  private readonly boss: PgBoss;
  private readonly schema: string;

  private constructor(boss: PgBoss, schema: string) {
    this.boss = boss;
    this.schema = schema;
  }

  /**
   * Connects and creates the queue's tables when missing. `maintenanceSeconds`: how often this
   * process looks for expired leases (any one process does it for all).
   */
  static async open(url: string, options: { readonly maintenanceSeconds?: number } = {}): Promise<PostgresSweepQueue> {
    const schema = queueSchemaFor(url);
    const boss = new PgBoss({
      connectionString: url,
      schema,
      max: 3,
      application_name: 'backtest-ledger-queue',
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceSeconds ?? 10,
    });
    boss.on('error', () => undefined);
    await boss.start();
    if ((await boss.getQueue(SWEEP_QUEUE)) === null) {
      try {
        await boss.createQueue(SWEEP_QUEUE, { name: SWEEP_QUEUE, policy: 'standard' } as PgBoss.Queue);
      } catch (error) {
        // Another process created it first.
        if ((await boss.getQueue(SWEEP_QUEUE)) === null) throw error;
      }
    }
    return new PostgresSweepQueue(boss, schema);
  }

  /** Enqueues a sweep's batches, each leased for `leaseSeconds` when fetched. */
  async enqueue(sweepId: string, planned: number, batchSize: number, leaseSeconds: number): Promise<number> {
    const batches: SweepBatchJob[] = [];
    for (let from = 0; from < planned; from += batchSize) {
      batches.push({ sweepId, from, to: Math.min(planned, from + batchSize) });
    }
    return this.enqueueBatches(batches, leaseSeconds);
  }

  /** Enqueues batches as they are, each leased for `leaseSeconds` when fetched. */
  async enqueueBatches(batches: readonly SweepBatchJob[], leaseSeconds: number): Promise<number> {
    const jobs: PgBoss.JobInsert<SweepBatchJob>[] = batches.map((data) => ({
      name: SWEEP_QUEUE,
      data,
      expireInSeconds: leaseSeconds,
      retryLimit: RETRY_LIMIT,
      retryDelay: 0,
    }));
    for (let i = 0; i < jobs.length; i += 500) await this.boss.insert(jobs.slice(i, i + 500));
    return jobs.length;
  }

  /** The plan ranges of one sweep's jobs still waiting or leased. */
  async queuedRanges(sweepId: string): Promise<{ readonly from: number; readonly to: number }[]> {
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT (data->>'from')::int AS "from", (data->>'to')::int AS "to" FROM ${this.schema}.job
        WHERE name = $1 AND data->>'sweepId' = $2 AND state IN ('created', 'retry', 'active')`,
      [SWEEP_QUEUE, sweepId],
    );
    return rows.map((row: { from: number; to: number }) => ({ from: row.from, to: row.to }));
  }

  /**
   * Leases the next job, or `undefined` when none is waiting. `retried`: it was handed out
   * before (its lease expired, or a stopping worker returned it), so some of its results may be
   * saved already.
   */
  async fetch(): Promise<{ readonly id: string; readonly data: SweepBatchJob; readonly retried: boolean } | undefined> {
    const [job] = await this.boss.fetch<SweepBatchJob>(SWEEP_QUEUE, { batchSize: 1, includeMetadata: true });
    return job === undefined ? undefined : { id: job.id, data: job.data, retried: job.retryCount > 0 };
  }

  async complete(id: string): Promise<void> {
    await this.boss.complete(SWEEP_QUEUE, id);
  }

  /** Gives a job back (a worker stopping): another worker fetches it at once. */
  async release(id: string): Promise<void> {
    await this.boss.fail(SWEEP_QUEUE, id, { message: 'returned by a stopping worker' });
  }

  /** Jobs of every sweep waiting or leased. */
  async unfinished(): Promise<number> {
    return this.boss.getQueueSize(SWEEP_QUEUE, { before: 'completed' });
  }

  /** One sweep's jobs by state (read from pg-boss's job table). */
  async sweepJobs(sweepId: string): Promise<SweepJobCounts> {
    const db = this.boss.getDb();
    const { rows } = await db.executeSql(
      `SELECT state::text AS state, count(*)::int AS n,
          sum((data->>'to')::int - (data->>'from')::int)::int AS configurations
        FROM ${this.schema}.job WHERE name = $1 AND data->>'sweepId' = $2 GROUP BY state`,
      [SWEEP_QUEUE, sweepId],
    );
    const by = new Map<string, { n: number; configurations: number }>(
      rows.map((row: { state: string; n: number; configurations: number }) => [row.state, row]),
    );
    const n = (state: string): number => by.get(state)?.n ?? 0;
    return {
      pending: n('created') + n('retry'),
      active: n('active'),
      activeConfigurations: by.get('active')?.configurations ?? 0,
      completed: n('completed'),
      failed: n('failed') + n('cancelled'),
    };
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true });
  }
}
