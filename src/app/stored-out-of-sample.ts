/**
 * Stored runs with their out-of-sample part, as commands and pages show them: `--json` rows
 * carry `oos` and `oos_metrics` (both `null` for a run that was not split).
 */
import type { MetricName } from '../core/metric-catalog.js';
import type { BacktestRow, StoredOutOfSample } from '../store/index.js';

/** Where a split run's out-of-sample part lies, in the names `--json` and exports use. */
export interface OutOfSampleJson {
  /** First out-of-sample bar, unix ms. */
  readonly from_ms: number;
  /** Last out-of-sample bar, unix ms. */
  readonly to_ms: number;
  readonly bars_count: number;
  readonly bars_sha256: string;
  readonly out_of_money_time_ms: number | null;
}

/**
 * A stored run for `--json`: every field of its row, then `oos` and `oos_metrics`.
 *
 * @example
 * toJsonText(rows.map((row) => runJson(row, outOfSample.get(row.id))));
 */
export function runJson(
  row: BacktestRow,
  oos: StoredOutOfSample | undefined,
): BacktestRow & {
  readonly oos: OutOfSampleJson | null;
  readonly oos_metrics: Readonly<Record<MetricName, number | null>> | null;
} {
  return {
    ...row,
    oos:
      oos === undefined
        ? null
        : {
            from_ms: oos.fromMs,
            to_ms: oos.toMs,
            bars_count: oos.barsCount,
            bars_sha256: oos.barsSha256,
            out_of_money_time_ms: oos.outOfMoneyTimeMs,
          },
    oos_metrics: oos?.metrics ?? null,
  };
}
