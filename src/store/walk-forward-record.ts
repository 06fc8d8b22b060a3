/**
 * Walk-forward groups as stored: the definition (enough to run it again), status, each window's
 * ranges, chosen parameters and metrics, and a summary of the stitched out-of-sample run. The
 * runs themselves (training runs and the stitched run) are ordinary runs linked to the group by
 * `walk_forward_id` (see `WalkForwardLink`).
 */
import type { BacktestConfig } from '../core/config.js';
import type { MetricName } from '../core/metric-catalog.js';
import type { BarsFingerprint } from '../core/result.js';
import type { ParamValue } from '../core/strategy.js';

/** Where a walk-forward is: running, done, or stopped (Ctrl-C, a failed save) with the finished windows kept. */
export const WalkForwardStatus = { Running: 'running', Completed: 'completed', Interrupted: 'interrupted' } as const;
export type WalkForwardStatus = (typeof WalkForwardStatus)[keyof typeof WalkForwardStatus];

/** A metric set as stored with a window: every metric by name, `null` where undefined. */
export type StoredMetricSet = Readonly<Partial<Record<MetricName, number | null>>>;

/** Everything that decides a walk-forward's numbers, stored as JSON with the group. */
export interface WalkForwardDefinition {
  /** `wf-YYYYMMDD-HHMMSS-xxxxxx`. */
  readonly groupId: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** A built-in's name, or a module's name with its absolute path and SHA-256. */
  readonly strategy: {
    readonly name: string;
    readonly module?: { readonly path: string; readonly sha256: string } | undefined;
  };
  /** `--grid` flags as given. */
  readonly grid: readonly string[];
  readonly where?: string | undefined;
  /** `--param` values fixed for every configuration. */
  readonly fixedParams: Readonly<Record<string, ParamValue>>;
  /** The metric each window's best configuration is chosen by. */
  readonly metric: MetricName;
  /** Configurations with fewer closed training trades are not chosen. */
  readonly minTrades: number;
  /** `--train`, `--test` and `--step` as given (`2y`, `6mo`, `500bars`). */
  readonly train: string;
  readonly test: string;
  readonly step: string;
  readonly anchored: boolean;
  /** Every bar the walk-forward read (training, warm-up and test spans). */
  readonly bars: BarsFingerprint;
  /** The bars file, when they came from one (absolute path): a hint for `rerun`. */
  readonly dataFile?: string | undefined;
  /** Cash, costs, sizing, fill timing: shared by every run. */
  readonly config: Omit<BacktestConfig, 'strategy'>;
  readonly notes?: string | undefined;
}

/** One window of a stored walk-forward. Times are the first and last bar of each span, unix ms. */
export interface WalkForwardWindowRecord {
  /** 0 for the first window. */
  readonly index: number;
  /** First and last training bar; both `null` for a window whose training span held no bar. */
  readonly trainFromMs: number | null;
  readonly trainToMs: number | null;
  /** First and last test bar. */
  readonly testFromMs: number;
  readonly testToMs: number;
  /** The configuration chosen on the training span; `null` for a flat window. */
  readonly chosenParams: Readonly<Record<string, ParamValue>> | null;
  /** Its metrics on the training span; `null` for a flat window. */
  readonly inSampleMetrics: StoredMetricSet | null;
  /** Its metrics on the test span (warm-up, then flat with the cash); `null` for a flat window. */
  readonly outOfSampleMetrics: StoredMetricSet | null;
  /** No configuration passed `--min-trades` (or had a value of the metric): the test span stayed flat. */
  readonly flat: boolean;
}

/** What a finished walk-forward adds to its record. */
export interface WalkForwardSummary {
  /** The stitched out-of-sample run's metrics (as saved with that run). */
  readonly stitchedMetrics: StoredMetricSet;
  /** Annualized out-of-sample return (the stitched run's CAGR), % per year. */
  readonly outOfSampleAnnualReturn: number | null;
  /** Mean over the windows that chose a configuration of its in-sample CAGR, % per year. */
  readonly inSampleAnnualReturn: number | null;
  /** `outOfSampleAnnualReturn / inSampleAnnualReturn`; `null` unless both exist and the divisor is above 0. */
  readonly efficiency: number | null;
  /** Buy and hold over the stitched bars from the initial cash, at the stored stitched curve's times (for charts). */
  readonly buyAndHold: { readonly timeMs: readonly number[]; readonly equity: readonly number[] };
}

/** A stored walk-forward. */
export interface WalkForwardRecord {
  readonly definition: WalkForwardDefinition;
  readonly status: WalkForwardStatus;
  /** Windows planned. */
  readonly windowCount: number;
  /** Windows finished (stored). */
  readonly windows: readonly WalkForwardWindowRecord[];
  /** The stitched out-of-sample run, once saved. */
  readonly stitchedRunId: number | null;
  readonly summary: WalkForwardSummary | null;
  /** Unix ms. */
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** What `updateWalkForward` may change. */
export interface WalkForwardUpdate {
  readonly status?: WalkForwardStatus | undefined;
  readonly stitchedRunId?: number | undefined;
  readonly summary?: WalkForwardSummary | undefined;
}

/**
 * True for a group that stopped before every window finished.
 *
 * @example
 * if (isPartialWalkForward(record)) console.log('partial');
 */
export function isPartialWalkForward(record: Pick<WalkForwardRecord, 'status' | 'windows' | 'windowCount'>): boolean {
  return record.status !== WalkForwardStatus.Completed || record.windows.length < record.windowCount;
}

/**
 * JSON text of a metric set: ±Infinity (a profit factor with no losing trade) as the strings
 * `"Infinity"` and `"-Infinity"`, which JSON cannot hold as numbers; {@link parseMetricSet} reads it back.
 *
 * @example
 * metricSetJson({ profit_factor: Infinity }); // '{"profit_factor":"Infinity"}'
 */
export function metricSetJson(metrics: StoredMetricSet): string {
  const out: Record<string, number | string | null> = {};
  for (const [name, value] of Object.entries(metrics)) {
    out[name] =
      value === Number.POSITIVE_INFINITY
        ? 'Infinity'
        : value === Number.NEGATIVE_INFINITY
          ? '-Infinity'
          : (value ?? null);
  }
  return JSON.stringify(out);
}

/** A metric set from {@link metricSetJson} text; anything that is not a number (or ±Infinity) reads as `null`. */
export function parseMetricSet(text: string): StoredMetricSet {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const out: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(parsed)) {
    out[name] =
      value === 'Infinity'
        ? Number.POSITIVE_INFINITY
        : value === '-Infinity'
          ? Number.NEGATIVE_INFINITY
          : typeof value === 'number'
            ? value
            : null;
  }
  return out as StoredMetricSet;
}

/** A summary as JSON text (its metric set with ±Infinity as strings). */
export function summaryJson(summary: WalkForwardSummary): string {
  return JSON.stringify({ ...summary, stitchedMetrics: JSON.parse(metricSetJson(summary.stitchedMetrics)) });
}

/** A summary from {@link summaryJson} text. */
export function parseSummary(text: string): WalkForwardSummary {
  const parsed = JSON.parse(text) as WalkForwardSummary;
  return { ...parsed, stitchedMetrics: parseMetricSet(JSON.stringify(parsed.stitchedMetrics)) };
}
