import { describe, expect, it } from 'vitest';
import { formatMetricValue, formatTimeMs, formatUnitValue, formatUnixSeconds, metricHeader } from './format-values.js';

describe('formatting for people', () => {
  it('rounds by unit only for display', () => {
    expect(formatUnitValue(12.3456, '%')).toBe('12.35');
    expect(formatUnitValue(1234567.891, 'money')).toBe('1,234,567.89');
    expect(formatUnitValue(1.23456, 'ratio')).toBe('1.235');
    expect(formatUnitValue(1234, 'count')).toBe('1,234');
    expect(formatUnitValue(36.46, 'bars')).toBe('36.5');
  });

  it('shows undefined as n/a and infinities as symbols, never NaN', () => {
    expect(formatUnitValue(null, '%')).toBe('n/a');
    expect(formatUnitValue(undefined, 'ratio')).toBe('n/a');
    expect(formatUnitValue(Number.NaN, 'ratio')).toBe('n/a');
    expect(formatUnitValue(Number.POSITIVE_INFINITY, 'ratio')).toBe('∞');
    expect(formatUnitValue(Number.NEGATIVE_INFINITY, 'ratio')).toBe('−∞');
  });

  it('writes astronomical values (CAGR over a few days) in exponent form', () => {
    expect(formatUnitValue(9.4537e56, '% per year')).toBe('9.454e56');
    expect(formatUnitValue(-2.5e13, 'money')).toBe('-2.500e13');
  });

  it('formats metrics by their catalogued unit, with the unit in the header', () => {
    expect(formatMetricValue('max_drawdown', -29.5777)).toBe('-29.58');
    expect(formatMetricValue('sharpe_ratio', 1.03349)).toBe('1.033');
    expect(metricHeader('cagr')).toBe('CAGR [% per year]');
    expect(metricHeader('sharpe_ratio')).toBe('Sharpe ratio (annualized)');
  });

  it('formats times in UTC', () => {
    expect(formatTimeMs(Date.UTC(2004, 7, 19))).toBe('2004-08-19');
    expect(formatTimeMs(Date.UTC(2017, 3, 19, 9, 30))).toBe('2017-04-19 09:30');
    expect(formatUnixSeconds(1_700_000_000)).toBe('2023-11-14 22:13');
  });
});
