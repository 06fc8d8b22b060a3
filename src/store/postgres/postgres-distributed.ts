/**
 * What distributed sweeps keep in PostgreSQL besides the runs (schema version 8): saves that
 * happen once per idempotency key, failed configurations, the workers seen and each sweep's
 * progress.
 *
 * Exactly once: a save inserts the run and sets its `idempotency_key` in one transaction; the
 * unique constraint on the key makes the second of two concurrent saves fail, and it is then
 * rolled back and reported as already saved. The sweep's `done` and `failed` counts move in the
 * same transaction, so they count each key once too.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { PreparedBacktest } from '../run-input.js';
import { SweepStatus } from '../sweep-record.js';
import type { PostgresConnection, Queryable } from './postgres-connection.js';
import type { PostgresRuns } from './postgres-runs.js';

/** Who ran something: the user and host of a process. */
export interface RunOrigin {
  readonly user: string | null;
  readonly host: string | null;
}

/** A worker process as a sweep saw it. */
export interface SweepWorkerSeen {
  readonly workerId: string;
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Configurations it saved (not counting those another worker had saved first). */
  readonly saved: number;
  readonly failed: number;
}

/** A configuration of a distributed sweep that failed, with its one-line error. */
export interface SweepFailureRecord {
  readonly paramsJson: string;
  readonly error: string;
  readonly user: string | null;
  readonly host: string | null;
  readonly failedMs: number;
}

/** How a save or a failure record ended. */
export interface OnceOutcome {
  /** True when this call stored it; false when the key was already stored (a job that ran twice). */
  readonly stored: boolean;
}

/**
 * The idempotency key of one configuration of a sweep: the sweep id and the SHA-256 of the
 * canonical JSON of its parameters (key order never matters).
 *
 * @example
 * idempotencyKey('20260101-abc', { fast: 5, slow: 20 }); // '20260101-abc:3f0c…'
 */
export function idempotencyKey(sweepId: string, params: Readonly<Record<string, unknown>>): string {
  const hash = createHash('sha256').update(canonicalJson(params, 'strategy parameters')).digest('hex');
  return `${sweepId}:${hash}`;
}

const UNIQUE_VIOLATION = '23505';
/** Times a batch is run again after losing a race for one of its keys. */
const MAX_RACE_RETRIES = 5;

/** One configuration's outcome for {@link PostgresDistributed.recordOnce}: a run to save, or a failure. */
export type OnceItem =
  | { readonly key: string; readonly prepared: PreparedBacktest }
  | { readonly key: string; readonly failure: { readonly paramsJson: string; readonly error: string } };

const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;

/** Distributed-sweep records in one PostgreSQL database. */
export class PostgresDistributed {
  private readonly connection: PostgresConnection;
  private readonly runs: PostgresRuns;

  constructor(connection: PostgresConnection, runs: PostgresRuns) {
    this.connection = connection;
    this.runs = runs;
  }

  /**
   * Saves a run of `sweepId` unless a run with `key` is stored; counts it done on the sweep
   * (and clears a failure recorded for the key) when it stored it.
   */
  async saveOnce(sweepId: string, key: string, prepared: PreparedBacktest, workerId: string): Promise<OnceOutcome> {
    const [outcome] = await this.recordOnce(sweepId, [{ key, prepared }], workerId);
    return outcome as OnceOutcome;
  }

  /**
   * Records a failed configuration unless its key is saved or already failed; counts it done
   * and failed on the sweep when it recorded it. It is not retried.
   */
  async failOnce(
    sweepId: string,
    key: string,
    paramsJson: string,
    error: string,
    workerId: string,
  ): Promise<OnceOutcome> {
    const [outcome] = await this.recordOnce(sweepId, [{ key, failure: { paramsJson, error } }], workerId);
    return outcome as OnceOutcome;
  }

