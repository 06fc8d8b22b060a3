/**
 * SQLite's layouts of a stored run (see `../row-source.ts`): the side tables of schema 3 and
 * later, and `singleTable` for files read as they are, without upgrading (read commands never
 * write): the older tool's (version 0) and earlier releases' (version 2, with extra columns in
 * `backtest_results`). Fields a file does not have read as NULL.
 */
import { type RowSource, sideTablesSource, storedRow } from '../row-source.js';
import { BACKTEST_COLUMNS } from '../run-row.js';

export type { KeyField } from '../row-source.js';
export { type RowSource, sideTablesSource, storedRow };

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
