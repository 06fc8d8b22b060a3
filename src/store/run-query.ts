/**
 * Turns checked filters and sorts into SQL, for both stores: values only ever travel as bound
 * parameters (written `?`; PostgreSQL's caller numbers them), column names come from fixed lists
 * (`RowSource`, `METRIC_COLUMN`). What differs between SQLite and PostgreSQL is a handful of
 * expressions, given by a {@link SqlDialect} (`sqlite/run-query-sql.ts`,
 * `postgres/postgres-run-query.ts`).
 *
 * Each query reads from the narrowest FROM that holds its fields: `backtest_results` alone for
 * the newest runs (its `run_timestamp` index), `run_details` alone for ranking and filtering
 * by symbol and timeframe (its covering index), and the join only when both are needed.
 */
import { LEGACY_FIELDS, type KeyField, type RowSource } from './row-source.js';
import { type CheckedFilter, type CheckedSort, OOS_PREFIX } from './run-filter.js';
import { type BacktestRow, METRIC_COLUMN } from './run-row.js';

/** A field of a run, a key, or an out-of-sample metric (`oos.sharpe_ratio`, from `run_oos_metrics o`). */
export type FieldName = RunField | `${typeof OOS_PREFIX}${string}`;
type RunField = keyof BacktestRow | KeyField;

/** Out-of-sample metric fields a query may name: the whitelist of their columns. */
const OOS_FIELDS = new Set<string>(Object.values(METRIC_COLUMN).map((column) => `${OOS_PREFIX}${column}`));

/** The training-run condition's role value; see {@link QueryBuilder.filterConditions}. */
export const TRAINING_ROLE = 'training';

/** The expressions SQLite and PostgreSQL write differently. */
export interface SqlDialect {
  /** `expr` equals one of `values`: the SQL and its parameters. */
  oneOf(expr: string, values: readonly unknown[]): { readonly sql: string; readonly params: readonly unknown[] };
  /** The last `?` characters of `expr` (`substr(x, -n)` in SQLite; a negative start means else in PostgreSQL). */
  lastChars(expr: string): string;
  /** The first `?` characters of `expr`. */
  firstChars(expr: string): string;
  /** A condition that is never true. */
  readonly never: string;
  /** A text parameter where the other side may be a bare NULL (a column this schema lacks). */
  readonly textParam: string;
  /** The null-safe "differs from" operator. */
  readonly distinctFrom: string;
  /** A missing number: PostgreSQL cannot sort by, or take `abs` of, an untyped NULL. */
  readonly nullNumber: string;
}

/** A condition over fields, written with whatever expression the chosen FROM gives each field. */
export interface Condition {
  readonly fields: readonly FieldName[];
  readonly sql: (e: (name: FieldName) => string) => string;
  readonly params: readonly unknown[];
}

/** A planned query: FROM, WHERE and ORDER BY with their parameters, and the id expression. */
export interface PlannedQuery {
  readonly from: string;
  readonly where: string;
  readonly orderBy: string;
  readonly params: readonly unknown[];
  readonly id: string;
  /** Expression of any field in this query's FROM. */
  readonly expr: (name: FieldName) => string;
}

/** The query builder of one dialect. */
export interface QueryBuilder {
  /** The conditions of a filter. */
  filterConditions(filter: CheckedFilter): Condition[];
  /**
   * Plans a query over `conditions`, ordered by `sort` (then newest first), choosing the FROM.
   * `selected`: fields the query reads besides those it filters and sorts by, which the FROM
   * must hold too (read them with {@link PlannedQuery.expr}).
   */
  planQuery(
    source: RowSource,
    conditions: readonly Condition[],
    sort: CheckedSort | undefined,
    selected?: readonly FieldName[],
  ): PlannedQuery;
}

/**
 * The query builder for `dialect`.
 *
 * @example
 * const { filterConditions, planQuery } = queryBuilder(SQLITE_DIALECT);
 */
