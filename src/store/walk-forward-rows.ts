/**
 * Walk-forward groups as both stores keep them (`walk_forwards`, one row per group, and
 * `walk_forward_windows`): the values a window row holds and the record read back from the rows.
 * The stores differ only in how they write the SQL around these.
 */
import { ConfigError, StoreError } from '../core/errors.js';
import { canonicalJson } from './canonical-json.js';
import {
  metricSetJson,
  parseMetricSet,
  parseSummary,
  type WalkForwardDefinition,
  type WalkForwardRecord,
  WalkForwardStatus,
  type WalkForwardUpdate,
  type WalkForwardWindowRecord,
} from './walk-forward-record.js';

/** A `walk_forwards` row as read. */
export interface GroupRow {
  readonly group_id: string;
  readonly status: string;
  readonly window_count: number;
  readonly stitched_run_id: number | null;
  readonly created_ms: number;
  readonly updated_ms: number;
  readonly definition_json: string;
  readonly summary_json: string | null;
}

/** A `walk_forward_windows` row as read (`flat`: SQLite's 0/1 or PostgreSQL's boolean). */
export interface WindowRow {
  readonly window_index: number;
  readonly train_from_ms: number;
  readonly train_to_ms: number;
  readonly test_from_ms: number;
  readonly test_to_ms: number;
  readonly chosen_params_json: string | null;
  readonly is_metrics_json: string | null;
  readonly oos_metrics_json: string | null;
  readonly flat: number | boolean;
}

const STATUSES = new Set<string>(Object.values(WalkForwardStatus));
/** `train_*_ms` of a window whose training span held no bar (the columns are NOT NULL). */
const NO_BAR = -1;

/** A `ConfigError` for a status that is not one. */
export function checkWalkForwardUpdate(update: WalkForwardUpdate): void {
  if (update.status !== undefined && !STATUSES.has(update.status)) {
    throw new ConfigError(`walk-forward status "${update.status}" is not one of ${[...STATUSES].join(', ')}`);
  }
}

/**
 * A window's values after the group id, in column order: window_index, train_from_ms,
 * train_to_ms, test_from_ms, test_to_ms, chosen_params_json, is_metrics_json, oos_metrics_json,
 * flat.
 */
export function windowValues(window: WalkForwardWindowRecord): unknown[] {
  return [
    window.index,
    window.trainFromMs ?? NO_BAR,
    window.trainToMs ?? NO_BAR,
    window.testFromMs,
    window.testToMs,
    window.chosenParams === null ? null : canonicalJson(window.chosenParams, 'chosen parameters'),
    window.inSampleMetrics === null ? null : metricSetJson(window.inSampleMetrics),
    window.outOfSampleMetrics === null ? null : metricSetJson(window.outOfSampleMetrics),
    window.flat,
  ];
}

/**
 * The record of a group's rows; a `StoreError` naming `location` for stored text that is not
 * valid JSON. An unknown status reads as interrupted.
 */
export function walkForwardFromRows(row: GroupRow, windows: readonly WindowRow[], location: string): WalkForwardRecord {
  const parse = <T>(text: string | null, read: (text: string) => T): T | null => {
    if (text === null) return null;
    try {
      return read(text);
    } catch (error) {
      throw new StoreError(`database ${location}: walk-forward ${row.group_id} holds text that is not valid JSON`, {
        cause: error,
      });
    }
  };
  return {
    definition: parse(row.definition_json, (text) => JSON.parse(text)) as WalkForwardDefinition,
    status: (STATUSES.has(row.status) ? row.status : WalkForwardStatus.Interrupted) as WalkForwardStatus,
    windowCount: row.window_count,
    windows: windows.map((w) => ({
      index: w.window_index,
      trainFromMs: w.train_from_ms === NO_BAR ? null : w.train_from_ms,
      trainToMs: w.train_to_ms === NO_BAR ? null : w.train_to_ms,
      testFromMs: w.test_from_ms,
      testToMs: w.test_to_ms,
      chosenParams: parse(w.chosen_params_json, (text) => JSON.parse(text)),
      inSampleMetrics: parse(w.is_metrics_json, parseMetricSet),
      outOfSampleMetrics: parse(w.oos_metrics_json, parseMetricSet),
      flat: w.flat === true || w.flat === 1,
    })),
    stitchedRunId: row.stitched_run_id,
    summary: parse(row.summary_json, parseSummary),
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}

/** The record of a group just created: running, no window yet. */
export function newWalkForward(
  definition: WalkForwardDefinition,
  windowCount: number,
  nowMs: number,
): WalkForwardRecord {
  return {
    definition,
    status: WalkForwardStatus.Running,
    windowCount,
    windows: [],
    stitchedRunId: null,
    summary: null,
    createdMs: nowMs,
    updatedMs: nowMs,
  };
}
