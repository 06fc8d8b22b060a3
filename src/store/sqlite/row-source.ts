/**
 * Where each field of a stored run is read from, for the two layouts a file can have:
 *
 * - `sideTables` (schema 3 and later): the older tool's 18 columns in `backtest_results r`,
 *   everything else in `run_details d` (fields an older file's `run_details` lacks read as NULL).
 * - `singleTable`: files read as they are, without upgrading (read commands never write): the
 *   older tool's (version 0) and earlier releases' (version 2, with extra columns in
 *   `backtest_results`). Fields a file does not have read as NULL.
 *
 * Queries are written against {@link RowSource.field}, so one query builder serves both.
 */
import { BACKTEST_COLUMNS, type BacktestRow, rowFromValues } from '../run-row.js';
import { legacyRowUuid } from '../run-uuid.js';

/** The fields a query may filter or sort by, beyond the row's own columns. */
export type KeyField = 'symbol_key' | 'timeframe_key';

/** SQL expressions for each field of a run in one file layout. */
export interface RowSource {
  readonly layout: 'sideTables' | 'singleTable';
  /** The FROM clause naming `r` (and `d` when there are side tables). */
  readonly from: string;
  /** A FROM clause for queries whose fields all have a {@link RowSource.rankField}: no join needed. */
  readonly rankFrom: string;
  /** Expression of a field for SELECT lists (reads NULL when the file cannot hold it). */
  field(name: keyof BacktestRow | KeyField): string;
  /**
   * Expression of a field in {@link rankFrom}, for filtering and sorting: the side table has
   * copies of the keys and of every metric, so ranking never joins. `undefined` when the field
   * is only in `backtest_results` (then use `from` and {@link field}).
   */
  rankField(name: keyof BacktestRow | KeyField): string | undefined;
  /** The SELECT list in `BACKTEST_COLUMNS` order. */
  readonly selectList: string;
  /** True when the file has `run_oos_metrics` (schema 7), so out-of-sample metrics can be read. */
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

/**
 * The layout of a schema-3 (or later) file. `detailColumns`: the columns `run_details` has, for a
 * file read as it is; fields it lacks (those a later schema added, such as schema 5's
 * `returns_skewness`) read as NULL. Left out, every field is there (a file at this version).
 */
export function sideTablesSource(detailColumns?: ReadonlySet<string>, hasOutOfSample = true): RowSource {
  const legacy = new Set<string>(BACKTEST_COLUMNS.filter((c) => c.legacy).map((c) => c.name));
  const missing = (name: string): boolean => detailColumns !== undefined && !detailColumns.has(name);
  const field = (name: string): string => {
    if (name === 'symbol_key' || name === 'timeframe_key') return `d.${name}`;
    if (legacy.has(name)) return `r.${name}`;
    return missing(name) ? 'NULL' : `d.${name}`;
  };
  const rankField = (name: string): string | undefined => {
    if (name === 'id') return 'd.backtest_id';
    if (SIDE_COPIES.has(name)) return `d.${name}`;
    if (!legacy.has(name)) return missing(name) ? 'NULL' : `d.${name}`;
    return undefined;
  };
  return {
    layout: 'sideTables',
    from: 'backtest_results r JOIN run_details d ON d.backtest_id = r.id',
    rankFrom: 'run_details d',
    field,
    rankField,
    selectList: BACKTEST_COLUMNS.map((c) => field(c.name)).join(', '),
    hasOutOfSample,
  };
}

/**
 * The layout of a file read as it is: one table, whose extra columns (if any) are `columns`.
 */
export function singleTableSource(columns: ReadonlySet<string>): RowSource {
  const field = (name: string): string => {
    if (name === 'symbol_key') return 'upper(trim(r.symbol))';
    if (name === 'timeframe_key') return 'trim(r.timeframe)';
    return columns.has(name) ? `r.${name}` : 'NULL';
  };
  return {
    layout: 'singleTable',
    from: 'backtest_results r',
    rankFrom: 'backtest_results r',
    field,
    rankField: field,
    selectList: BACKTEST_COLUMNS.map((c) => field(c.name)).join(', '),
    hasOutOfSample: false,
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
