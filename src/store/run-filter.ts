/**
 * Which runs a query looks at, checked before any store sees it. Database-neutral: each store
 * turns a {@link CheckedFilter} into its own SQL, with values always bound, never spliced.
 */
import { z } from 'zod';
import { canonicalTimeframe, timeframeAliases } from '../core/timeframe.js';
import { ConfigError } from '../core/errors.js';
import { findMetric, type MetricName, RANKABLE_METRICS } from '../core/metric-catalog.js';
import { METRIC_COLUMN } from './run-row.js';

/**
 * How to recognise one model among stored runs: a run matches when its `model_path` equals one
 * of `paths`, or ends in `/fileName` (or is exactly it), or its `model_sha256` starts with
 * `sha256Prefix`. Build it with `modelFilterFor` in the app layer, which resolves a path the
 * user typed and hashes the file, so `models/x.onnx` and `/abs/models/x.onnx` are one model.
 */
export interface ModelFilter {
  readonly paths?: readonly string[] | undefined;
  readonly fileName?: string | undefined;
  /** Lower-case hex, 1 to 64 digits. */
  readonly sha256Prefix?: string | undefined;
}

/**
 * Which runs to look at. Every field narrows the set.
 *
 * @example
 * const filter: BacktestFilter = { symbol: 'goog', timeframe: '1d', sinceTimestamp: 1_700_000_000 };
 */
export interface BacktestFilter {
  /** Matched case-insensitively. */
  readonly symbol?: string | undefined;
  /** Any accepted spelling (`1Hour`, `1h`, `60Min`): matches rows stored with any spelling of it. */
  readonly timeframe?: string | undefined;
  /**
   * A model: a path (matched as given), a bare file name (matched against the file name of
   * stored paths), a SHA-256 prefix (6 or more hex digits), or a {@link ModelFilter}.
   */
  readonly modelPath?: string | ModelFilter | undefined;
  readonly sweepId?: string | undefined;
  readonly strategyName?: string | undefined;
  /** Runs whose config hashes to this value (`config_hash`): same config, different data or time. */
  readonly configHash?: string | undefined;
  /** Runs saved at or after this time, unix seconds. */
  readonly sinceTimestamp?: number | undefined;
  /** Runs with at least this many closed trades (out-of-sample trades with `sample: 'oos'`). */
  readonly minTrades?: number | undefined;
  /** Runs of this walk-forward group (its stitched run; its training runs too with `includeTraining`). */
  readonly walkForwardId?: string | undefined;
  /**
   * Include walk-forward training runs (the runs of each window's grid); default false: they are
   * kept with their group but left out of lists, counts and rankings.
   */
  readonly includeTraining?: boolean | undefined;
  /**
   * Which metrics `minTrades`, a sort and a ranking read: `is` (default), the run's own metrics,
   * which for a split run are its in-sample part's; `oos`, the out-of-sample part's
   * (`run_oos_metrics`), NULL for runs that were not split.
   */
  readonly sample?: MetricSample | undefined;
}

/** Which part of a split run a ranking reads: in-sample (the run's own metrics) or out-of-sample. */
export type MetricSample = 'is' | 'oos';

/** What a list can be sorted by: any metric, the save time, or the id. */
export type BacktestSortKey = MetricName | 'run_timestamp' | 'id';

/**
 * A filter plus paging and order.
 *
 * @example
 * const query: BacktestQuery = { symbol: 'GOOG', sort: 'sharpe_ratio', limit: 10 };
 */
export interface BacktestQuery extends BacktestFilter {
  /** Most rows returned, 1 to 100,000; default 100. */
  readonly limit?: number | undefined;
  /** Rows skipped first, for paging; default 0. */
  readonly offset?: number | undefined;
  /**
   * A {@link BacktestSortKey}; default `run_timestamp` (newest first). May come straight from
   * user input: anything else is a `ConfigError` listing the valid keys.
   */
  readonly sort?: BacktestSortKey | string | undefined;
  /**
   * Default: best first for a rankable metric (by its direction in `METRIC_CATALOG`), otherwise
   * `desc`. Rows whose sort metric is NULL always come last.
   */
  readonly order?: 'asc' | 'desc' | undefined;
}

