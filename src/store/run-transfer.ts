/**
 * Text formats for moving runs between stores and to other tools.
 *
 * - `json`: an array of objects, one per run, with every field of the run (summary, every
 *   metric, provenance, UUID), plus `equity_curve` (`time_ms`, `equity`, `source_point_count`)
 *   `trades` and `period_returns` (a sweep run's returns on its sweep's period grid) when the
 *   run has them. JSON has no Infinity, so infinite metrics are the
 *   strings `"Infinity"` / `"-Infinity"`; on import the bare tokens `Infinity`, `-Infinity` and
 *   `NaN` that Python's `json` module writes are read too.
 * - `csv`: the summary only (one row per run, every field, no curve or trades). NULL is an empty
 *   field; an empty string is `""`. Numbers use JavaScript's shortest exact form, so they
 *   round-trip bit for bit; infinite metrics are `Infinity` / `-Infinity`, and `inf`, `-inf`,
 *   `nan` (Python, pandas) are read too. A CSV of the older tool (its 18 columns) imports.
 *
 * A split run's out-of-sample part is `oos` (`from_ms`, `to_ms`, `bars_count`, `bars_sha256`,
 * `out_of_money_time_ms`) and `oos_metrics` (every metric) in `json` and `jsonl`; `csv` leaves it out.
 *
 * NaN is "undefined": it reads as NULL in a column that may be NULL, and is an error elsewhere.
 * A record without a `uuid` (older tool's exports) gets the one its 18 columns derive, so
 * importing the same file twice adds nothing the second time.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { ConfigError, DataError, type DataIssue } from '../core/errors.js';
import { METRIC_CATALOG } from '../core/metric-catalog.js';
import type { Metrics, Trade } from '../core/result.js';
import type { ParamValue } from '../core/strategy.js';
import { decodeFloat64 } from './float64-codec.js';
import { type BacktestInput, type OutOfSampleInput, prepareBacktest, type WalkForwardLink } from './run-input.js';
import { BACKTEST_COLUMNS, type BacktestRowValues, type ColumnSpec } from './run-row.js';
import type { StoredEquityCurve, StoredOutOfSample } from './run-store.js';
import { legacyRowUuid } from './run-uuid.js';

/** The text formats of export and import. */
export type TransferFormat = 'csv' | 'json' | 'jsonl';

/**
 * One run as exported: its fields (with the id it had where it came from), and its curve and
 * trades when stored. `origin` names the record in error messages (`runs.csv line 3`).
 */
export interface TransferRecord {
  readonly row: BacktestRowValues & { readonly id?: number | null };
  readonly equityCurve?: StoredEquityCurve | undefined;
  readonly trades?: readonly Trade[] | undefined;
  /** A sweep run's returns on its sweep's period grid (for `backtest overfit`). */
  readonly periodReturns?: Float64Array | undefined;
  /** The out-of-sample part of a split run. */
  readonly outOfSample?: StoredOutOfSample | undefined;
  readonly origin?: string | undefined;
}

/** Most problems listed in one import error. */
const MAX_ISSUES = 20;

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER_PATTERN = /^[+-]?\d+$/;
const INFINITY_PATTERN = /^([+-]?)(inf|infinity)$/i;
const NAN_PATTERN = /^[+-]?nan$/i;

/** Checks a format name from a caller, which may come from a command-line flag. */
export function checkTransferFormat(format: unknown): TransferFormat {
  if (format === 'csv' || format === 'json' || format === 'jsonl') return format;
  throw new ConfigError(`unknown export format "${String(format)}"; choose csv, json or jsonl`);
}

function numberText(value: number): string {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

/** A text cell a spreadsheet would run as a formula (OWASP's list of leading characters). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`,
 * so a spreadsheet shows them as text instead of running them (OWASP, "CSV injection"). A text
 * that already begins with `'` gets one more, so that {@link restoreFormula} undoes exactly
 * this on import. Numbers are never touched: a negative number stays a number.
 *
 * @example
 * neutralizeFormula("=cmd|' /C calc'!A0"); // "'=cmd|' /C calc'!A0"
 */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) || text.startsWith("'") ? `'${text}` : text;
}

/** Undoes {@link neutralizeFormula} on a text cell of a CSV this project exported. */
export function restoreFormula(text: string): string {
  return text.startsWith("'") ? text.slice(1) : text;
}

