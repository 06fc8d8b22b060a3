/** Walk-forward groups in a SQLite file: `walk_forwards` (one row per group) and `walk_forward_windows`. */
import { ConfigError, StoreError } from '../../core/errors.js';
import { canonicalJson } from '../canonical-json.js';
import {
  metricSetJson,
  parseMetricSet,
  parseSummary,
  summaryJson,
  type WalkForwardDefinition,
  type WalkForwardRecord,
  WalkForwardStatus,
  type WalkForwardUpdate,
  type WalkForwardWindowRecord,
} from '../walk-forward-record.js';
import type { SqliteConnection } from './sqlite-connection.js';

interface GroupRow {
  group_id: string;
  status: string;
  window_count: number;
  stitched_run_id: number | null;
  created_ms: number;
  updated_ms: number;
  definition_json: string;
  summary_json: string | null;
}

interface WindowRow {
  window_index: number;
  train_from_ms: number;
  train_to_ms: number;
  test_from_ms: number;
  test_to_ms: number;
  chosen_params_json: string | null;
  is_metrics_json: string | null;
  oos_metrics_json: string | null;
  flat: number;
}

const STATUSES = new Set<string>(Object.values(WalkForwardStatus));
/** `train_*_ms` of a window whose training span held no bar (the columns are NOT NULL). */
const NO_BAR = -1;

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
    return {
      definition,
      status: WalkForwardStatus.Running,
      windowCount,
      windows: [],
      stitchedRunId: null,
      summary: null,
      createdMs: now,
      updatedMs: now,
    };
  }

  saveWindow(groupId: string, window: WalkForwardWindowRecord): void {
    this.connection.write('store a walk-forward window', () => {
      this.requireGroup(groupId);
      this.connection
        .statement(
          'INSERT OR REPLACE INTO walk_forward_windows (group_id, window_index, train_from_ms, train_to_ms, test_from_ms, test_to_ms, chosen_params_json, is_metrics_json, oos_metrics_json, flat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          groupId,
          window.index,
          window.trainFromMs ?? NO_BAR,
          window.trainToMs ?? NO_BAR,
          window.testFromMs,
          window.testToMs,
          window.chosenParams === null ? null : canonicalJson(window.chosenParams, 'chosen parameters'),
          window.inSampleMetrics === null ? null : metricSetJson(window.inSampleMetrics),
          window.outOfSampleMetrics === null ? null : metricSetJson(window.outOfSampleMetrics),
          window.flat ? 1 : 0,
        );
      this.connection
        .statement('UPDATE walk_forwards SET updated_ms = ? WHERE group_id = ?')
        .run(this.nowMs(), groupId);
    });
  }

  update(groupId: string, update: WalkForwardUpdate): void {
    if (update.status !== undefined && !STATUSES.has(update.status)) {
      throw new ConfigError(`walk-forward status "${update.status}" is not one of ${[...STATUSES].join(', ')}`);
    }
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
      return row === undefined ? undefined : this.toRecord(row, this.windows(groupId));
    });
  }

  /** Every group, newest first, with its windows. */
  list(): WalkForwardRecord[] {
    if (!this.connection.hasTable('walk_forwards')) return [];
    return this.connection.read('list walk-forwards', () => {
      const rows = this.connection
        .statement('SELECT * FROM walk_forwards ORDER BY created_ms DESC, group_id DESC')
        .all() as GroupRow[];
      return rows.map((row) => this.toRecord(row, this.windows(row.group_id)));
    });
  }

  private requireGroup(groupId: string): void {
    if (this.connection.statement('SELECT 1 FROM walk_forwards WHERE group_id = ?').get(groupId) === undefined) {
      throw new StoreError(`database ${this.connection.path} has no walk-forward ${groupId}`);
    }
  }

  private windows(groupId: string): WalkForwardWindowRecord[] {
    const rows = this.connection
      .statement('SELECT * FROM walk_forward_windows WHERE group_id = ? ORDER BY window_index')
      .all(groupId) as WindowRow[];
    return rows.map((row) => ({
      index: row.window_index,
      trainFromMs: row.train_from_ms === NO_BAR ? null : row.train_from_ms,
      trainToMs: row.train_to_ms === NO_BAR ? null : row.train_to_ms,
      testFromMs: row.test_from_ms,
      testToMs: row.test_to_ms,
      chosenParams: this.parse(row.chosen_params_json, groupId, (text) => JSON.parse(text)),
      inSampleMetrics: this.parse(row.is_metrics_json, groupId, parseMetricSet),
      outOfSampleMetrics: this.parse(row.oos_metrics_json, groupId, parseMetricSet),
      flat: row.flat !== 0,
    }));
  }

  private parse<T>(text: string | null, groupId: string, read: (text: string) => T): T | null {
    if (text === null) return null;
    try {
      return read(text);
    } catch (error) {
      throw new StoreError(
        `database ${this.connection.path}: walk-forward ${groupId} holds text that is not valid JSON`,
        {
          cause: error,
        },
      );
    }
  }

  private toRecord(row: GroupRow, windows: WalkForwardWindowRecord[]): WalkForwardRecord {
    const definition = this.parse(row.definition_json, row.group_id, (text) =>
      JSON.parse(text),
    ) as WalkForwardDefinition;
    return {
      definition,
      status: (STATUSES.has(row.status) ? row.status : WalkForwardStatus.Interrupted) as WalkForwardStatus,
      windowCount: row.window_count,
      windows,
      stitchedRunId: row.stitched_run_id,
      summary: this.parse(row.summary_json, row.group_id, parseSummary),
      createdMs: row.created_ms,
      updatedMs: row.updated_ms,
    };
  }
}