/** A filter after checking: symbol upper-cased, timeframe expanded to every stored spelling. */
export interface CheckedFilter {
  readonly symbol?: string | undefined;
  /** Every spelling a stored row may use for the asked timeframe. */
  readonly timeframes?: readonly string[] | undefined;
  readonly model?: ModelFilter | undefined;
  readonly sweepId?: string | undefined;
  readonly strategyName?: string | undefined;
  readonly configHash?: string | undefined;
  readonly sinceTimestamp?: number | undefined;
  readonly minTrades?: number | undefined;
  readonly walkForwardId?: string | undefined;
  /** Resolved: false unless asked. */
  readonly includeTraining: boolean;
  /** Resolved: `is` unless asked. */
  readonly sample: MetricSample;
}

/** A checked sort: the side-table column and its direction. */
export interface CheckedSort {
  /**
   * `run_timestamp`, `id`, or a metric column from `METRIC_COLUMN`; an out-of-sample metric is
   * `oos.` and its column (`oos.sharpe_ratio`).
   */
  readonly column: string;
  readonly direction: 'ASC' | 'DESC';
  /** For `max_drawdown` ranked best first: order by closeness to zero. */
  readonly byMagnitude: boolean;
}

/** A checked list query. */
export interface CheckedQuery {
  readonly filter: CheckedFilter;
  readonly sort: CheckedSort;
  readonly limit: number;
  readonly offset: number;
}

/** Largest `limit` accepted: a guard against loading a huge table into memory by accident. */
export const MAX_LIMIT = 100_000;

