/**
 * One run as pages show it, whether it comes straight from a backtest or from a stored row.
 */
import type { BacktestResult } from '../app/backtest-result.js';
import type { MetricName } from '../core/metric-catalog.js';
import { METRIC_CATALOG } from '../core/metric-catalog.js';
import type { BacktestRow } from '../store/index.js';
import { formatParams, type StoredOutOfMoney } from '../app/format-values.js';
import { rowParams, rowStrategyName } from '../app/stored-run.js';

/** What the header, metrics table and config sections of a page need. */
export interface RunView {
  /** Stored id, when the run was saved. */
  readonly id?: number;
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategyName: string | undefined;
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly modelPath: string | undefined;
  readonly modelSha256: string | undefined;
  /** First and last bar, unix milliseconds. */
  readonly firstTimeMs: number;
  readonly lastTimeMs: number;
  readonly barCount: number | undefined;
  readonly initialCapital: number;
  /** The run config as stored (parsed JSON) or as run. */
  readonly config: unknown;
  readonly notes: string | undefined;
  /** When the run was saved, unix seconds. */
  readonly savedAtSeconds: number | undefined;
  readonly sweepId: string | undefined;
  readonly packageVersion: string | undefined;
  readonly configHash: string | undefined;
  readonly barsSha256: string | undefined;
  readonly skippedOrders: number | undefined;
  /** The bar at whose close the account ran out of money; `null` when it never did or was not recorded. */
  readonly outOfMoney: StoredOutOfMoney | null;
  /** Every catalog metric; `null` for undefined or not recorded. */
  readonly metrics: Readonly<Record<MetricName, number | null>>;
}

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A file written by another program may hold anything; show it as text rather than fail.
    return text;
  }
}

/**
 * The metrics of a stored row, keyed by catalog name (rows store each metric in its own column).
 *
 * @example
 * rowMetrics(row).sharpe_ratio;
 */
export function rowMetrics(row: BacktestRow): Record<MetricName, number | null> {
  const out = {} as Record<MetricName, number | null>;
  for (const { name } of METRIC_CATALOG) {
    const value = (row as unknown as Record<string, unknown>)[name];
    out[name] = typeof value === 'number' ? value : null;
  }
  return out;
}

/**
 * A stored row as a {@link RunView}.
 *
 * @example
 * const view = runViewFromRow(db.getBacktestOrThrow(7));
 */
export function runViewFromRow(row: BacktestRow): RunView {
  return {
    id: row.id,
    symbol: row.symbol,
    timeframe: row.timeframe,
    strategyName: rowStrategyName(row),
    params: rowParams(row),
    modelPath: orUndefined(row.model_path),
    modelSha256: orUndefined(row.model_sha256),
    firstTimeMs: row.bars_first_time_ms ?? row.start_date * 1000,
    lastTimeMs: row.bars_last_time_ms ?? row.end_date * 1000,
    barCount: orUndefined(row.bars_count),
    initialCapital: row.initial_capital,
    config: parseJson(row.config_json),
    notes: orUndefined(row.notes),
    savedAtSeconds: row.run_timestamp,
    sweepId: orUndefined(row.sweep_id),
    packageVersion: orUndefined(row.package_version),
    configHash: orUndefined(row.config_hash),
    barsSha256: orUndefined(row.bars_sha256),
    skippedOrders: undefined,
    outOfMoney: row.out_of_money_time_ms === null ? null : { timeMs: row.out_of_money_time_ms },
    metrics: rowMetrics(row),
  };
}

/**
 * A fresh backtest result as a {@link RunView} (not saved: no id, no save time).
 *
 * @example
 * const view = runViewFromResult(await runBacktest({ bars, strategy: 'sma-cross' }));
 */
export function runViewFromResult(result: BacktestResult): RunView {
  const { config } = result;
  const n = result.equityCurve.timeMs.length;
  return {
    symbol: result.symbol,
    timeframe: result.timeframe,
    strategyName: config.strategy.name,
    params: config.strategy.params,
    modelPath: result.model?.path,
    modelSha256: result.model?.sha256,
    firstTimeMs: n === 0 ? 0 : (result.equityCurve.timeMs[0] as number),
    lastTimeMs: n === 0 ? 0 : (result.equityCurve.timeMs[n - 1] as number),
    barCount: n,
    initialCapital: config.initialCash,
    config,
    notes: undefined,
    savedAtSeconds: undefined,
    sweepId: undefined,
    packageVersion: undefined,
    configHash: undefined,
    barsSha256: undefined,
    skippedOrders: result.skippedOrders,
    outOfMoney: result.outOfMoney,
    metrics: { ...result.metrics },
  };
}

/**
 * A short name for a run: strategy (or model file) and parameters.
 *
 * @example
 * strategyLabel(view); // 'sma-cross (fast=10, slow=30)'
 */
export function strategyLabel(view: Pick<RunView, 'strategyName' | 'params' | 'modelPath'>): string {
  const name = view.strategyName ?? (view.modelPath === undefined ? 'unknown strategy' : 'model');
  const params = formatParams(view.params);
  return params === '' ? name : `${name} (${params})`;
}
