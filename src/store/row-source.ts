/**
 * Where each field of a stored run is read from, for the query builder (`run-query.ts`) of both
 * stores. In the side-tables layout (SQLite schema 3 and later, every PostgreSQL database) the
 * older tool's 18 columns are in `backtest_results r` and everything else is in `run_details d`;
 * fields a database's `run_details` lacks (those a later schema added) read as NULL. SQLite also
 * reads older files as they are, in one table (`sqlite/row-source.ts`).
 */
import { BACKTEST_COLUMNS, type BacktestRow, rowFromValues } from './run-row.js';
import { legacyRowUuid } from './run-uuid.js';

/** The fields a query may filter or sort by, beyond the row's own columns. */
export type KeyField = 'symbol_key' | 'timeframe_key';

/** SQL expressions for each field of a run in one layout. */
export interface RowSource {
  readonly layout: 'sideTables' | 'singleTable';
  /** The FROM clause naming `r` (and `d` when there are side tables). */
  readonly from: string;
  /** A FROM clause for queries whose fields all have a {@link RowSource.rankField}: no join needed. */
  readonly rankFrom: string;
  /** Expression of a field for SELECT lists (reads NULL when the database cannot hold it). */
  field(name: keyof BacktestRow | KeyField): string;
  /**
   * Expression of a field in {@link rankFrom}, for filtering and sorting: the side table has
   * copies of the keys and of every metric, so ranking never joins. `undefined` when the field
   * is only in `backtest_results` (then use `from` and {@link field}).
   */
  rankField(name: keyof BacktestRow | KeyField): string | undefined;
  /** The SELECT list in `BACKTEST_COLUMNS` order. */
  readonly selectList: string;
  /** True when the database has `run_oos_metrics` (schema 7), so out-of-sample metrics can be read. */
  readonly hasOutOfSample: boolean;
}

/** Legacy columns that `run_details` copies (keys aside), so ranking can read them there. */
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

/** The older tool's columns, in `backtest_results`. */
export const LEGACY_FIELDS: ReadonlySet<string> = new Set(BACKTEST_COLUMNS.filter((c) => c.legacy).map((c) => c.name));

/**
 * The side-tables layout. `detailColumns`: the columns `run_details` has; fields it lacks read as
 * NULL (left out: every field is there). `join`: `left` keeps a row whose side row is missing
 * (PostgreSQL, where another program's rows get theirs from a trigger that may lag a read).
 */
export function sideTablesSource(
  detailColumns?: ReadonlySet<string>,
  hasOutOfSample = true,
  join: 'inner' | 'left' = 'inner',
): RowSource {
  const missing = (name: string): boolean => detailColumns !== undefined && !detailColumns.has(name);
  const field = (name: string): string => {
    if (name === 'symbol_key' || name === 'timeframe_key') return `d.${name}`;
    if (LEGACY_FIELDS.has(name)) return `r.${name}`;
    return missing(name) ? 'NULL' : `d.${name}`;
  };
  const rankField = (name: string): string | undefined => {
    if (name === 'id') return 'd.backtest_id';
    if (name === 'symbol_key' || name === 'timeframe_key' || SIDE_COPIES.has(name)) return `d.${name}`;
    if (!LEGACY_FIELDS.has(name)) return missing(name) ? 'NULL' : `d.${name}`;
    return undefined;
  };
  return {
    layout: 'sideTables',
    from: `backtest_results r ${join === 'left' ? 'LEFT JOIN' : 'JOIN'} run_details d ON d.backtest_id = r.id`,
    rankFrom: 'run_details d',
    field,
    rankField,
    selectList: BACKTEST_COLUMNS.map((c) => field(c.name)).join(', '),
    hasOutOfSample,
  };
}

/**
 * A row from values in `BACKTEST_COLUMNS` order; a row without a stored UUID (inserted by
 * another program, not yet completed by a write) gets the one its columns derive.
 */
export function storedRow(values: unknown[]): BacktestRow {
  const row = rowFromValues(values);
  return row.uuid === null ? { ...row, uuid: legacyRowUuid(row as unknown as Record<string, unknown>) } : row;
}
