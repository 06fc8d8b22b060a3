/**
 * Turns checked filters and sorts into PostgreSQL, as `../sqlite/run-query-sql.ts` does for
 * SQLite: values only ever travel as bound parameters (written `?` here, numbered `$n` by the
 * caller), column names come from fixed lists. Each query reads from the narrowest FROM that
 * holds its fields: `backtest_results` alone, `run_details` alone (the ranking index), or both.
 *
 * Dialect differences from the SQLite builder: `right(x, n)` instead of `substr(x, -n)` (a
 * negative start means something else in PostgreSQL), `false` instead of `0`, and arrays
 * (`= ANY(?)`) instead of IN lists, so one prepared statement serves any number of spellings.
 */
import { BACKTEST_COLUMNS, type BacktestRow, METRIC_COLUMN, rowFromValues } from '../run-row.js';
import { type CheckedFilter, type CheckedSort, OOS_PREFIX } from '../run-filter.js';
import { legacyRowUuid } from '../run-uuid.js';

/**
 * The fields a query may filter or sort by: the row's own columns, the keys, and out-of-sample
 * metrics (`oos.sharpe_ratio`, from `run_oos_metrics o`).
 */
export type FieldName = RunField | `${typeof OOS_PREFIX}${string}`;
type RunField = keyof BacktestRow | 'symbol_key' | 'timeframe_key';

/** Out-of-sample metric fields a query may name: the whitelist of their columns. */
const OOS_FIELDS = new Set<string>(Object.values(METRIC_COLUMN).map((column) => `${OOS_PREFIX}${column}`));

/** The training-run condition's role value; see {@link filterConditions}. */
export const TRAINING_ROLE = 'training';

/** A condition over fields, written with whatever expression the chosen FROM gives each field. */
export interface Condition {
  readonly fields: readonly FieldName[];
  readonly sql: (e: (name: FieldName) => string) => string;
  readonly params: readonly unknown[];
}

/** A planned query: FROM, WHERE and ORDER BY with their parameters (`?`), and the id expression. */
export interface PlannedQuery {
  readonly from: string;
  readonly where: string;
  readonly orderBy: string;
  readonly params: readonly unknown[];
  readonly id: string;
  readonly expr: (name: FieldName) => string;
}

const LEGACY = new Set<string>(BACKTEST_COLUMNS.filter((c) => c.legacy).map((c) => c.name));
/** Legacy columns `run_details` copies (as `symbol_key`/`timeframe_key` stand for symbol and timeframe). */
const SIDE_COPIES = new Set<string>([
  'run_timestamp',
  'total_return',
  'final_equity',
  'sharpe_ratio',
  'max_drawdown',
  'win_rate',
  'profit_factor',
  'total_trades',
  'avg_trade_pnl',
]);

/** Where each field of a run is read from, given the columns `run_details` has. */
export class RowSource {
  /** Every run has a side row (the trigger makes one for rows other programs insert); LEFT JOIN all the same. */
  readonly from = 'backtest_results r LEFT JOIN run_details d ON d.backtest_id = r.id';
  readonly rankFrom = 'run_details d';
  /** The SELECT list in `BACKTEST_COLUMNS` order. */
  readonly selectList: string;
  private readonly detailColumns: ReadonlySet<string>;
  /** True when the database has `run_oos_metrics` (schema 7), so out-of-sample metrics can be read. */
  readonly hasOutOfSample: boolean;

  constructor(detailColumns: ReadonlySet<string>, hasOutOfSample: boolean) {
    this.detailColumns = detailColumns;
    this.hasOutOfSample = hasOutOfSample;
    this.selectList = BACKTEST_COLUMNS.map((c) => this.field(c.name)).join(', ');
  }

  /** Expression of a field in {@link from}; NULL for a field this schema version lacks. */
  field(name: RunField): string {
    if (name === 'symbol_key' || name === 'timeframe_key') return `d.${name}`;
    if (LEGACY.has(name)) return `r.${name}`;
    return this.detailColumns.has(name) ? `d.${name}` : 'NULL';
  }