export function queryBuilder(dialect: SqlDialect): QueryBuilder {
  return {
    filterConditions: (filter) => filterConditions(filter, dialect),
    planQuery: (source, conditions, sort, selected = []) => planQuery(source, conditions, sort, selected, dialect),
  };
}

function filterConditions(filter: CheckedFilter, dialect: SqlDialect): Condition[] {
  const conditions: Condition[] = [];
  const equal = (field: FieldName, value: unknown): void => {
    conditions.push({ fields: [field], sql: (e) => `${e(field)} = ?`, params: [value] });
  };
  if (filter.symbol !== undefined) equal('symbol_key', filter.symbol);
  if (filter.timeframes !== undefined) {
    const list = filter.timeframes;
    conditions.push({
      fields: ['timeframe_key'],
      sql: (e) => dialect.oneOf(e('timeframe_key'), list).sql,
      params: dialect.oneOf('', list).params,
    });
  }
  if (filter.model !== undefined) {
    const { paths = [], fileName, sha256Prefix } = filter.model;
    const parts: ((e: (name: FieldName) => string) => string)[] = [];
    const params: unknown[] = [];
    if (paths.length > 0) {
      parts.push((e) => dialect.oneOf(e('model_path'), paths).sql);
      params.push(...dialect.oneOf('', paths).params);
    }
    if (fileName !== undefined) {
      // By characters instead of LIKE: file names may hold `_` and `%`, which LIKE treats as wildcards.
      parts.push(
        (e) =>
          `(${e('model_path')} = ? OR ${dialect.lastChars(e('model_path'))} = ? OR ${dialect.lastChars(e('model_path'))} = ?)`,
      );
      params.push(fileName, fileName.length + 1, `/${fileName}`, fileName.length + 1, `\\${fileName}`);
    }
    if (sha256Prefix !== undefined) {
      parts.push((e) => `${dialect.firstChars(e('model_sha256'))} = ?`);
      params.push(sha256Prefix.length, sha256Prefix);
    }
    conditions.push({
      fields: ['model_path', 'model_sha256'],
      sql: (e) => (parts.length === 0 ? dialect.never : `(${parts.map((p) => p(e)).join(' OR ')})`),
      params,
    });
  }
  if (filter.sweepId !== undefined) equal('sweep_id', filter.sweepId);
  if (filter.strategyName !== undefined) equal('strategy_name', filter.strategyName);
  if (filter.configHash !== undefined) equal('config_hash', filter.configHash);
  if (filter.sinceTimestamp !== undefined) {
    const since = filter.sinceTimestamp;
    conditions.push({ fields: ['run_timestamp'], sql: (e) => `${e('run_timestamp')} >= ?`, params: [since] });
  }
  if (filter.minTrades !== undefined && filter.minTrades > 0) {
    const min = filter.minTrades;
    const trades = tradesField(filter);
    conditions.push({ fields: [trades], sql: (e) => `${e(trades)} >= ?`, params: [min] });
  }
  if (filter.walkForwardId !== undefined) {
    const id = filter.walkForwardId;
    conditions.push({
      fields: ['walk_forward_id'],
      sql: (e) => `${e('walk_forward_id')} = ${dialect.textParam}`,
      params: [id],
    });
  }
  if (!filter.includeTraining) {
    // Null-safe: true for NULL (every run not in a walk-forward) as well as for other roles.
    conditions.push({
      fields: ['walk_forward_role'],
      sql: (e) => `${e('walk_forward_role')} ${dialect.distinctFrom} ${dialect.textParam}`,
      params: [TRAINING_ROLE],
    });
  }
  return conditions;
}

/** The trade count `minTrades` reads: the run's own, or its out-of-sample part's. */
export function tradesField(filter: Pick<CheckedFilter, 'sample'>): FieldName {
  return filter.sample === 'oos' ? `${OOS_PREFIX}total_trades` : 'total_trades';
}

