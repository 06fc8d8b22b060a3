/**
 * Turns checked filters and sorts into SQL for one file layout. Values only ever travel as
 * bound parameters; column names come from fixed lists (`RowSource`, `METRIC_COLUMN`).
 *
 * Each query reads from the narrowest FROM that holds its fields: `backtest_results` alone for
 * the newest runs (its `run_timestamp` index), `run_details` alone for ranking and filtering
 * by symbol and timeframe (its covering index), and the join only when both are needed.
 */
import { type BacktestRow, METRIC_COLUMN } from '../run-row.js';
import { type CheckedFilter, type CheckedSort, OOS_PREFIX } from '../run-filter.js';
import type { KeyField, RowSource } from './row-source.js';

/** A field of a run, a key, or an out-of-sample metric (`oos.sharpe_ratio`, from `run_oos_metrics o`). */
type FieldName = RunField | `${typeof OOS_PREFIX}${string}`;
type RunField = keyof BacktestRow | KeyField;

/** Out-of-sample metric fields a query may name: the whitelist of their columns. */
const OOS_FIELDS = new Set<string>(Object.values(METRIC_COLUMN).map((column) => `${OOS_PREFIX}${column}`));

/** The training-run condition's role value; see {@link filterConditions}. */
export const TRAINING_ROLE = 'training';

/** A condition over fields, written with whatever expression the chosen FROM gives each field. */
interface Condition {
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

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** The conditions of a filter. */
export function filterConditions(filter: CheckedFilter): Condition[] {
  const conditions: Condition[] = [];
  const equal = (field: FieldName, value: unknown): void => {
    conditions.push({ fields: [field], sql: (e) => `${e(field)} = ?`, params: [value] });
  };
  if (filter.symbol !== undefined) equal('symbol_key', filter.symbol);
  if (filter.timeframes !== undefined) {
    const list = filter.timeframes;
    conditions.push({
      fields: ['timeframe_key'],
      sql: (e) =>
        list.length === 1 ? `${e('timeframe_key')} = ?` : `${e('timeframe_key')} IN (${placeholders(list.length)})`,
      params: list,
    });
  }
  if (filter.model !== undefined) {
    const { paths = [], fileName, sha256Prefix } = filter.model;
    const parts: ((e: (name: FieldName) => string) => string)[] = [];
    const params: unknown[] = [];
    if (paths.length > 0) {
      parts.push((e) => `${e('model_path')} IN (${placeholders(paths.length)})`);
      params.push(...paths);
    }
    if (fileName !== undefined) {
      // substr() instead of LIKE: file names may hold `_` and `%`, which LIKE treats as wildcards.
      parts.push(
        (e) => `(${e('model_path')} = ? OR substr(${e('model_path')}, -?) = ? OR substr(${e('model_path')}, -?) = ?)`,
      );
      params.push(fileName, fileName.length + 1, `/${fileName}`, fileName.length + 1, `\\${fileName}`);
    }
    if (sha256Prefix !== undefined) {
      parts.push((e) => `substr(${e('model_sha256')}, 1, ?) = ?`);
      params.push(sha256Prefix.length, sha256Prefix);
    }
    conditions.push({
      fields: ['model_path', 'model_sha256'],
      sql: (e) => (parts.length === 0 ? '0' : `(${parts.map((p) => p(e)).join(' OR ')})`),
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
  if (filter.walkForwardId !== undefined) equal('walk_forward_id', filter.walkForwardId);
  if (!filter.includeTraining) {
    // IS NOT: true for NULL (every run not in a walk-forward) as well as for other roles.
    conditions.push({
      fields: ['walk_forward_role'],
      sql: (e) => `${e('walk_forward_role')} IS NOT ?`,
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

/**
 * Plans a query over `conditions`, ordered by `sort` (then newest first), choosing the FROM.
 * `selected`: fields the query reads besides those it filters and sorts by, which the FROM must
 * hold too (read them with {@link PlannedQuery.expr}).
 */
export function planQuery(
  source: RowSource,
  conditions: readonly Condition[],
  sort: CheckedSort | undefined,
  selected: readonly FieldName[] = [],
): PlannedQuery {
  const fields = new Set<FieldName>([...conditions.flatMap((c) => c.fields), ...selected]);
  if (sort !== undefined) {
    fields.add(sort.column as FieldName);
    fields.add('run_timestamp');
    fields.add('id');
  }
  const { from, expr } = chooseFrom(source, fields);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.map((c) => c.sql(expr)).join(' AND ')}`;
  const params = conditions.flatMap((c) => c.params);
  let orderBy = '';
  if (sort !== undefined) {
    const id = expr('id');
    const time = expr('run_timestamp');
    if (sort.column === 'run_timestamp' || sort.column === 'id') {
      orderBy =
        sort.column === 'id'
          ? `ORDER BY ${id} ${sort.direction}`
          : `ORDER BY ${time} ${sort.direction}, ${id} ${sort.direction}`;
    } else {
      const column = expr(sort.column as FieldName);
      const key = sort.byMagnitude ? `abs(${column}) ${sort.direction}` : `${column} ${sort.direction}`;
      orderBy = `ORDER BY ${key} NULLS LAST, ${time} DESC, ${id} DESC`;
    }
  }
  return { from, where, orderBy, params, id: expr('id'), expr };
}

const LEGACY_ONLY = new Set<string>([
  'id',
  'symbol',
  'timeframe',
  'model_path',
  'run_timestamp',
  'start_date',
  'end_date',
  'initial_capital',
  'final_equity',
  'total_return',
  'sharpe_ratio',
  'max_drawdown',
  'win_rate',
  'profit_factor',
  'total_trades',
  'avg_trade_pnl',
  'config_json',
  'notes',
]);

function chooseFrom(
  source: RowSource,
  fields: ReadonlySet<FieldName>,
): { from: string; expr: (name: FieldName) => string } {
  const outOfSample = [...fields].filter((name) => name.startsWith(OOS_PREFIX));
  if (outOfSample.length === 0) return chooseRunFrom(source, fields);
  for (const name of outOfSample) {
    if (!OOS_FIELDS.has(name)) throw new Error(`not an out-of-sample metric field: ${name}`);
  }
  const base = chooseRunFrom(source, new Set([...fields].filter((name) => !name.startsWith(OOS_PREFIX))));
  if (!source.hasOutOfSample) {
    return { from: base.from, expr: (name) => (name.startsWith(OOS_PREFIX) ? 'NULL' : base.expr(name)) };
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
  if ([...fields].every((name) => LEGACY_ONLY.has(name))) {
    return { from: 'backtest_results r', expr: (name) => `r.${name}` };
  }
  if ([...fields].every((name) => source.rankField(name) !== undefined)) {
    return { from: source.rankFrom, expr: (name) => source.rankField(run(name)) as string };
  }
  return { from: source.from, expr: (name) => source.rankField(run(name)) ?? source.field(run(name)) };
}
