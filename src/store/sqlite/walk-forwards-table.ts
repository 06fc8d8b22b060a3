/** Walk-forward groups in a SQLite file: `walk_forwards` (one row per group) and `walk_forward_windows`. */
import { ConfigError, StoreError } from '../../core/errors.js';
import { canonicalJson } from '../canonical-json.js';
import {
  summaryJson,
  type WalkForwardDefinition,
  type WalkForwardRecord,
  WalkForwardStatus,
  type WalkForwardUpdate,
  type WalkForwardWindowRecord,
} from '../walk-forward-record.js';
import {
  checkWalkForwardUpdate,
  type GroupRow,
  newWalkForward,
  type WindowRow,
  walkForwardFromRows,
  windowValues,
} from '../walk-forward-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** Walk-forward groups in one SQLite file. */
export class WalkForwardsTable {
  private readonly connection: SqliteConnection;
  private readonly nowMs: () => number;

  constructor(connection: SqliteConnection, nowMs: () => number = Date.now) {
    this.connection = connection;
    this.nowMs = nowMs;
  }

  create(definition: WalkForwardDefinition, windowCount: number): WalkForwardRecord {
    const json = canonicalJson(definition, 'walk-forward definition');
    const now = this.nowMs();
    this.connection.write('store a walk-forward', () => {
      const existing = this.connection
        .statement('SELECT 1 FROM walk_forwards WHERE group_id = ?')
        .get(definition.groupId);
      if (existing !== undefined) {
        throw new ConfigError(
          `walk-forward ${definition.groupId} already exists in ${this.connection.path}; pick another id`,
        );
      }
      this.connection
        .statement(
          'INSERT INTO walk_forwards (group_id, symbol, timeframe, strategy, status, window_count, stitched_run_id, created_ms, updated_ms, definition_json, summary_json) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL)',
        )
        .run(
          definition.groupId,
          definition.symbol,
          definition.timeframe,
          definition.strategy.name,
          WalkForwardStatus.Running,
          windowCount,
          now,
          now,
          json,
        );
    });
    return newWalkForward(definition, windowCount, now);
  }

  saveWindow(groupId: string, window: WalkForwardWindowRecord): void {
    this.connection.write('store a walk-forward window', () => {
      this.requireGroup(groupId);
      this.connection
        .statement(
          'INSERT OR REPLACE INTO walk_forward_windows (group_id, window_index, train_from_ms, train_to_ms, test_from_ms, test_to_ms, chosen_params_json, is_metrics_json, oos_metrics_json, flat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        // SQLite stores the flag as 0 or 1.
        .run(groupId, ...windowValues(window).map((value) => (typeof value === 'boolean' ? Number(value) : value)));
      this.connection
        .statement('UPDATE walk_forwards SET updated_ms = ? WHERE group_id = ?')
        .run(this.nowMs(), groupId);
    });
  }

  update(groupId: string, update: WalkForwardUpdate): void {
    checkWalkForwardUpdate(update);
    const summary = update.summary === undefined ? null : summaryJson(update.summary);
    const changed = this.connection.write(
      'update a walk-forward',
      () =>
        this.connection
          .statement(
            'UPDATE walk_forwards SET status = coalesce(?, status), stitched_run_id = coalesce(?, stitched_run_id), summary_json = coalesce(?, summary_json), updated_ms = ? WHERE group_id = ?',
          )
          .run(update.status ?? null, update.stitchedRunId ?? null, summary, this.nowMs(), groupId).changes,
    );
    if (changed === 0) throw new StoreError(`database ${this.connection.path} has no walk-forward ${groupId}`);
  }

  find(groupId: string): WalkForwardRecord | undefined {
    if (!this.connection.hasTable('walk_forwards')) return undefined;
    return this.connection.read('read a walk-forward', () => {
      const row = this.connection.statement('SELECT * FROM walk_forwards WHERE group_id = ?').get(groupId) as
        | GroupRow
        | undefined;
      return row === undefined ? undefined : walkForwardFromRows(row, this.windows(groupId), this.connection.path);
    });
  }

  /** Every group, newest first, with its windows. */
  list(): WalkForwardRecord[] {
    if (!this.connection.hasTable('walk_forwards')) return [];
    return this.connection.read('list walk-forwards', () => {
      const rows = this.connection
        .statement('SELECT * FROM walk_forwards ORDER BY created_ms DESC, group_id DESC')
        .all() as GroupRow[];
      return rows.map((row) => walkForwardFromRows(row, this.windows(row.group_id), this.connection.path));
    });
  }

  private requireGroup(groupId: string): void {
    if (this.connection.statement('SELECT 1 FROM walk_forwards WHERE group_id = ?').get(groupId) === undefined) {
      throw new StoreError(`database ${this.connection.path} has no walk-forward ${groupId}`);
    }
  }

  private windows(groupId: string): WindowRow[] {
    return this.connection
      .statement('SELECT * FROM walk_forward_windows WHERE group_id = ? ORDER BY window_index')
      .all(groupId) as WindowRow[];
  }
}