const optionalText = z.string().optional();
const modelFilterSchema = z.strictObject({
  paths: z.array(z.string()).optional(),
  fileName: z.string().optional(),
  sha256Prefix: z
    .string()
    .regex(/^[0-9a-f]{1,64}$/, 'sha256Prefix must be lower-case hex')
    .optional(),
});
const filterShape = {
  symbol: optionalText,
  timeframe: optionalText,
  modelPath: z.union([z.string(), modelFilterSchema]).optional(),
  sweepId: optionalText,
  strategyName: optionalText,
  configHash: optionalText,
  sinceTimestamp: z.number().int().optional(),
  minTrades: z.number().int().min(0).optional(),
  walkForwardId: optionalText,
  includeTraining: z.boolean().optional(),
  sample: z.enum(['is', 'oos'], { error: 'sample must be "is" (in-sample) or "oos" (out-of-sample)' }).optional(),
};
const filterSchema = z.strictObject(filterShape);
const querySchema = z.strictObject({
  ...filterShape,
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  offset: z.number().int().min(0).optional(),
  sort: z.string().optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '' : ` ${issue.path.map(String).join('.')}`;
  throw new ConfigError(`invalid ${what}${path}: ${issue?.message ?? 'invalid value'}`);
}

/** Six or more hex digits and nothing else: a SHA-256 prefix rather than a file name. */
const SHA_PREFIX = /^[0-9a-fA-F]{6,64}$/;

/**
 * How a model typed as text is matched when no app layer resolved it: as the path given, as a
 * file name when it has no folder part, and as a SHA-256 prefix when it looks like one.
 *
 * @example
 * modelFilterFromText('GOOG_1Day.onnx'); // { paths: ['GOOG_1Day.onnx'], fileName: 'GOOG_1Day.onnx' }
 */
export function modelFilterFromText(text: string): ModelFilter {
  const hasFolder = /[\\/]/.test(text);
  return {
    paths: [text],
    ...(hasFolder ? {} : { fileName: text }),
    ...(SHA_PREFIX.test(text) ? { sha256Prefix: text.toLowerCase() } : {}),
  };
}

function checkedFilter(f: z.infer<typeof filterSchema>): CheckedFilter {
  const timeframe = f.timeframe === undefined ? undefined : canonicalTimeframe(f.timeframe);
  return {
    symbol: f.symbol?.trim().toUpperCase(),
    timeframes:
      f.timeframe === undefined
        ? undefined
        : timeframe === undefined
          ? [f.timeframe]
          : [...new Set([timeframe, ...timeframeAliases(timeframe), f.timeframe])],
    model: typeof f.modelPath === 'string' ? modelFilterFromText(f.modelPath) : f.modelPath,
    sweepId: f.sweepId,
    strategyName: f.strategyName,
    configHash: f.configHash,
    sinceTimestamp: f.sinceTimestamp,
    minTrades: f.minTrades,
    walkForwardId: f.walkForwardId,
    includeTraining: f.includeTraining ?? false,
    sample: f.sample ?? 'is',
  };
}

/**
 * Checks a filter that may come from user input; a `ConfigError` naming the bad field.
 *
 * @example
 * checkFilter({ symbol: 'goog', timeframe: '1h' }); // { symbol: 'GOOG', timeframes: ['1Hour', '1h', ...] }
 */
export function checkFilter(filter: BacktestFilter): CheckedFilter {
  return checkedFilter(check(filterSchema, filter, 'backtest filter'));
}

/** Checks a list query: filter, paging and sort key. */
export function checkQuery(query: BacktestQuery): CheckedQuery {
  const q = check(querySchema, query, 'backtest query');
  const { limit = 100, offset = 0, sort = 'run_timestamp', order, ...filter } = q;
  const checked = checkedFilter(filter);
  return { filter: checked, sort: sampleSort(checkSort(sort, order), checked.sample), limit, offset };
}

/**
 * A metric sort on the out-of-sample metrics when `sample` is `oos` (its column becomes
 * `oos.<column>`); a sort by time or id, or on the in-sample metrics, as it is.
 */
export function sampleSort<S extends CheckedSort>(sort: S, sample: MetricSample): S {
  if (sample === 'is' || sort.column === 'run_timestamp' || sort.column === 'id') return sort;
  return { ...sort, column: `${OOS_PREFIX}${sort.column}` };
}

/** How an out-of-sample metric is named among the fields a query reads: `oos.sharpe_ratio`. */
export const OOS_PREFIX = 'oos.';

/** A sort key checked against the whitelist; best first for a metric unless `order` says otherwise. */
export function checkSort(sort: string, order: 'asc' | 'desc' | undefined): CheckedSort {
  if (sort === 'run_timestamp' || sort === 'id') {
    return { column: sort, direction: order === 'asc' ? 'ASC' : 'DESC', byMagnitude: false };
  }
  const info = findMetric(sort);
  if (info === undefined) {
    throw new ConfigError(
      `cannot sort by "${sort}": not a metric; choose run_timestamp, id or one of: ${Object.keys(METRIC_COLUMN).join(', ')}`,
    );
  }
  const bestFirst = info.better === 'lower' ? 'ASC' : 'DESC';
  const direction = order === undefined ? bestFirst : order === 'asc' ? 'ASC' : 'DESC';
  return { column: METRIC_COLUMN[info.name], direction, byMagnitude: false };
}

/**
 * Checks that `metric` can be ranked and returns its best-first sort; a {@link ConfigError}
 * listing the valid names otherwise. `max_drawdown` ranks by closeness to zero, so it is right
 * whether a file stores drawdowns as negative (this tool) or positive (some older tools).
 */
export function checkRankMetric(metric: unknown): CheckedSort & { readonly metric: MetricName } {
  const name = typeof metric === 'string' ? metric : String(metric);
  const info = findMetric(name);
  const valid = RANKABLE_METRICS.join(', ');
  if (info === undefined) throw new ConfigError(`unknown metric "${name}"; choose one of: ${valid}`);
  if (info.better === undefined) {
    throw new ConfigError(`metric "${name}" cannot be ranked (it does not measure quality); choose one of: ${valid}`);
  }
  const column = METRIC_COLUMN[info.name];
  if (info.name === 'max_drawdown') return { metric: info.name, column, direction: 'ASC', byMagnitude: true };
  return { metric: info.name, column, direction: info.better === 'lower' ? 'ASC' : 'DESC', byMagnitude: false };
}
