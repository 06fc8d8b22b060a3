/** Sweeps in PostgreSQL: one row per sweep, its definition as JSON text (as in SQLite). */
import { ConfigError, StoreError } from '../../core/errors.js';
import { canonicalJson } from '../canonical-json.js';
import { type SweepDefinition, type SweepRecord, type SweepRow, SweepStatus, sweepFromRow } from '../sweep-record.js';
import type { PostgresConnection } from './postgres-connection.js';

const STATUSES = new Set<string>(Object.values(SweepStatus));
const COLUMNS = 'sweep_id, status, planned, done, failed, created_ms, updated_ms, definition_json';

/** Sweeps in one PostgreSQL database. */
export class PostgresSweeps {
  private readonly connection: PostgresConnection;
  private readonly nowMs: () => number;

  constructor(connection: PostgresConnection, nowMs: () => number = Date.now) {
    this.connection = connection;
    this.nowMs = nowMs;
  }

  async create(definition: SweepDefinition, planned: number): Promise<SweepRecord> {
    const json = canonicalJson(definition, 'sweep definition');
    const now = this.nowMs();
    const inserted = await this.connection.query(
      'store a sweep',
      {
        text: 'INSERT INTO sweeps (sweep_id, symbol, timeframe, status, planned, done, failed, created_ms, updated_ms, definition_json) VALUES ($1, $2, $3, $4, $5, 0, 0, $6, $6, $7) ON CONFLICT (sweep_id) DO NOTHING',
        values: [definition.sweepId, definition.symbol, definition.timeframe, SweepStatus.Running, planned, now, json],
      },
      { write: true },
    );
    if (inserted.rowCount === 0) {
      throw new ConfigError(
        `sweep ${definition.sweepId} already exists in ${this.connection.location}; pick another id`,
      );
    }
    return { definition, status: SweepStatus.Running, planned, done: 0, failed: 0, createdMs: now, updatedMs: now };
  }

  async update(
    sweepId: string,
    update: {
      readonly status?: SweepStatus;
      readonly planned?: number;
      readonly done?: number;
      readonly failed?: number;
    },
  ): Promise<void> {
    if (update.status !== undefined && !STATUSES.has(update.status)) {
      throw new ConfigError(`sweep status "${update.status}" is not one of ${[...STATUSES].join(', ')}`);
    }
    const result = await this.connection.query(
      'update a sweep',
      {
        text: 'UPDATE sweeps SET status = coalesce($1, status), planned = coalesce($2, planned), done = coalesce($3, done), failed = coalesce($4, failed), updated_ms = $5 WHERE sweep_id = $6',
        values: [
          update.status ?? null,
          update.planned ?? null,
          update.done ?? null,
          update.failed ?? null,
          this.nowMs(),
          sweepId,
        ],
      },
      { write: true, prepared: true },
    );
    if (result.rowCount === 0) throw new StoreError(`database ${this.connection.location} has no sweep ${sweepId}`);
  }

  async find(sweepId: string): Promise<SweepRecord | undefined> {
    const result = await this.connection.query<SweepRow>('read a sweep', {
      text: `SELECT ${COLUMNS} FROM sweeps WHERE sweep_id = $1`,
      values: [sweepId],
    });
    const row = result.rows[0];
    return row === undefined ? undefined : sweepFromRow(row, this.connection.location);
  }

  async list(status: SweepStatus | undefined): Promise<SweepRecord[]> {
    if (status !== undefined && !STATUSES.has(status)) {
      throw new ConfigError(`sweep status "${status}" is not one of ${[...STATUSES].join(', ')}`);
    }
    const result = await this.connection.query<SweepRow>('list sweeps', {
      text: `SELECT ${COLUMNS} FROM sweeps WHERE $1::text IS NULL OR status = $1 ORDER BY created_ms DESC, sweep_id DESC`,
      values: [status ?? null],
    });
    return result.rows.map((row) => sweepFromRow(row, this.connection.location));
  }

  /** Deletes the sweep row and its runs (their side rows go by cascade); runs deleted. */
  async delete(sweepId: string): Promise<number> {
    return this.connection.write('delete a sweep', async (client) => {
      const runs = await client.query({
        text: 'DELETE FROM backtest_results WHERE id IN (SELECT backtest_id FROM run_details WHERE sweep_id = $1)',
        values: [sweepId],
      });
      const sweeps = await client.query({ text: 'DELETE FROM sweeps WHERE sweep_id = $1', values: [sweepId] });
      await client.query({ text: 'DELETE FROM sweep_overfit WHERE sweep_id = $1', values: [sweepId] });
      if ((sweeps.rowCount ?? 0) === 0 && (runs.rowCount ?? 0) === 0) {
        throw new StoreError(`database ${this.connection.location} has no sweep ${sweepId}`);
      }
      return runs.rowCount ?? 0;
    });
  }
}