  /** Expression of a field in {@link rankFrom}, or `undefined` when only `backtest_results` has it. */
  rankField(name: RunField): string | undefined {
    if (name === 'id') return 'd.backtest_id';
    if (name === 'symbol_key' || name === 'timeframe_key' || SIDE_COPIES.has(name)) return `d.${name}`;
    if (LEGACY.has(name)) return undefined;
    return this.detailColumns.has(name) ? `d.${name}` : 'NULL';
  }
}

/**
 * A row from values in `BACKTEST_COLUMNS` order; a row another program inserted (no stored
 * UUID yet) gets the one its 18 columns derive, as in the SQLite store.
 */
export function storedRow(values: unknown[]): BacktestRow {
  const row = rowFromValues(values);
  return row.uuid === null ? { ...row, uuid: legacyRowUuid(row as unknown as Record<string, unknown>) } : row;
}

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
      sql: (e) => (list.length === 1 ? `${e('timeframe_key')} = ?` : `${e('timeframe_key')} = ANY(?::text[])`),
      params: list.length === 1 ? list : [list],
    });
  }
  if (filter.model !== undefined) {
    const { paths = [], fileName, sha256Prefix } = filter.model;
    const parts: ((e: (name: FieldName) => string) => string)[] = [];
    const params: unknown[] = [];
    if (paths.length > 0) {
      parts.push((e) => `${e('model_path')} = ANY(?::text[])`);
      params.push(paths);
    }
    if (fileName !== undefined) {
      // right() instead of LIKE: file names may hold `_` and `%`, which LIKE treats as wildcards.
      parts.push(
        (e) => `(${e('model_path')} = ? OR right(${e('model_path')}, ?) = ? OR right(${e('model_path')}, ?) = ?)`,
      );
      params.push(fileName, fileName.length + 1, `/${fileName}`, fileName.length + 1, `\\${fileName}`);
    }
    if (sha256Prefix !== undefined) {
      parts.push((e) => `left(${e('model_sha256')}, ?) = ?`);
      params.push(sha256Prefix.length, sha256Prefix);
    }
    conditions.push({
      fields: ['model_path', 'model_sha256'],
      sql: (e) => (parts.length === 0 ? 'false' : `(${parts.map((p) => p(e)).join(' OR ')})`),
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
    conditions.push({ fields: ['walk_forward_id'], sql: (e) => `${e('walk_forward_id')} = ?::text`, params: [id] });
  }
  if (!filter.includeTraining) {
    // IS DISTINCT FROM: true for NULL (every run not in a walk-forward) as well as for other roles.
    conditions.push({
      fields: ['walk_forward_role'],
      sql: (e) => `${e('walk_forward_role')} IS DISTINCT FROM ?::text`,
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
 * Plans a query over `conditions`, ordered by `sort` (then newest first), choosing the FROM;
 * `selected` are fields read besides those filtered and sorted by.
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
): { from: string; expr: (name: FieldName) => string } {
  const outOfSample = [...fields].filter((name) => name.startsWith(OOS_PREFIX));
  if (outOfSample.length === 0) return chooseRunFrom(source, fields as ReadonlySet<RunField>);
  for (const name of outOfSample) {
    if (!OOS_FIELDS.has(name)) throw new Error(`not an out-of-sample metric field: ${name}`);
  }
  const base = chooseRunFrom(
    source,
    new Set([...fields].filter((name) => !name.startsWith(OOS_PREFIX))) as ReadonlySet<RunField>,
  );
  if (!source.hasOutOfSample) {
    // Typed: PostgreSQL refuses a bare NULL in ORDER BY (a constant) and cannot type abs(NULL).
    return { from: base.from, expr: (name) => (name.startsWith(OOS_PREFIX) ? 'NULL::float8' : base.expr(name)) };
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
  fields: ReadonlySet<RunField>,
): { from: string; expr: (name: FieldName) => string } {
  const run = (name: FieldName): RunField => name as RunField;
  if ([...fields].every((name) => LEGACY.has(name))) {
    return { from: 'backtest_results r', expr: (name) => `r.${name}` };
  }
  if ([...fields].every((name) => source.rankField(name) !== undefined)) {
    return { from: source.rankFrom, expr: (name) => source.rankField(run(name)) as string };
  }
  return { from: source.from, expr: (name) => source.rankField(run(name)) ?? source.field(run(name)) };
}
