/**
 * A parameter sweep as a stored record: what it runs (so it can be resumed or re-run) and
 * how far it got. Database-neutral; each store keeps the definition as JSON.
 */
import { StoreError } from '../core/errors.js';
import type { BacktestConfig } from '../core/config.js';
import type { BarsFingerprint } from '../core/result.js';
import type { ParamValue } from '../core/strategy.js';

/** Where a sweep stands. */
export const SweepStatus = {
  Running: 'running',
  Completed: 'completed',
  Interrupted: 'interrupted',
} as const;
export type SweepStatus = (typeof SweepStatus)[keyof typeof SweepStatus];

/** Everything that defines a sweep's runs. */
export interface SweepDefinition {
  readonly sweepId: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** A built-in's name, or a module's name with its absolute path and SHA-256. */
  readonly strategy: {
    readonly name: string;
    readonly module?: { readonly path: string; readonly sha256: string } | undefined;
  };
  /** `--grid` flags as given (`fast=5..50:5`). */
  readonly grid: readonly string[];
  /** The `--where` expression, if any. */
  readonly where?: string | undefined;
  /** `--param` values fixed for every combination. */
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  /** The bars every run used. */
  readonly bars: BarsFingerprint;
  /**
   * For a sweep split with `--oos-from`/`--oos-fraction`: the time of its first out-of-sample
   * bar, unix ms. Every run's metrics are then its in-sample part's, and its out-of-sample part
   * is stored beside them; `sweeps resume` splits the runs it adds at the same bar.
   */
  readonly outOfSampleFromMs?: number | undefined;
  /** The bars file, when they came from one (absolute path), as a hint for `sweeps resume`. */
  readonly dataFile?: string | undefined;
  /**
   * How that file was read (`--adjusted`, `--tz`), when not as is: `sweeps resume` reads it (or
   * its `--data`) the same way, or the bars would not be the ones the sweep ran on.
   */
  readonly dataFileOptions?: { readonly adjusted?: boolean | undefined; readonly tz?: string | undefined } | undefined;
  /** Cash, costs, sizing, fill timing: the config shared by every run. */
  readonly config: Omit<BacktestConfig, 'strategy'>;
  /** Notes stored with every run. */
  readonly notes?: string | undefined;
  /**
   * The period grid every run's returns are stored on (for `backtest overfit`): the bars' returns
   * in consecutive groups of `barsPerPeriod`, `periodCount` groups. Absent for sweeps stored
   * before period returns were kept.
   */
  readonly periodGrid?: { readonly barsPerPeriod: number; readonly periodCount: number } | undefined;
}

/** A stored sweep: its definition and progress. */
export interface SweepRecord {
  readonly definition: SweepDefinition;
  readonly status: SweepStatus;
  /** Combinations the grid leaves after checks and `--where`. */
  readonly planned: number;
  /** Runs finished (saved or failed). */
  readonly done: number;
  readonly failed: number;
  /** Unix milliseconds. */
  readonly createdMs: number;
  /** Unix milliseconds. */
  readonly updatedMs: number;
}

/**
 * True when a sweep stopped before all its runs were done: a resume can finish it.
 *
 * @example
 * if (isPartialSweep(record)) console.log('resume with: backtest sweeps resume', record.definition.sweepId);
 */
export function isPartialSweep(record: Pick<SweepRecord, 'status' | 'planned' | 'done' | 'failed'>): boolean {
  return record.status !== SweepStatus.Completed || record.failed > 0 || record.done < record.planned;
}

/** A `sweeps` row as both stores read it. */
export interface SweepRow {
  readonly sweep_id: string;
  readonly status: SweepStatus;
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly created_ms: number;
  readonly updated_ms: number;
  readonly definition_json: string;
}

/** The record of a `sweeps` row; a `StoreError` naming `location` when its definition is not valid JSON. */
export function sweepFromRow(row: SweepRow, location: string): SweepRecord {
  let definition: SweepDefinition;
  try {
    definition = JSON.parse(row.definition_json) as SweepDefinition;
  } catch (error) {
    throw new StoreError(`database ${location}: the definition of sweep ${row.sweep_id} is not valid JSON`, {
      cause: error,
    });
  }
  return {
    definition,
    status: row.status,
    planned: row.planned,
    done: row.done,
    failed: row.failed,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}
