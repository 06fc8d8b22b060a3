import { parse as parseCsv } from 'csv-parse/sync';
import { ConfigError, DataError, type DataIssue } from '../../core/errors.js';
import { BACKTEST_COLUMNS, type BacktestRow, type BacktestRowValues, type ColumnSpec } from './backtest-columns.js';

/**
 * Text formats for moving runs between databases and to other tools.
 *
 * - `csv`: a header row with the column names, then one row per run. NULL is an empty field;
 *   an empty string is `""`. Numbers use JavaScript's shortest exact form, so they round-trip
 *   bit for bit; infinite metrics are `Infinity` / `-Infinity`.
 * - `json`: an array of objects keyed by column name. JSON has no Infinity, so infinite metrics
 *   are the strings `"Infinity"` / `"-Infinity"`.
 *
 * Equity curves are not part of either format.
 */
export type TransferFormat = 'csv' | 'json';

/** Most problems listed in one import error. */
const MAX_ISSUES = 20;

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER_PATTERN = /^[+-]?\d+$/;

/** Checks a format name from a caller, which may come from a command-line flag. */
export function checkTransferFormat(format: unknown): TransferFormat {
  if (format === 'csv' || format === 'json') return format;
  throw new ConfigError(`unknown export format "${String(format)}"; choose csv or json`);
}

function csvNumber(value: number): string {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/**
 * One CSV field with RFC 4180 quoting: quoted when it holds a comma, quote, line break or
 * surrounding space, or when it is empty (an unquoted empty field means NULL).
 *
 * @example
 * csvField('say "hi", ok'); // '"say ""hi"", ok"'
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return csvNumber(value);
  if (value === '' || /[",\r\n]/.test(value) || value.trim() !== value) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/**
 * Formats rows as CSV or JSON text; see {@link TransferFormat}.
 *
 * @example
 * const text = formatBacktests(db.getBacktestResults({ symbol: 'GOOG' }), 'csv');
 */
export function formatBacktests(rows: readonly BacktestRow[], format: TransferFormat): string {
  if (format === 'json') {
    const plain = rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const { name } of BACKTEST_COLUMNS) {
        const value = row[name];
        out[name] = typeof value === 'number' && !Number.isFinite(value) ? csvNumber(value) : value;
      }
      return out;
    });
    return `${JSON.stringify(plain, null, 2)}\n`;
  }
  const lines = [BACKTEST_COLUMNS.map((c) => c.name).join(',')];
  for (const row of rows) lines.push(BACKTEST_COLUMNS.map((c) => csvField(row[c.name])).join(','));
  return `${lines.join('\n')}\n`;
}

type Cell = string | number | boolean | null | undefined | object;

/** Converts one raw cell for `column`; a string is the reason it is invalid. */
function convertCell(
  column: ColumnSpec,
  raw: Cell,
  format: TransferFormat,
): { value: string | number | null } | string {
  if (raw === null || raw === undefined) {
    return column.nullable ? { value: null } : 'is required but empty';
  }
  if (column.kind === 'text') {
    return typeof raw === 'string' ? { value: raw } : `must be a string, not ${typeof raw}`;
  }
  if (typeof raw === 'number' && format === 'json') {
    if (column.kind === 'integer' && !Number.isSafeInteger(raw)) return `must be a whole number, not ${raw}`;
    return { value: raw };
  }
  if (typeof raw !== 'string') return `must be a number, not ${typeof raw}`;
  const trimmed = raw.trim();
  if (column.kind === 'integer') {
    if (format === 'csv' && INTEGER_PATTERN.test(trimmed)) {
      const value = Number(trimmed);
      if (Number.isSafeInteger(value)) return { value };
    }
    return `must be a whole number, not "${raw}"`;
  }
  if (/^[+-]?Infinity$/.test(trimmed)) return { value: trimmed.startsWith('-') ? -Infinity : Infinity };
  if (/^[+-]?nan$/i.test(trimmed)) return 'is NaN; an undefined metric must be empty (NULL)';
  if (format === 'csv' && NUMBER_PATTERN.test(trimmed)) return { value: Number(trimmed) };
  return format === 'csv'
    ? `must be a number, Infinity or -Infinity, not "${raw}"`
    : `must be a number or the string "Infinity"/"-Infinity", not "${raw}"`;
}