  /**
   * Records the outcomes of several configurations of one sweep in one transaction, each once
   * per key: a run is saved unless its key is saved (a failure recorded for the key gives way
   * to it); a failure is recorded unless the key is saved or failed. The sweep's counts and the
   * worker's move once for the whole batch.
   *
   * One transaction per batch rather than per run: every commit waits for its WAL flush, and
   * every transaction that moves the sweep's counts holds that one row until it commits, so
   * workers saving run by run queue behind each other's flushes.
   *
   * A concurrent save of a key in the batch (a job that ran twice at once) fails the whole
   * transaction on the unique constraint; it is then run again, and the key found saved.
   */
  async recordOnce(sweepId: string, items: readonly OnceItem[], workerId: string): Promise<OnceOutcome[]> {
    if (items.length === 0) return [];
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.connection.write('save distributed sweep results', (client) =>
          this.recordIn(client, sweepId, items, workerId),
        );
      } catch (error) {
        const raced = isUniqueViolation(error) || isUniqueViolation((error as { cause?: unknown }).cause);
        if (!raced || attempt >= MAX_RACE_RETRIES) throw error;
      }
    }
  }

  private async recordIn(
    client: Queryable,
    sweepId: string,
    items: readonly OnceItem[],
    workerId: string,
  ): Promise<OnceOutcome[]> {
    const keys = items.map((item) => item.key);
    // One round trip for both: each costs a pair of system calls on either side, per batch.
    const known = await client.query<{ k: string; saved: boolean }>({
      text: `SELECT idempotency_key AS k, true AS saved FROM run_details WHERE idempotency_key = ANY($1::text[])
        UNION ALL SELECT idempotency_key, false FROM sweep_failures WHERE idempotency_key = ANY($1::text[])`,
      values: [keys],
    });
    const taken = new Set(known.rows.filter((row) => row.saved).map((row) => row.k));
    const failed = new Set(known.rows.filter((row) => !row.saved).map((row) => row.k));
    const cleared: string[] = [];
    let runs = 0;
    let failures = 0;
    const outcomes: OnceOutcome[] = [];
    for (const item of items) {
      if (taken.has(item.key)) {
        outcomes.push({ stored: false });
        continue;
      }
      if ('prepared' in item) {
        // A concurrent save of the same key fails here (or at commit) on the unique constraint.
        await this.runs.insert(client, item.prepared, item.key);
        if (failed.has(item.key)) cleared.push(item.key);
        runs++;
      } else {
        if (failed.has(item.key)) {
          outcomes.push({ stored: false });
          continue;
        }
        await client.query({
          text: `INSERT INTO sweep_failures (idempotency_key, sweep_id, params_json, error, run_user, run_host, failed_ms)
            VALUES ($1, $2, $3, $4, nullif(current_setting('backtest.run_user', true), ''), nullif(current_setting('backtest.run_host', true), ''), $5)
            ON CONFLICT (idempotency_key) DO NOTHING`,
          values: [item.key, sweepId, item.failure.paramsJson, firstLine(item.failure.error), Date.now()],
        });
        failed.add(item.key);
        failures++;
      }
      taken.add(item.key);
      outcomes.push({ stored: true });
    }
    if (cleared.length > 0) {
      await client.query({
        text: 'DELETE FROM sweep_failures WHERE idempotency_key = ANY($1::text[])',
        values: [cleared],
      });
    }
    if (runs + failures > 0) {
      // Last, so the sweep's row is held only from here to the commit.
      await this.count(client, sweepId, runs - cleared.length + failures, failures - cleared.length, {
        workerId,
        saved: runs,
        failed: failures,
      });
    }
    return outcomes;
  }

  /**
   * Moves a sweep's counts (completing it when every planned configuration is done) and the
   * counts of the worker that did it, in one statement.
   */
  private async count(
    client: Queryable,
    sweepId: string,
    done: number,
    failed: number,
    worker: { readonly workerId: string; readonly saved: number; readonly failed: number },
  ): Promise<void> {
    await client.query({
      text: `WITH w AS (UPDATE sweep_workers SET saved = saved + $6, failed = failed + $7, last_seen_ms = $4
          WHERE sweep_id = $1 AND worker_id = $5)
        UPDATE sweeps SET done = done + $2, failed = failed + $3, updated_ms = $4,
        status = CASE WHEN done + $2 >= planned AND status = '${SweepStatus.Running}' THEN '${SweepStatus.Completed}' ELSE status END
        WHERE sweep_id = $1`,
      values: [sweepId, done, failed, Date.now(), worker.workerId, worker.saved, worker.failed],
    });
  }

  /**
   * Gives a sweep's runs that have no idempotency key the key `keyOf` finds for their stored
   * parameters (runs brought in by `db copy` or an import, which carry none), so that resuming
   * the sweep through the queue counts them saved and never saves them twice. A run whose
   * parameters name no configuration, or whose key another run holds, stays as it is. How many
   * got their key.
   */
  async adoptRuns(sweepId: string, keyOf: (paramsJson: string) => string | undefined): Promise<number> {
    return this.connection.write('give copied runs their idempotency keys', async (client) => {
      const { rows } = await client.query<{ id: string; params: string | null }>({
        text: 'SELECT backtest_id::text AS id, strategy_params_json AS params FROM run_details WHERE sweep_id = $1 AND idempotency_key IS NULL ORDER BY backtest_id',
        values: [sweepId],
      });
      const ids: string[] = [];
      const keys: string[] = [];
      const taken = new Set<string>();
      for (const row of rows) {
        let key: string | undefined;
        try {
          key = row.params === null ? undefined : keyOf(row.params);
        } catch {
          key = undefined; // Stored parameters that do not parse name no configuration.
        }
        if (key === undefined || taken.has(key)) continue;
        taken.add(key);
        ids.push(row.id);
        keys.push(key);
      }
      if (ids.length === 0) return 0;
      const updated = await client.query({
        text: `UPDATE run_details d SET idempotency_key = u.key FROM unnest($1::bigint[], $2::text[]) AS u(id, key)
          WHERE d.backtest_id = u.id AND NOT EXISTS (SELECT 1 FROM run_details o WHERE o.idempotency_key = u.key)`,
        values: [ids, keys],
      });
      return updated.rowCount ?? 0;
    });
  }

  /**
   * Sets a sweep's counts from what is stored: done = runs with a key + recorded failures,
   * failed = recorded failures (completing it when that reaches the plan). For a sweep no worker
   * is saving to: counts moved by saves only, so runs deleted since are counted again here.
   */
  async recount(sweepId: string): Promise<void> {
    await this.connection.query(
      'count a sweep again',
      {
        text: `WITH c AS (SELECT
            (SELECT count(*) FROM run_details WHERE sweep_id = $1 AND idempotency_key IS NOT NULL)
              + (SELECT count(*) FROM sweep_failures WHERE sweep_id = $1) AS done,
            (SELECT count(*) FROM sweep_failures WHERE sweep_id = $1) AS failed)
          UPDATE sweeps SET done = c.done, failed = c.failed, updated_ms = $2,
            status = CASE WHEN c.done >= planned AND status = '${SweepStatus.Running}' THEN '${SweepStatus.Completed}' ELSE status END
          FROM c WHERE sweep_id = $1`,
        values: [sweepId, Date.now()],
      },
      { write: true },
    );
  }

  /** Keys of a sweep with a saved run, among `keys` (failed ones are not). */
  async savedKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const result = await this.connection.query<{ k: string }>('read saved configurations', {
      text: 'SELECT idempotency_key AS k FROM run_details WHERE idempotency_key = ANY($1::text[])',
      values: [keys],
    });
    return new Set(result.rows.map((row) => row.k));
  }

  /** Keys of a sweep already saved or failed, among `keys`. */
  async finishedKeys(keys: readonly string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const result = await this.connection.query<{ k: string }>('read finished configurations', {
      text: `SELECT idempotency_key AS k FROM run_details WHERE idempotency_key = ANY($1::text[])
        UNION ALL SELECT idempotency_key FROM sweep_failures WHERE idempotency_key = ANY($1::text[])`,
      values: [keys],
    });
    return new Set(result.rows.map((row) => row.k));
  }

  /** Notes that a worker is working on a sweep (first and last seen). */
  async noteWorker(sweepId: string, worker: { readonly workerId: string; readonly pid: number }): Promise<void> {
    const now = Date.now();
    await this.connection.query(
      'note a sweep worker',
      {
        text: `INSERT INTO sweep_workers (sweep_id, worker_id, run_user, run_host, pid, first_seen_ms, last_seen_ms)
          VALUES ($1, $2, coalesce(nullif(current_setting('backtest.run_user', true), ''), 'unknown'),
            coalesce(nullif(current_setting('backtest.run_host', true), ''), 'unknown'), $3, $4, $4)
          ON CONFLICT (sweep_id, worker_id) DO UPDATE SET last_seen_ms = excluded.last_seen_ms`,
        values: [sweepId, worker.workerId, worker.pid, now],
      },
      { write: true },
    );
  }

  /** The workers seen on a sweep, first seen first. */
  async workers(sweepId: string): Promise<SweepWorkerSeen[]> {
    const result = await this.connection.query<Record<string, unknown>>('read sweep workers', {
      text: `SELECT worker_id, run_user, run_host, pid, first_seen_ms, last_seen_ms, saved, failed
        FROM sweep_workers WHERE sweep_id = $1 ORDER BY first_seen_ms, worker_id`,
      values: [sweepId],
    });
    return result.rows.map((row) => ({
      workerId: String(row.worker_id),
      user: String(row.run_user),
      host: String(row.run_host),
      pid: Number(row.pid),
      firstSeenMs: Number(row.first_seen_ms),
      lastSeenMs: Number(row.last_seen_ms),
      saved: Number(row.saved),
      failed: Number(row.failed),
    }));
  }

  /** The failed configurations of a sweep, oldest first. */
  async failures(sweepId: string): Promise<SweepFailureRecord[]> {
    const result = await this.connection.query<Record<string, unknown>>('read failed configurations', {
      text: 'SELECT params_json, error, run_user, run_host, failed_ms FROM sweep_failures WHERE sweep_id = $1 ORDER BY failed_ms, idempotency_key',
      values: [sweepId],
    });
    return result.rows.map((row) => ({
      paramsJson: String(row.params_json),
      error: String(row.error),
      user: row.run_user === null ? null : String(row.run_user),
      host: row.run_host === null ? null : String(row.run_host),
      failedMs: Number(row.failed_ms),
    }));
  }

  /** Who produced each run, by id (runs saved before schema version 8 read `null`s). */
  async origins(ids: readonly number[]): Promise<Map<number, RunOrigin>> {
    if (ids.length === 0) return new Map();
    const result = await this.connection.query<{ id: number; run_user: string | null; run_host: string | null }>(
      'read run origins',
      {
        text: 'SELECT backtest_id AS id, run_user, run_host FROM run_details WHERE backtest_id = ANY($1::bigint[])',
        values: [ids],
      },
    );
    return new Map(result.rows.map((row) => [Number(row.id), { user: row.run_user, host: row.run_host }]));
  }

  /** How many runs of a sweep carry an idempotency key, and how many distinct keys (equal unless doubled). */
  async keyCounts(sweepId: string): Promise<{ readonly runs: number; readonly keys: number }> {
    const result = await this.connection.query<{ runs: number; keys: number }>('count sweep keys', {
      text: 'SELECT count(*)::int AS runs, count(DISTINCT idempotency_key)::int AS keys FROM run_details WHERE sweep_id = $1',
      values: [sweepId],
    });
    return { runs: result.rows[0]?.runs ?? 0, keys: result.rows[0]?.keys ?? 0 };
  }
}

/** The first line of an error message, trimmed. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim() || 'failed';
}