/**
 * One CSV field with RFC 4180 quoting: quoted when it holds a comma, quote, line break or
 * surrounding space, or when it is empty (an unquoted empty field means NULL). Text that a
 * spreadsheet would run as a formula is neutralised ({@link neutralizeFormula}).
 *
 * @example
 * csvField('say "hi", ok'); // '"say ""hi"", ok"'
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return numberText(value);
  value = neutralizeFormula(value);
  if (value === '' || /[",\r\n]/.test(value) || value.trim() !== value) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/**
 * Formats records as CSV or JSON text; see the module comment for the exact rules.
 *
 * @example
 * const text = formatRuns(await store.exportRuns({ symbol: 'GOOG' }), 'json');
 */
export function formatRuns(records: readonly TransferRecord[], format: TransferFormat): string {
  if (format === 'json' || format === 'jsonl') {
    const plain = records.map(({ row, equityCurve, trades, periodReturns, outOfSample }) => {
      const out: Record<string, unknown> = {};
      for (const { name } of BACKTEST_COLUMNS) {
        const value = (row as Record<string, unknown>)[name] ?? null;
        out[name] = typeof value === 'number' && !Number.isFinite(value) ? numberText(value) : value;
      }
      if (equityCurve !== undefined) {
        out.equity_curve = {
          time_ms: [...equityCurve.timeMs],
          equity: [...equityCurve.equity],
          source_point_count: equityCurve.sourcePointCount,
          ...(equityCurve.monthEnds === undefined
            ? {}
            : {
                month_end_time_ms: [...equityCurve.monthEnds.timeMs],
                month_end_equity: [...equityCurve.monthEnds.equity],
              }),
        };
      }
      if (trades !== undefined) out.trades = trades;
      if (periodReturns !== undefined) out.period_returns = [...periodReturns];
      if (outOfSample !== undefined) Object.assign(out, outOfSampleJson(outOfSample));
      return out;
    });
    if (format === 'jsonl') return plain.map((record) => `${JSON.stringify(record)}\n`).join('');
    return `${JSON.stringify(plain, null, 2)}\n`;
  }
  const lines = [BACKTEST_COLUMNS.map((c) => c.name).join(',')];
  for (const { row } of records) {
    lines.push(
      BACKTEST_COLUMNS.map((c) => csvField((row as Record<string, string | number | null>)[c.name] ?? null)).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

type Cell = string | number | boolean | null | undefined | object;

/** Converts one raw cell for `column`; a string is the reason it is invalid. */
function convertCell(column: ColumnSpec, raw: Cell): { value: string | number | null } | string {
  if (raw === null || raw === undefined) {
    // The id is where the run came from; imports give new ids. A missing uuid is derived.
    return column.nullable || column.name === 'uuid' || column.name === 'id'
      ? { value: null }
      : 'is required but empty';
  }
  if (column.kind === 'text') {
    return typeof raw === 'string' ? { value: raw } : `must be a string, not ${typeof raw}`;
  }
  if (typeof raw === 'number') {
    if (column.kind === 'integer' && !Number.isSafeInteger(raw)) return `must be a whole number, not ${raw}`;
    return { value: raw };
  }
  if (typeof raw !== 'string') return `must be a number, not ${typeof raw}`;
  const trimmed = raw.trim();
  if (NAN_PATTERN.test(trimmed)) {
    return column.nullable ? { value: null } : 'is NaN, but this column needs a number';
  }
  if (column.kind === 'integer') {
    if (INTEGER_PATTERN.test(trimmed)) {
      const value = Number(trimmed);
      if (Number.isSafeInteger(value)) return { value };
    }
    return `must be a whole number, not "${raw}"`;
  }
  const infinity = INFINITY_PATTERN.exec(trimmed);
  if (infinity !== null) return { value: infinity[1] === '-' ? -Infinity : Infinity };
  if (NUMBER_PATTERN.test(trimmed)) return { value: Number(trimmed) };
  return `must be a number, Infinity or -Infinity, not "${raw}"`;
}

const COLUMN_BY_NAME = new Map(BACKTEST_COLUMNS.map((c) => [c.name as string, c]));
/** Keys a JSON record may have beside the columns. */
const JSON_EXTRAS = new Set(['equity_curve', 'trades', 'period_returns', 'oos', 'oos_metrics']);

/** Turns one record (a name → raw value map) into row values, collecting problems. */
function convertRecord(
  record: ReadonlyMap<string, Cell>,
  where: Pick<DataIssue, 'source' | 'line'>,
  issues: DataIssue[],
): (BacktestRowValues & { id: number | null }) | undefined {
  const out: Record<string, string | number | null> = {};
  let ok = true;
  for (const column of BACKTEST_COLUMNS) {
    const result = convertCell(column, record.get(column.name));
    if (typeof result === 'string') {
      issues.push({ ...where, field: column.name, reason: result });
      ok = false;
    } else {
      out[column.name] = result.value;
    }
  }
  if (!ok) return undefined;
  // Older tool's exports have no uuid: derive the one its 18 columns give (stable across imports).
  if (out.uuid === null) out.uuid = legacyRowUuid(out);
  out.uuid = String(out.uuid).toLowerCase();
  return out as unknown as BacktestRowValues & { id: number | null };
}

function checkColumns(
  names: readonly string[],
  issue: (name: string, reason: string) => DataIssue,
  extras: ReadonlySet<string>,
): DataIssue[] {
  const problems: DataIssue[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (!COLUMN_BY_NAME.has(name) && !extras.has(name)) problems.push(issue(name, 'is not a field of a backtest run'));
    else if (seen.has(name)) problems.push(issue(name, 'appears twice'));
    seen.add(name);
  }
  for (const column of BACKTEST_COLUMNS) {
    if (!column.nullable && column.name !== 'id' && column.name !== 'uuid' && !seen.has(column.name)) {
      problems.push(issue(column.name, 'is a required column but is missing'));
    }
  }
  return problems;
}

function numberList(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: number[] = [];
  for (const item of value) {
    if (typeof item !== 'number' || !Number.isFinite(item)) return undefined;
    out.push(item);
  }
  return out;
}

function parseCurve(value: unknown): StoredEquityCurve | string {
  if (typeof value !== 'object' || value === null)
    return 'must be an object with time_ms, equity and source_point_count';
  const v = value as Record<string, unknown>;
  const timeMs = numberList(v.time_ms);
  const equity = numberList(v.equity);
  if (timeMs === undefined || equity === undefined) return 'time_ms and equity must be arrays of finite numbers';
  if (timeMs.length !== equity.length) return `time_ms has ${timeMs.length} values but equity has ${equity.length}`;
  const source = v.source_point_count;
  if (typeof source !== 'number' || !Number.isSafeInteger(source) || source < timeMs.length) {
    return 'source_point_count must be a whole number at least the number of points';
  }
  const curve = { timeMs: Float64Array.from(timeMs), equity: Float64Array.from(equity), sourcePointCount: source };
  if (v.month_end_time_ms === undefined && v.month_end_equity === undefined) return curve;
  const monthTimes = numberList(v.month_end_time_ms);
  const monthEquity = numberList(v.month_end_equity);
  if (monthTimes === undefined || monthEquity?.length !== monthTimes.length) {
    return 'month_end_time_ms and month_end_equity must be arrays of finite numbers of the same length';
  }
  return { ...curve, monthEnds: { timeMs: Float64Array.from(monthTimes), equity: Float64Array.from(monthEquity) } };
}

/**
 * Python's `json.dumps` writes bare `Infinity`, `-Infinity` and `NaN`, which are not JSON.
 * Outside strings they become the strings `"Infinity"`, `"-Infinity"` and null.
 */
function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (first) {
    const patched = text.replace(/"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g, (match, token: string | undefined) =>
      token === undefined ? match : token === 'NaN' ? 'null' : `"${token}"`,
    );
    if (patched === text) throw first;
    return JSON.parse(patched);
  }
}

/**
 * Parses and checks exported text. Every record is checked before anything is returned; all
 * problems (up to 20) come back in one {@link DataError} naming the line (CSV) or record number
 * (JSON) and the field. The values are then checked again as a save would be, by the store.
 *
 * @example
 * const records = parseRuns(text, 'csv', 'runs.csv');
 */
export function parseRuns(text: string, format: TransferFormat, source = 'import'): TransferRecord[] {
  const issues: DataIssue[] = [];
  const records: TransferRecord[] = [];
  const report = (): never => {
    throw new DataError(issues.slice(0, MAX_ISSUES));
  };

  if (format === 'csv') {
    let parsed: { record: (string | null)[]; info: { lines: number } }[];
    try {
      parsed = parseCsv(text, {
        bom: true,
        info: true,
        skip_empty_lines: true,
        cast: (value: string, context: { quoting: boolean }) => (value === '' && !context.quoting ? null : value),
      }) as unknown as typeof parsed;
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
    const [header, ...body] = parsed;
    if (header === undefined) return [];
    const names = header.record.map((name) => name ?? '');
    issues.push(
      ...checkColumns(names, (field, reason) => ({ source, line: header.info.lines, field, reason }), new Set()),
    );
    if (issues.length > 0) report();
    // Exports of this version (they have a uuid column) neutralised formula-like text; undo it.
    const neutralized = names.includes('uuid');
    const textColumns = new Set<string>(BACKTEST_COLUMNS.filter((c) => c.kind === 'text').map((c) => c.name));
    for (const { record, info } of body) {
      if (record.length !== names.length) {
        issues.push({
          source,
          line: info.lines,
          reason: `has ${record.length} fields but the header has ${names.length}`,
        });
        continue;
      }
      const map = new Map<string, Cell>(
        names.map((name, i) => {
          const cell = record[i];
          return [name, neutralized && textColumns.has(name) && typeof cell === 'string' ? restoreFormula(cell) : cell];
        }),
      );
      const row = convertRecord(map, { source, line: info.lines }, issues);
      if (row !== undefined) records.push({ row, origin: `${source} line ${info.lines}` });
      if (issues.length >= MAX_ISSUES) break;
    }
  } else {
    let parsed: unknown[];
    const whereOf = (index: number): string =>
      format === 'jsonl' ? `${source} line ${(lineNumbers[index] ?? 0) + 1}` : `${source} (record ${index + 1})`;
    const lineNumbers: number[] = [];
    if (format === 'jsonl') {
      // One object per line (a recovery file, or `export --format jsonl`); blank lines are skipped.
      parsed = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = (lines[i] as string).trim();
        if (line === '') continue;
        try {
          parsed.push(parsePythonJson(line));
          lineNumbers.push(i);
        } catch (error) {
          throw new DataError(
            { source, line: i + 1, reason: `is not valid JSON: ${(error as Error).message}` },
            { cause: error },
          );
        }
      }
    } else {
      let whole: unknown;
      try {
        whole = parsePythonJson(text);
      } catch (error) {
        throw new DataError({ source, reason: `is not valid JSON: ${(error as Error).message}` }, { cause: error });
      }
      if (!Array.isArray(whole)) throw new DataError({ source, reason: 'must be a JSON array of backtest runs' });
      parsed = whole;
    }
    parsed.forEach((item: unknown, index) => {
      if (issues.length >= MAX_ISSUES) return;
      const where = whereOf(index);
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        issues.push({ source: where, reason: 'must be an object keyed by field name' });
        return;
      }
      const map = new Map<string, Cell>(Object.entries(item as Record<string, Cell>));
      const before = issues.length;
      issues.push(...checkColumns([...map.keys()], (field, reason) => ({ source: where, field, reason }), JSON_EXTRAS));
      if (issues.length > before) return;
      const row = convertRecord(map, { source: where }, issues);
      let equityCurve: StoredEquityCurve | undefined;
      const curve = map.get('equity_curve');
      if (curve !== undefined && curve !== null) {
        const parsedCurve = parseCurve(curve);
        if (typeof parsedCurve === 'string') issues.push({ source: where, field: 'equity_curve', reason: parsedCurve });
        else equityCurve = parsedCurve;
      }
      const trades = map.get('trades');
      if (trades !== undefined && trades !== null && !Array.isArray(trades)) {
        issues.push({ source: where, field: 'trades', reason: 'must be an array of trades' });
      }
      const outOfSample = parseOutOfSample(map.get('oos'), map.get('oos_metrics'), where, issues);
      const periods = map.get('period_returns');
      let periodReturns: Float64Array | undefined;
      if (periods !== undefined && periods !== null) {
        if (Array.isArray(periods) && periods.every((r) => typeof r === 'number' && r >= -1 && r < Infinity)) {
          periodReturns = Float64Array.from(periods as number[]);
        } else {
          issues.push({
            source: where,
            field: 'period_returns',
            reason: 'must be an array of finite returns of at least -1',
          });
        }
      }
      if (row !== undefined && issues.length === before) {
        records.push({
          row,
          origin: where,
          ...(equityCurve === undefined ? {} : { equityCurve }),
          ...(Array.isArray(trades) ? { trades: trades as Trade[] } : {}),
          ...(periodReturns === undefined ? {} : { periodReturns }),
          ...(outOfSample === undefined ? {} : { outOfSample }),
        });
      }
    });
  }
  if (issues.length > 0) report();
  return records;
}

/**
 * A run not yet saved as a transfer record, exactly as a save would store it (checked, with its
 * UUID fixed, the curve downsampled with its month ends, the trades): what a recovery file holds,
 * so that importing it later saves each run once.
 *
 * @example
 * writeFileSync('recovery.jsonl', formatRuns(inputs.map((input) => recordFromInput(input)), 'jsonl'));
 */
export function recordFromInput(input: BacktestInput, label = 'backtest result'): TransferRecord {
  const { values, equity } = prepareBacktest(input, label, () => Math.floor(Date.now() / 1000));
  const decode = (bytes: Buffer): Float64Array => decodeFloat64(bytes) ?? new Float64Array(0);
  return {
    row: values,
    ...(equity === undefined
      ? {}
      : {
          equityCurve: {
            timeMs: decode(equity.timeMs),
            equity: decode(equity.equity),
            sourcePointCount: equity.sourcePointCount,
            monthEnds: { timeMs: decode(equity.monthEndTimeMs), equity: decode(equity.monthEndEquity) },
          },
        }),
    ...(input.trades === undefined ? {} : { trades: input.trades }),
    ...(input.periodReturns === undefined ? {} : { periodReturns: input.periodReturns }),
    ...(input.outOfSample === undefined ? {} : { outOfSample: storedOutOfSample(input.outOfSample) }),
  };
}

/**
 * The save input of an imported record, so an import is checked exactly as a save is. The
 * config text is kept verbatim; the exported id is dropped (imports get new ids).
 *
 * @example
 * const input = inputFromRecord(records[0]);
 */
export function inputFromRecord(record: TransferRecord): BacktestInput {
  const { row } = record;
  const metrics = Object.fromEntries(METRIC_CATALOG.map(({ name }) => [name, row[name]]));
  const bars =
    row.bars_sha256 !== null &&
    row.bars_count !== null &&
    row.bars_first_time_ms !== null &&
    row.bars_last_time_ms !== null
      ? {
          sha256: row.bars_sha256,
          count: row.bars_count,
          firstTimeMs: row.bars_first_time_ms,
          lastTimeMs: row.bars_last_time_ms,
        }
      : undefined;
  const optional = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
    (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
  return {
    symbol: row.symbol,
    timeframe: row.timeframe,
    runTimestamp: row.run_timestamp,
    startDate: row.start_date,
    endDate: row.end_date,
    initialCapital: row.initial_capital,
    finalEquity: row.final_equity,
    totalReturn: row.total_return,
    metrics: metrics as Partial<Metrics>,
    uuid: row.uuid,
    outOfMoneyTimeMs: row.out_of_money_time_ms,
    ...optional('modelPath', row.model_path),
    ...optional('configJson', row.config_json),
    ...optional('notes', row.notes),
    ...optional('strategyName', row.strategy_name),
    ...optional('strategyParams', parseParams(row.strategy_params_json)),
    ...optional('modelSha256', row.model_sha256),
    ...optional('bars', bars),
    ...optional('packageVersion', row.package_version),
    ...optional('sweepId', row.sweep_id),
    ...optional(
      'strategyModule',
      row.strategy_module_path !== null && row.strategy_module_sha256 !== null
        ? { path: row.strategy_module_path, sha256: row.strategy_module_sha256 }
        : undefined,
    ),
    ...optional('equityCurve', record.equityCurve),
    ...optional('trades', record.trades),
    ...optional('periodReturns', record.periodReturns),
    ...optional('outOfSample', outOfSampleInput(record.outOfSample)),
    ...optional('walkForward', walkForwardLink(row)),
  };
}

/**
 * A run's walk-forward link (group, role, window) from its `walk_forward_*` fields, so an
 * imported training run stays hidden from `list` and `best` and a stitched run stays linked to
 * its group. Any of the three set gives a link, which the save check then judges (a role
 * without a group is an error, not a run quietly unlinked).
 */
function walkForwardLink(row: TransferRecord['row']): WalkForwardLink | undefined {
  const id = row.walk_forward_id ?? null;
  const role = row.walk_forward_role ?? null;
  const window = row.walk_forward_window ?? null;
  if (id === null && role === null && window === null) return undefined;
  return { id, role, ...(window === null ? {} : { window }) } as unknown as WalkForwardLink;
}

/** A split run's out-of-sample part as the two JSON keys `oos` and `oos_metrics`. */
export function outOfSampleJson(oos: StoredOutOfSample): {
  oos: Record<string, unknown>;
  oos_metrics: Record<string, unknown>;
} {
  const metrics: Record<string, unknown> = {};
  for (const { name } of METRIC_CATALOG) {
    const value = oos.metrics[name] ?? null;
    metrics[name] = typeof value === 'number' && !Number.isFinite(value) ? numberText(value) : value;
  }
  return {
    oos: {
      from_ms: oos.fromMs,
      to_ms: oos.toMs,
      bars_count: oos.barsCount,
      bars_sha256: oos.barsSha256,
      out_of_money_time_ms: oos.outOfMoneyTimeMs,
    },
    oos_metrics: metrics,
  };
}

/** Reads `oos` and `oos_metrics` of a JSON record (both or neither), collecting problems. */
function parseOutOfSample(
  oos: Cell,
  oosMetrics: Cell,
  where: string,
  issues: DataIssue[],
): StoredOutOfSample | undefined {
  if ((oos === undefined || oos === null) && (oosMetrics === undefined || oosMetrics === null)) return undefined;
  const fail = (field: string, reason: string): undefined => {
    issues.push({ source: where, field, reason });
    return undefined;
  };
  if (typeof oos !== 'object' || oos === null || Array.isArray(oos)) {
    return fail('oos', 'must be an object with from_ms, to_ms, bars_count, bars_sha256 and out_of_money_time_ms');
  }
  if (typeof oosMetrics !== 'object' || oosMetrics === null || Array.isArray(oosMetrics)) {
    return fail('oos_metrics', 'must be an object keyed by metric name, beside oos');
  }
  const o = oos as Record<string, Cell>;
  const whole = (name: string): number | undefined => {
    const value = o[name];
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
  };
  const fromMs = whole('from_ms');
  const toMs = whole('to_ms');
  const barsCount = whole('bars_count');
  const outOfMoney = o.out_of_money_time_ms;
  if (fromMs === undefined || toMs === undefined || barsCount === undefined || typeof o.bars_sha256 !== 'string') {
    return fail('oos', 'from_ms, to_ms and bars_count must be whole numbers and bars_sha256 a string');
  }
  if (outOfMoney !== null && outOfMoney !== undefined && whole('out_of_money_time_ms') === undefined) {
    return fail('oos', 'out_of_money_time_ms must be whole unix milliseconds or null');
  }
  const metrics: Record<string, number | null> = {};
  const given = oosMetrics as Record<string, Cell>;
  for (const name of Object.keys(given)) {
    if (!METRIC_CATALOG.some((m) => m.name === name)) return fail(`oos_metrics.${name}`, 'is not a metric');
  }
  for (const info of METRIC_CATALOG) {
    const converted = convertCell(
      { name: info.name as ColumnSpec['name'], kind: 'real', nullable: true, legacy: false },
      given[info.name],
    );
    if (typeof converted === 'string') return fail(`oos_metrics.${info.name}`, converted);
    metrics[info.name] = converted.value as number | null;
  }
  return {
    fromMs,
    toMs,
    barsCount,
    barsSha256: o.bars_sha256,
    outOfMoneyTimeMs: (outOfMoney as number | null | undefined) ?? null,
    metrics: metrics as StoredOutOfSample['metrics'],
  };
}

/** The stored form of an out-of-sample save input (what a recovery file holds). */
function storedOutOfSample(oos: OutOfSampleInput): StoredOutOfSample {
  return {
    fromMs: oos.bars.firstTimeMs,
    toMs: oos.bars.lastTimeMs,
    barsCount: oos.bars.count,
    barsSha256: oos.bars.sha256.toLowerCase(),
    outOfMoneyTimeMs: oos.outOfMoneyTimeMs ?? null,
    metrics: Object.fromEntries(
      METRIC_CATALOG.map(({ name }) => [name, oos.metrics[name] ?? null]),
    ) as StoredOutOfSample['metrics'],
  };
}

/** The save input of a stored out-of-sample part (imports check it as a save does). */
function outOfSampleInput(oos: StoredOutOfSample | undefined): OutOfSampleInput | undefined {
  if (oos === undefined) return undefined;
  return {
    bars: { sha256: oos.barsSha256, count: oos.barsCount, firstTimeMs: oos.fromMs, lastTimeMs: oos.toMs },
    metrics: oos.metrics,
    outOfMoneyTimeMs: oos.outOfMoneyTimeMs,
  };
}

/** Parameters stored as JSON text; text that is not a JSON object is passed on for the save check to name. */
function parseParams(text: string | null): Record<string, ParamValue> | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as Record<string, ParamValue>;
  } catch {
    return text as unknown as Record<string, ParamValue>;
  }
}
