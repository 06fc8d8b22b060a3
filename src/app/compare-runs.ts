import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import type { BacktestRow } from '../store/index.js';

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
  readonly metrics: readonly MetricComparison[];
  readonly configDifferences: readonly ConfigDifference[];
}

/**
 * Compares runs metric by metric, marking the best of each in its right direction, and lists
 * the config settings that differ between them.
 *
 * @example
 * const { metrics, configDifferences } = compareRuns([rowA, rowB]);
 */
export function compareRuns(runs: readonly BacktestRow[]): RunComparison {
  const metrics = METRIC_CATALOG.map((info): MetricComparison => {
    const values = runs.map((run) => {
      const value = run[info.name];
      return typeof value === 'number' ? value : null;
    });
    const present = values.filter((v): v is number => v !== null);
    if (info.better === undefined || present.length === 0) return { metric: info.name, values, bestIds: [] };
    const best = info.better === 'higher' ? Math.max(...present) : Math.min(...present);
    return { metric: info.name, values, bestIds: runs.filter((_, i) => values[i] === best).map((run) => run.id) };
  });
  return { runs, metrics, configDifferences: differingSettings(runs) };
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
