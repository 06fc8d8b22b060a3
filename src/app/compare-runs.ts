import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import type { BacktestRow, StoredOutOfSample } from '../store/index.js';

/** One metric across the compared runs. */
export interface MetricComparison {
  readonly metric: MetricName;
  /** Values in the order of the runs; null where undefined or not stored. */
  readonly values: readonly (number | null)[];
  /** Ids of the runs holding the best value (ties all count); empty for metrics with no better direction. */
  readonly bestIds: readonly number[];
}

/** A config setting whose value is not the same in every run. */
export interface ConfigDifference {
  /** Dotted path into the config, e.g. `strategy.params.fast`. */
  readonly key: string;
  /** Values in the order of the runs; undefined where the run has no such setting. */
  readonly values: readonly unknown[];
}

/** Runs side by side, as `backtest compare` and the dashboard show them. */
export interface RunComparison {
  readonly runs: readonly BacktestRow[];
  /** The runs' own metrics (the in-sample part's, for a split run). */
  readonly metrics: readonly MetricComparison[];
  /**
   * The out-of-sample metrics of split runs (null for runs that were not split), best marked
   * among the split runs; empty when no run was split.
   */
  readonly oosMetrics: readonly MetricComparison[];
  readonly configDifferences: readonly ConfigDifference[];
}

/**
 * Compares runs metric by metric, marking the best of each in its right direction, and lists
 * the config settings that differ between them.
 *
 * @example
 * const { metrics, configDifferences } = compareRuns([rowA, rowB]);
 */
export function compareRuns(
  runs: readonly BacktestRow[],
  outOfSample: ReadonlyMap<number, StoredOutOfSample> = new Map(),
): RunComparison {
  const compare = (value: (run: BacktestRow, name: MetricName) => unknown) =>
    METRIC_CATALOG.map((info): MetricComparison => {
      const values = runs.map((run) => {
        const v = value(run, info.name);
        return typeof v === 'number' ? v : null;
      });
      const present = values.filter((v): v is number => v !== null);
      if (info.better === undefined || present.length === 0) return { metric: info.name, values, bestIds: [] };
      const best = info.better === 'higher' ? Math.max(...present) : Math.min(...present);
      return { metric: info.name, values, bestIds: runs.filter((_, i) => values[i] === best).map((run) => run.id) };
    });
  const metrics = compare((run, name) => run[name]);
  const split = runs.some((run) => outOfSample.has(run.id));
  const oosMetrics = split ? compare((run, name) => outOfSample.get(run.id)?.metrics[name]) : [];
  return { runs, metrics, oosMetrics, configDifferences: differingSettings(runs) };
}

function differingSettings(runs: readonly BacktestRow[]): ConfigDifference[] {
  const flattened = runs.map((run) => flatten(parseOrEmpty(run.config_json)));
  const identity = runs.map((run) => ({
    model_path: run.model_path ?? undefined,
    symbol: run.symbol,
    timeframe: run.timeframe,
  }));
  const keys = [...new Set([...identity.flatMap(Object.keys), ...flattened.flatMap((f) => [...f.keys()])])];
  const differences: ConfigDifference[] = [];
  for (const key of keys) {
    const values = runs.map((_, i) =>
      key in identity[i]! ? identity[i]![key as keyof (typeof identity)[number]] : flattened[i]!.get(key),
    );
    const first = JSON.stringify(values[0]);
    if (values.some((v) => JSON.stringify(v) !== first)) differences.push({ key, values });
  }
  return differences;
}

function parseOrEmpty(json: string | null): unknown {
  if (json === null) return {};
  try {
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function flatten(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, into);
  } else if (prefix !== '') {
    into.set(prefix, value);
  }
  return into;
}
