import { describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import { BACKTEST_COLUMNS, METRIC_COLUMN, rowFromValues, SELECT_LIST } from './backtest-columns.js';

describe('backtest columns', () => {
  it('rowFromValues maps each value to the column at the same position', () => {
    const values = BACKTEST_COLUMNS.map((_, i) => i);
    const row = rowFromValues(values) as unknown as Record<string, number>;
    expect(Object.keys(row)).toEqual(BACKTEST_COLUMNS.map((c) => c.name));
    BACKTEST_COLUMNS.forEach((column, i) => {
      expect(row[column.name]).toBe(i);
    });
    expect(SELECT_LIST.split(', ')).toEqual(Object.keys(row));
  });

  it('has a column for every metric, and the older tool’s 18 columns first', () => {
    for (const metric of METRIC_CATALOG) {
      expect(BACKTEST_COLUMNS.some((c) => c.name === METRIC_COLUMN[metric.name])).toBe(true);
    }
    expect(BACKTEST_COLUMNS.slice(0, 18).every((c) => c.legacy)).toBe(true);
    expect(BACKTEST_COLUMNS.slice(18).some((c) => c.legacy)).toBe(false);
  });
});
