import { describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../core/metric-catalog.js';
import { BACKTEST_COLUMNS, LEGACY_COLUMNS, METRIC_COLUMN, rowFromValues } from './run-row.js';

describe('backtest columns', () => {
  it('rowFromValues maps each value to the column at the same position', () => {
    const values = BACKTEST_COLUMNS.map((_, i) => i);
    const row = rowFromValues(values) as unknown as Record<string, number>;
    expect(Object.keys(row)).toEqual(BACKTEST_COLUMNS.map((c) => c.name));
    BACKTEST_COLUMNS.forEach((column, i) => {
      expect(row[column.name]).toBe(i);
    });
  });

  it('has a column for every metric, and the older tool’s 18 columns first', () => {
    for (const metric of METRIC_CATALOG) {
      expect(BACKTEST_COLUMNS.some((c) => c.name === METRIC_COLUMN[metric.name])).toBe(true);
    }
    expect(BACKTEST_COLUMNS.slice(0, 18).every((c) => c.legacy)).toBe(true);
    expect(BACKTEST_COLUMNS.slice(18).some((c) => c.legacy)).toBe(false);
    expect(LEGACY_COLUMNS.map((c) => c.name)).toEqual([
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
  });
});
