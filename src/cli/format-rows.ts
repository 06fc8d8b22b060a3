import {
  formatMetricValue,
  formatTimeMs,
  formatUnitValue,
  formatUnixSeconds,
  metricHeader,
  invalidValue,
  printable,
} from '../app/format-values.js';
import { findMetric, type MetricName } from '../core/metric-catalog.js';
import type { BacktestRow } from '../store/index.js';

/** Metric columns shown by `list`, in order. */
export const LIST_METRICS: readonly MetricName[] = [
  'total_return',
  'sharpe_ratio',
  'max_drawdown',
  'win_rate',
  'profit_factor',
  'total_trades',
];

/** Short headers for list tables, units included. */
export function shortMetricHeader(name: MetricName): string {
  const short: Partial<Record<MetricName, string>> = {
    total_return: 'Return [%]',
    sharpe_ratio: 'Sharpe',
    max_drawdown: 'Max DD [%]',
    win_rate: 'Win [%]',
    profit_factor: 'PF',
    total_trades: 'Trades',
  };
  return short[name] ?? metricHeader(name);
}

/** Notes longer than this are cut in tables other than `show`'s. */
const TABLE_NOTES_LENGTH = 80;

/**
 * Every stored field of a run as `[label, value]` pairs, for `show` (whole notes) and `best`
 * (notes cut to 80 characters). Stored text is made printable (control characters escaped) and
 * values of the wrong kind are shown as invalid rather than failing.
 */
export function rowFields(row: BacktestRow, options: { readonly wholeNotes?: boolean } = {}): [string, string][] {
  const fields: [string, string][] = [];
  for (const [key, value] of Object.entries(row) as [keyof BacktestRow, unknown][]) {
    if (key === 'config_json') continue;
    const metric = findMetric(key);
    let text: string;
    if (metric !== undefined) text = formatMetricValue(metric.name, value as number | null);
    else if (key === 'run_timestamp') text = formatUnixSeconds(value as number);
    else if (key === 'start_date' || key === 'end_date')
      text = typeof value === 'number' ? formatTimeMs(value * 1000) : invalidValue(value);
    else if ((key === 'bars_first_time_ms' || key === 'bars_last_time_ms') && typeof value === 'number')
      text = formatTimeMs(value);
    else if (key === 'initial_capital') text = formatUnitValue(value as number, 'money');
    else text = value === null ? '' : printable(String(value));
    if (key === 'notes' && options.wholeNotes !== true && text.length > TABLE_NOTES_LENGTH) {
      text = `${text.slice(0, TABLE_NOTES_LENGTH - 1)}… (show ${row.id} prints it whole)`;
    }
    fields.push([metric === undefined ? key : `${key} (${metric.unit})`, text]);
  }
  return fields;
}

/** The stored config, pretty-printed, or a note when there is none. */
export function prettyConfig(row: BacktestRow): string {
  if (row.config_json === null) return '(no config stored)';
  try {
    return JSON.stringify(JSON.parse(row.config_json), null, 2);
  } catch {
    return `${printable(row.config_json)}  (not valid JSON)`;
  }
}