const COLUMN_BY_NAME = new Map(BACKTEST_COLUMNS.map((c) => [c.name as string, c]));

/** Turns one record (a name → raw value map) into row values, collecting problems. */
function convertRecord(
  record: ReadonlyMap<string, Cell>,
  format: TransferFormat,
  where: Pick<DataIssue, 'source' | 'line'>,
  issues: DataIssue[],
): BacktestRowValues | undefined {
  const out: Record<string, string | number | null> = {};
  let ok = true;
  for (const column of BACKTEST_COLUMNS) {
    if (column.name === 'id') continue;
    const result = convertCell(column, record.get(column.name), format);
    if (typeof result === 'string') {
      issues.push({ ...where, field: column.name, reason: result });
      ok = false;
    } else {
      out[column.name] = result.value;
    }
  }
  return ok ? (out as unknown as BacktestRowValues) : undefined;
}

function checkColumns(names: readonly string[], issue: (name: string, reason: string) => DataIssue): DataIssue[] {
  const problems: DataIssue[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (!COLUMN_BY_NAME.has(name)) problems.push(issue(name, 'is not a column of backtest_results'));
    else if (seen.has(name)) problems.push(issue(name, 'appears twice'));
    seen.add(name);
  }
  for (const column of BACKTEST_COLUMNS) {
    if (!column.nullable && column.name !== 'id' && !seen.has(column.name)) {
      problems.push(issue(column.name, 'is a required column but is missing'));
    }
  }
  return problems;
}

/**
 * Parses and validates exported text. Every record is checked before anything is returned;
 * all problems (up to 20) come back in one {@link DataError} naming the line (CSV) or record
 * number (JSON) and the column. An `id` column is accepted and ignored; missing nullable
 * columns are NULL, so CSVs from the older tool (fewer columns) import too.
 *
 * @example
 * const rows = parseBacktests(text, 'csv', 'runs.csv');
 */
export function parseBacktests(text: string, format: TransferFormat, source = 'import'): BacktestRowValues[] {
  const issues: DataIssue[] = [];
  const rows: BacktestRowValues[] = [];
  const report = (): never => {
    throw new DataError(issues.slice(0, MAX_ISSUES));
  };

  if (format === 'csv') {
    let records: { record: (string | null)[]; info: { lines: number } }[];
    try {
      records = parseCsv(text, {
        bom: true,
        info: true,
        skip_empty_lines: true,
        cast: (value: string, context: { quoting: boolean }) => (value === '' && !context.quoting ? null : value),
      }) as unknown as typeof records;
    } catch (error) {
      const line = (error as { lines?: unknown }).lines;
      throw new DataError(
        {
          source,
          ...(typeof line === 'number' ? { line } : {}),
          reason: `is not valid CSV: ${(error as Error).message}`,
        },
        { cause: error },
      );
    }
    const [header, ...body] = records;
    if (header === undefined) return [];
    const names = header.record.map((name) => name ?? '');
    issues.push(...checkColumns(names, (field, reason) => ({ source, line: header.info.lines, field, reason })));
    if (issues.length > 0) report();
    for (const { record, info } of body) {
      const map = new Map<string, Cell>(names.map((name, i) => [name, record[i]]));
      const row = convertRecord(map, 'csv', { source, line: info.lines }, issues);
      if (row !== undefined) rows.push(row);
      if (issues.length >= MAX_ISSUES) break;
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DataError({ source, reason: `is not valid JSON: ${(error as Error).message}` }, { cause: error });
    }
    if (!Array.isArray(parsed)) throw new DataError({ source, reason: 'must be a JSON array of backtest rows' });
    parsed.forEach((item: unknown, index) => {
      if (issues.length >= MAX_ISSUES) return;
      const where = `${source} (record ${index + 1})`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        issues.push({ source: where, reason: 'must be an object keyed by column name' });
        return;
      }
      const map = new Map<string, Cell>(Object.entries(item as Record<string, Cell>));
      const before = issues.length;
      issues.push(...checkColumns([...map.keys()], (field, reason) => ({ source: where, field, reason })));
      if (issues.length > before) return;
      const row = convertRecord(map, 'json', { source: where }, issues);
      if (row !== undefined) rows.push(row);
    });
  }
  if (issues.length > 0) report();
  return rows;
}
