/**
 * Walk-forward groups in PostgreSQL: `walk_forwards` (one row per group) and
 * `walk_forward_windows`, as in SQLite (`../sqlite/walk-forwards-table.ts`).
 */
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
import type { PostgresConnection } from './postgres-connection.js';

const GROUP_COLUMNS =
  'group_id, status, window_count, stitched_run_id, created_ms, updated_ms, definition_json, summary_json';
const WINDOW_COLUMNS =
  'group_id, window_index, train_from_ms, train_to_ms, test_from_ms, test_to_ms, chosen_params_json, is_metrics_json, oos_metrics_json, flat';

/** Walk-forward groups in one PostgreSQL database. */
export class PostgresWalkForwards {
  private readonly connection: PostgresConnection;
  private readonly nowMs: () => number;

  constructor(connection: PostgresConnection, nowMs: () => number = Date.now) {
    this.connection = connection;
    this.nowMs = nowMs;
  }

  async create(definition: WalkForwardDefinition, windowCount: number): Promise<WalkForwardRecord> {
    this.connection.checkWritable('store a walk-forward');
    const json = canonicalJson(definition, 'walk-forward definition');
    const now = this.nowMs();
    const inserted = await this.connection.query(
      'store a walk-forward',
      {
        text: 'INSERT INTO walk_forwards (group_id, symbol, timeframe, strategy, status, window_count, stitched_run_id, created_ms, updated_ms, definition_json, summary_json) VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::integer, NULL, $7::bigint, $7::bigint, $8::text, NULL) ON CONFLICT (group_id) DO NOTHING',
        values: [
          definition.groupId,
          definition.symbol,
          definition.timeframe,
          definition.strategy.name,
          WalkForwardStatus.Running,
          windowCount,
          now,
          json,
        ],
      },
      { write: true },
    );
    if (inserted.rowCount === 0) {
      throw new ConfigError(
        `walk-forward ${definition.groupId} already exists in ${this.connection.location}; pick another id`,
      );
    }
    return newWalkForward(definition, windowCount, now);
  }

  /** Stores (or replaces) one window, and touches its group, in one statement. */
  async saveWindow(groupId: string, window: WalkForwardWindowRecord): Promise<void> {
    this.connection.checkWritable('store a walk-forward window');
    const values = [groupId, ...windowValues(window), this.nowMs()];
    // The group's row is updated first (locking it), and the window is inserted only if it exists.
    const result = await this.connection.query<{ group_id: string }>(
      'store a walk-forward window',
      {
        text: `WITH g AS (UPDATE walk_forwards SET updated_ms = $11::bigint WHERE group_id = $1::text RETURNING group_id)
          INSERT INTO walk_forward_windows (${WINDOW_COLUMNS})
          SELECT g.group_id, $2::integer, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::text, $8::text, $9::text, $10::boolean FROM g
          ON CONFLICT (group_id, window_index) DO UPDATE SET train_from_ms = EXCLUDED.train_from_ms,
            train_to_ms = EXCLUDED.train_to_ms, test_from_ms = EXCLUDED.test_from_ms, test_to_ms = EXCLUDED.test_to_ms,
            chosen_params_json = EXCLUDED.chosen_params_json, is_metrics_json = EXCLUDED.is_metrics_json,
            oos_metrics_json = EXCLUDED.oos_metrics_json, flat = EXCLUDED.flat
          RETURNING group_id`,
        values,
      },
      { write: true },
    );
    if (result.rowCount === 0) {
      throw new StoreError(`database ${this.connection.location} has no walk-forward ${groupId}`);
    }
  }

  async update(groupId: string, update: WalkForwardUpdate): Promise<void> {
    checkWalkForwardUpdate(update);
    this.connection.checkWritable('update a walk-forward');
    const summary = update.summary === undefined ? null : summaryJson(update.summary);
    const result = await this.connection.query(
      'update a walk-forward',
      {
        text: 'UPDATE walk_forwards SET status = coalesce($1::text, status), stitched_run_id = coalesce($2::bigint, stitched_run_id), summary_json = coalesce($3::text, summary_json), updated_ms = $4::bigint WHERE group_id = $5::text',
        values: [update.status ?? null, update.stitchedRunId ?? null, summary, this.nowMs(), groupId],
      },
      { write: true },
    );
    if (result.rowCount === 0) {
      throw new StoreError(`database ${this.connection.location} has no walk-forward ${groupId}`);
    }
  }

  async find(groupId: string): Promise<WalkForwardRecord | undefined> {
    if (!this.connection.hasWalkForwardTables) return undefined;
    return this.connection.read('read a walk-forward', async (client) => {
      const groups = await client.query<GroupRow>({
        text: `SELECT ${GROUP_COLUMNS} FROM walk_forwards WHERE group_id = $1`,
        values: [groupId],
      });
      const row = groups.rows[0];
      if (row === undefined) return undefined;
      const windows = await client.query<WindowRow>({
        text: `SELECT ${WINDOW_COLUMNS} FROM walk_forward_windows WHERE group_id = $1 ORDER BY window_index`,
        values: [groupId],
      });
      return walkForwardFromRows(row, windows.rows, this.connection.location);
    });
  }

  /** Every group, newest first, with its windows (one snapshot). */
  async list(): Promise<WalkForwardRecord[]> {
    if (!this.connection.hasWalkForwardTables) return [];
    return this.connection.read('list walk-forwards', async (client) => {
      const groups = await client.query<GroupRow>({
        text: `SELECT ${GROUP_COLUMNS} FROM walk_forwards ORDER BY created_ms DESC, group_id DESC`,
      });
      const windows = await client.query<WindowRow & { readonly group_id: string }>({
        text: `SELECT ${WINDOW_COLUMNS} FROM walk_forward_windows ORDER BY group_id, window_index`,
      });
      const byGroup = new Map<string, WindowRow[]>();
      for (const w of windows.rows) {
        const list = byGroup.get(w.group_id) ?? [];
        list.push(w);
        byGroup.set(w.group_id, list);
      }
      return groups.rows.map((row) =>
        walkForwardFromRows(row, byGroup.get(row.group_id) ?? [], this.connection.location),
      );
    });
  }
}
