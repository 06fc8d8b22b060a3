import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import { findMetric, type MetricName, RANKABLE_METRICS } from '../../core/metric-catalog.js';
import { METRIC_COLUMN } from './backtest-columns.js';

/**
 * Which runs to look at. Every field narrows the set; strings match exactly (case-sensitive).
 *
 * @example
 * const filter: BacktestFilter = { symbol: 'GOOG', timeframe: '1Day', sinceTimestamp: 1_700_000_000 };
 */
export interface BacktestFilter {
  readonly symbol?: string | undefined;
  readonly timeframe?: string | undefined;
  readonly modelPath?: string | undefined;
  readonly sweepId?: string | undefined;
  readonly strategyName?: string | undefined;
  /** Runs whose config hashes to this value (`config_hash`): same config, different data or time. */
  readonly configHash?: string | undefined;
  /** Runs saved at or after this time, unix seconds. */
  readonly sinceTimestamp?: number | undefined;
}

/** What a list can be sorted by: any metric, the save time, or the id. */
export type BacktestSortKey = MetricName | 'run_timestamp' | 'id';

/**
 * A filter plus paging and order for {@link TradingDatabase.getBacktestResults}.
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

/** A WHERE clause with `?` placeholders and the values that go with them. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Largest `limit` accepted: a guard against loading a huge table into memory by accident. */
export const MAX_LIMIT = 100_000;

const optionalText = z.string().optional();
const filterShape = {
  symbol: optionalText,
  timeframe: optionalText,
  modelPath: optionalText,
  sweepId: optionalText,
  strategyName: optionalText,
  configHash: optionalText,
  sinceTimestamp: z.number().int().optional(),
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

/**
 * Builds the WHERE clause for a filter. Values only ever travel as bound parameters; the
 * column names are fixed strings in this function.
 *
 * @example
 * whereClause({ symbol: "x' OR 1=1 --" }); // { sql: 'WHERE symbol = ?', params: ["x' OR 1=1 --"] }
 */
export function whereClause(filter: BacktestFilter, extra: readonly string[] = []): SqlFragment {
  const f = check(filterSchema, filter, 'backtest filter');
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    clauses.push(sql);
    params.push(value);
  };
  if (f.symbol !== undefined) add('symbol = ?', f.symbol);
  if (f.timeframe !== undefined) add('timeframe = ?', f.timeframe);
  if (f.modelPath !== undefined) add('model_path = ?', f.modelPath);
  if (f.sweepId !== undefined) add('sweep_id = ?', f.sweepId);
  if (f.strategyName !== undefined) add('strategy_name = ?', f.strategyName);
  if (f.configHash !== undefined) add('config_hash = ?', f.configHash);
  if (f.sinceTimestamp !== undefined) add('run_timestamp >= ?', f.sinceTimestamp);
  clauses.push(...extra);
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

/** Splits a query into its filter and its checked paging and ORDER BY clause. */
export function listClauses(query: BacktestQuery): {
  filter: BacktestFilter;
  orderBy: string;
  limit: number;
  offset: number;
} {
  const q = check(querySchema, query, 'backtest query');
  const { limit = 100, offset = 0, sort = 'run_timestamp', order, ...filter } = q;
  return { filter, orderBy: orderByClause(sort, order), limit, offset };
}

/** ORDER BY for a sort key; the key is looked up in a whitelist, never spliced. */
export function orderByClause(sort: string, order: 'asc' | 'desc' | undefined): string {
  if (sort === 'run_timestamp' || sort === 'id') {
    const direction = order === 'asc' ? 'ASC' : 'DESC';
    return sort === 'id' ? `ORDER BY id ${direction}` : `ORDER BY run_timestamp ${direction}, id ${direction}`;
  }
  const info = findMetric(sort);
  if (info === undefined) {
    throw new ConfigError(
      `cannot sort by "${sort}": not a metric; choose run_timestamp, id or one of: ${Object.keys(METRIC_COLUMN).join(', ')}`,
    );
  }
  const column = METRIC_COLUMN[info.name];
  const bestFirst = info.better === 'lower' ? 'ASC' : 'DESC';
  const direction = order === undefined ? bestFirst : order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${column} ${direction} NULLS LAST, run_timestamp DESC, id DESC`;
}

/**
 * Checks that `metric` can be ranked and returns its column and best-first ORDER BY; a
 * {@link ConfigError} listing the valid names otherwise, before any SQL exists.
 *
 * `max_drawdown` ranks by closeness to zero (`abs()`), so it is right whether a file stores
 * drawdowns as negative (this tool) or positive (some older tools) percentages.
 */
export function rankClause(metric: unknown): { column: string; orderBy: string } {
  const name = typeof metric === 'string' ? metric : String(metric);
  const info = findMetric(name);
  const valid = RANKABLE_METRICS.join(', ');
  if (info === undefined) throw new ConfigError(`unknown metric "${name}"; choose one of: ${valid}`);
  if (info.better === undefined) {
    throw new ConfigError(`metric "${name}" cannot be ranked (it does not measure quality); choose one of: ${valid}`);
  }
  const column = METRIC_COLUMN[info.name];
  const key =
    info.name === 'max_drawdown' ? `abs(${column}) ASC` : `${column} ${info.better === 'lower' ? 'ASC' : 'DESC'}`;
  return { column, orderBy: `ORDER BY ${key}, run_timestamp DESC, id DESC` };
}