/** A condition that a field has a value. */
export function notNull(field: FieldName): Condition {
  return { fields: [field], sql: (e) => `${e(field)} IS NOT NULL`, params: [] };
}

/** A condition written by hand over named fields. */
export function condition(
  fields: readonly FieldName[],
  sql: (e: (name: FieldName) => string) => string,
  params: readonly unknown[] = [],
): Condition {
  return { fields, sql, params };
}

function planQuery(
  source: RowSource,
  conditions: readonly Condition[],
  sort: CheckedSort | undefined,
  selected: readonly FieldName[],
  dialect: SqlDialect,
): PlannedQuery {
  const fields = new Set<FieldName>([...conditions.flatMap((c) => c.fields), ...selected]);
  if (sort !== undefined) {
    fields.add(sort.column as FieldName);
    fields.add('run_timestamp');
    fields.add('id');
  }
  const { from, expr } = chooseFrom(source, fields, dialect);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.map((c) => c.sql(expr)).join(' AND ')}`;
  const params = conditions.flatMap((c) => c.params);
  let orderBy = '';
  if (sort !== undefined) {
    const id = expr('id');
    const time = expr('run_timestamp');
    if (sort.column === 'id') {
      orderBy = `ORDER BY ${id} ${sort.direction}`;
    } else if (sort.column === 'run_timestamp') {
      orderBy = `ORDER BY ${time} ${sort.direction}, ${id} ${sort.direction}`;
    } else {
      const column = expr(sort.column as FieldName);
      const key = sort.byMagnitude ? `abs(${column}) ${sort.direction}` : `${column} ${sort.direction}`;
      orderBy = `ORDER BY ${key} NULLS LAST, ${time} DESC, ${id} DESC`;
    }
  }
  return { from, where, orderBy, params, id: expr('id'), expr };
}

function chooseFrom(
  source: RowSource,
  fields: ReadonlySet<FieldName>,
  dialect: SqlDialect,
): { from: string; expr: (name: FieldName) => string } {
  const outOfSample = [...fields].filter((name) => name.startsWith(OOS_PREFIX));
  if (outOfSample.length === 0) return chooseRunFrom(source, fields);
  for (const name of outOfSample) {
    if (!OOS_FIELDS.has(name)) throw new Error(`not an out-of-sample metric field: ${name}`);
  }
  const base = chooseRunFrom(source, new Set([...fields].filter((name) => !name.startsWith(OOS_PREFIX))));
  if (!source.hasOutOfSample) {
    return { from: base.from, expr: (name) => (name.startsWith(OOS_PREFIX) ? dialect.nullNumber : base.expr(name)) };
  }
  // A LEFT JOIN: runs that were not split stay, with NULL out-of-sample metrics.
  return {
    from: `${base.from} LEFT JOIN run_oos_metrics o ON o.backtest_id = ${base.expr('id')}`,
    expr: (name) => (name.startsWith(OOS_PREFIX) ? `o.${name.slice(OOS_PREFIX.length)}` : base.expr(name)),
  };
}

/** Chooses the FROM for fields of the run itself (no out-of-sample metric among them). */
function chooseRunFrom(
  source: RowSource,
  runFields: ReadonlySet<FieldName>,
): { from: string; expr: (name: FieldName) => string } {
  const fields = runFields as ReadonlySet<RunField>;
  const run = (name: FieldName): RunField => name as RunField;
  if (source.layout === 'singleTable') return { from: source.from, expr: (name) => source.field(run(name)) };
  if ([...fields].every((name) => LEGACY_FIELDS.has(name))) {
    return { from: 'backtest_results r', expr: (name) => `r.${name}` };
  }
  if ([...fields].every((name) => source.rankField(name) !== undefined)) {
    return { from: source.rankFrom, expr: (name) => source.rankField(run(name)) as string };
  }
  return { from: source.from, expr: (name) => source.rankField(run(name)) ?? source.field(run(name)) };
}
