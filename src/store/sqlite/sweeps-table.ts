/** Sweeps in a SQLite file: one row per sweep, its definition as JSON. */
import { ConfigError, StoreError } from '../../core/errors.js';
import { canonicalJson } from '../canonical-json.js';
import { type SweepDefinition, type SweepRecord, type SweepRow, SweepStatus, sweepFromRow } from '../sweep-record.js';
import type { SqliteConnection } from './sqlite-connection.js';

const STATUSES = new Set<string>(Object.values(SweepStatus));

/** Sweeps in one SQLite file. */
export class SweepsTable {
  private readonly connection: SqliteConnection;
  private readonly nowMs: () => number;

  constructor(connection: SqliteConnection, nowMs: () => number = Date.now) {
    this.connection = connection;
    this.nowMs = nowMs;
  }

  create(definition: SweepDefinition, planned: number): SweepRecord {
    const json = canonicalJson(definition, 'sweep definition');
    const now = this.nowMs();
    this.connection.write('store a sweep', () => {
      const existing = this.connection.statement('SELECT 1 FROM sweeps WHERE sweep_id = ?').get(definition.sweepId);
      if (existing !== undefined) {
        throw new ConfigError(`sweep ${definition.sweepId} already exists in ${this.connection.path}; pick another id`);
      }
      this.connection
        .statement(
          'INSERT INTO sweeps (sweep_id, symbol, timeframe, status, planned, done, failed, created_ms, updated_ms, definition_json) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?)',
        )
        .run(definition.sweepId, definition.symbol, definition.timeframe, SweepStatus.Running, planned, now, now, json);
    });
    return { definition, status: SweepStatus.Running, planned, done: 0, failed: 0, createdMs: now, updatedMs: now };
  }

  update(
    sweepId: string,
    update: {
      readonly status?: SweepStatus;
      readonly planned?: number;
      readonly done?: number;
      readonly failed?: number;
    },
  ): void {
    if (update.status !== undefined && !STATUSES.has(update.status)) {
      throw new ConfigError(`sweep status "${update.status}" is not one of ${[...STATUSES].join(', ')}`);
    }
    const changed = this.connection.write(
      'update a sweep',
      () =>
        this.connection
          .statement(
            'UPDATE sweeps SET status = coalesce(?, status), planned = coalesce(?, planned), done = coalesce(?, done), failed = coalesce(?, failed), updated_ms = ? WHERE sweep_id = ?',
          )
          .run(
            update.status ?? null,
            update.planned ?? null,
            update.done ?? null,
            update.failed ?? null,
            this.nowMs(),
            sweepId,
          ).changes,
    );
    if (changed === 0) throw new StoreError(`database ${this.connection.path} has no sweep ${sweepId}`);
  }

  find(sweepId: string): SweepRecord | undefined {
    if (!this.connection.hasTable('sweeps')) return undefined;
    const row = this.connection.read('read a sweep', () =>
      this.connection.statement('SELECT * FROM sweeps WHERE sweep_id = ?').get(sweepId),
    ) as SweepRow | undefined;
    return row === undefined ? undefined : sweepFromRow(row, this.connection.path);
  }

  list(status: SweepStatus | undefined): SweepRecord[] {
    if (!this.connection.hasTable('sweeps')) return [];
    if (status !== undefined && !STATUSES.has(status)) {
      throw new ConfigError(`sweep status "${status}" is not one of ${[...STATUSES].join(', ')}`);
    }
    const rows = this.connection.read('list sweeps', () =>
      status === undefined
        ? this.connection.statement('SELECT * FROM sweeps ORDER BY created_ms DESC, sweep_id DESC').all()
        : this.connection
            .statement('SELECT * FROM sweeps WHERE status = ? ORDER BY created_ms DESC, sweep_id DESC')
            .all(status),
    ) as SweepRow[];
    return rows.map((row) => sweepFromRow(row, this.connection.path));
  }

  /** Deletes the sweep row and its runs (their side rows go by trigger); runs deleted. */
  delete(sweepId: string): number {
    return this.connection.write('delete a sweep', () => {
      const runs = this.connection
        .statement('DELETE FROM backtest_results WHERE id IN (SELECT backtest_id FROM run_details WHERE sweep_id = ?)')
        .run(sweepId).changes;
      const sweeps = this.connection.statement('DELETE FROM sweeps WHERE sweep_id = ?').run(sweepId).changes;
      this.connection.statement('DELETE FROM sweep_overfit WHERE sweep_id = ?').run(sweepId);
      if (sweeps === 0 && runs === 0) throw new StoreError(`database ${this.connection.path} has no sweep ${sweepId}`);
      return runs;
    });
  }
}
