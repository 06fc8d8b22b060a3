/**
 * Number and time formatting for people (terminal tables, pages and reports). Values are rounded only here, for display.
 */
import { findMetric, type MetricName } from '../core/metric-catalog.js';
import type { OutOfMoney } from '../core/result.js';

/** How an undefined metric (no trades, zero variance) is shown. */
export const NOT_AVAILABLE = 'n/a';

/**
 * How a stored value of the wrong kind is shown (text where a number belongs, a time out of
 * range): files other programs wrote may hold anything, and showing it beats failing.
 *
 * @example
 * invalidValue('abc'); // 'invalid ("abc")'
 */
export function invalidValue(value: unknown): string {
  const text =
    typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value) : String(value);
  return `invalid (${printable(text)})`;
}

/**
 * Like {@link printable}, but keeps tabs and line breaks: for multi-line text (an export
 * printed to a terminal) whose layout must survive.
 *
 * @example
 * printableLines('a\u001b[2J\nb'); // 'a\\u001b[2J\nb'
 */
export function printableLines(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => printable(c));
}

/**
 * Text safe to print to a terminal: every control character (C0, DEL, C1, and so the ESC that
 * starts colour and cursor sequences) is shown as an escape (`\n`, `\u001b`) instead of being
 * sent, so text stored by anyone cannot rewrite the screen or fake output.
 *
 * @example
 * printable('\u001b[31mred'); // '\\u001b[31mred'
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const threeDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * Formats a value by its catalog unit: percentages and money with two decimals, ratios with
 * three, counts whole, bars with one decimal; `null` as "n/a", ±Infinity as "∞"/"−∞". The unit
 * itself is left to the column header.
 *
 * @example
 * formatUnitValue(12.3456, '%'); // '12.35'
 * formatUnitValue(Infinity, 'ratio'); // '∞'
 */
export function formatUnitValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return NOT_AVAILABLE;
  if (typeof value !== 'number') return invalidValue(value);
  if (value === Number.POSITIVE_INFINITY) return '∞';
  if (value === Number.NEGATIVE_INFINITY) return '−∞';
  // Annualizing a few days can give astronomical figures; keep them readable.
  if (Math.abs(value) >= 1e12) return value.toExponential(3).replace('e+', 'e');
  switch (unit) {
    case '%':
    case '% per year':
    case '% per trade':
    case 'money':
      return twoDecimals.format(value);
    case 'count':
      return whole.format(value);
    case 'bars':
      return oneDecimal.format(value);
    default:
      return threeDecimals.format(value);
  }
}

/**
 * Formats one metric by its catalogued unit.
 *
 * @example
 * formatMetricValue('sharpe_ratio', 1.23456); // '1.235'
 */
export function formatMetricValue(name: MetricName, value: number | null | undefined): string {
  return formatUnitValue(value, findMetric(name)?.unit ?? 'ratio');
}

/**
 * A metric's name as `--metric` takes it, with its unit in brackets (none for ratios and counts).
 *
 * @example
 * metricNameWithUnit('total_return'); // 'total_return [%]'
 */
export function metricNameWithUnit(name: MetricName): string {
  const unit = findMetric(name)?.unit;
  return unit === undefined || unit === 'ratio' || unit === 'count' ? name : `${name} [${unit}]`;
}

/**
 * A metric's label with its unit in brackets (none for ratios and counts).
 *
 * @example
 * metricHeader('cagr'); // 'CAGR [% per year]'
 */
export function metricHeader(name: MetricName): string {
  const info = findMetric(name);
  if (info === undefined) return name;
  return info.unit === 'ratio' || info.unit === 'count' ? info.label : `${info.label} [${info.unit}]`;
}

/**
 * A unix-ms time as `YYYY-MM-DD` when it is midnight UTC, else `YYYY-MM-DD HH:MM` (UTC).
 *
 * @example
 * formatTimeMs(Date.UTC(2020, 0, 2)); // '2020-01-02'
 */
export function formatTimeMs(timeMs: number): string {
  if (!isDisplayableTime(timeMs)) return invalidValue(timeMs);
  const iso = new Date(timeMs).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** When a run ran out of money; stored runs keep the time only, not the bar index. */
export type StoredOutOfMoney = Pick<OutOfMoney, 'timeMs'> & { readonly barIndex?: number | undefined };

/**
 * What running out of money did to a run, as one sentence without a capital or a full stop:
 * the CLI prints it after `warning: `, pages capitalize it.
 *
 * @example
 * describeOutOfMoney({ timeMs: Date.UTC(2021, 2, 4), barIndex: 812 });
 * // 'the account ran out of money on 2021-03-04 (bar 812): every position was closed at that close and no order was placed after it'
 */
export function describeOutOfMoney(outOfMoney: StoredOutOfMoney): string {
  const bar = outOfMoney.barIndex === undefined ? '' : ` (bar ${outOfMoney.barIndex})`;
  return (
    `the account ran out of money on ${formatTimeMs(outOfMoney.timeMs)}${bar}: ` +
    'every position was closed at that close and no order was placed after it'
  );
}

/**
 * A unix-seconds time as `YYYY-MM-DD HH:MM` UTC (save times).
 *
 * @example
 * formatUnixSeconds(1_700_000_000); // '2023-11-14 22:13'
 */
export function formatUnixSeconds(seconds: number): string {
  if (!isDisplayableTime(seconds * 1000)) return invalidValue(seconds);
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/**
 * A plain number with thousands separators and at most `digits` decimals.
 *
 * @example
 * formatNumber(12345.678, 2); // '12,345.68'
 */
export function formatNumber(value: number, digits = 2): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(value);
}

/**
 * Strategy parameters as `k=v` pairs in key order, or '' when there are none.
 *
 * @example
 * formatParams({ slow: 30, fast: 10 }); // 'fast=10, slow=30'
 */
export function formatParams(params: Readonly<Record<string, unknown>> | undefined): string {
  if (params === undefined) return '';
  return Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join(', ');
}

/** Years 0 to 9999: what an ISO date can show (Date itself fails outside ±8.64e15 ms). */
function isDisplayableTime(timeMs: unknown): timeMs is number {
  return (
    typeof timeMs === 'number' &&
    Number.isFinite(timeMs) &&
    timeMs >= -62_167_219_200_000 &&
    timeMs < 253_402_300_800_000
  );
}
