import type { MetricName } from '../core/metric-catalog.js';

/** How a column's values are typed in SQLite and checked on import. */
export type ColumnKind = 'text' | 'integer' | 'real';

/** One column of `backtest_results`. */
export interface ColumnSpec {
  readonly name: keyof BacktestRow;
  readonly kind: ColumnKind;
  /** `false` for the older tool's NOT NULL columns. */
  readonly nullable: boolean;
  /**
   * `true` for the older tool's 18 columns, which live in `backtest_results`; `false` for the
   * rest, which live in side tables keyed by the run id (so the older tool's table stays as it was).
   */
  readonly legacy: boolean;
}

/**
 * One row of `backtest_results`, keyed exactly by its column names.
 *
 * Units: `run_timestamp`, `start_date`, `end_date` are unix seconds; `*_time_ms` are unix
 * milliseconds; `total_return`, `max_drawdown`, `win_rate` and the other `%` metrics of
 * `METRIC_CATALOG` are percentages (12.5 = 12.5 %). `null` means "undefined metric" or "not
 * recorded" (rows written by the older tool have `null` in every added column). A metric may be
 * `Infinity`/`-Infinity` (e.g. `profit_factor` with no losing trade), never NaN.
 *
 * @example
 * const row: BacktestRow | undefined = db.getBacktest(1);
 * console.log(row?.symbol, row?.total_return);
 */
export interface BacktestRow {
  /** Row id, assigned by the database (never reused after a delete). */
  readonly id: number;
  readonly symbol: string;
  readonly timeframe: string;
  /** Path of the ONNX model file the run used, as given when saved. */
  readonly model_path: string | null;
  /** When the run was saved, unix seconds. */
  readonly run_timestamp: number;
  /** First bar time, unix seconds. */
  readonly start_date: number;
  /** Last bar time, unix seconds. */
  readonly end_date: number;
  /** Starting cash, account currency. */
  readonly initial_capital: number;
  /** Equity after the last bar, account currency. */
  readonly final_equity: number;
  /** Percent. */
  readonly total_return: number;
  readonly sharpe_ratio: number | null;
  /** Percent, negative or zero. */
  readonly max_drawdown: number | null;
  /** Percent. */
  readonly win_rate: number | null;
  /** May be `Infinity` when no trade lost money. */
  readonly profit_factor: number | null;
  readonly total_trades: number | null;
  /** Account currency. */
  readonly avg_trade_pnl: number | null;
  /** Canonical JSON of the run config (keys sorted, no whitespace), as stored. */
  readonly config_json: string | null;
  readonly notes: string | null;
  /** Percent per year. */
  readonly cagr: number | null;
  /** Percent, annualized. */
  readonly volatility: number | null;
  readonly sortino_ratio: number | null;
  readonly calmar_ratio: number | null;
  /** Bars. */
  readonly max_drawdown_duration: number | null;
  /** Percent. */
  readonly best_trade: number | null;
  /** Percent. */
  readonly worst_trade: number | null;
  /** Bars. */
  readonly avg_trade_duration: number | null;
  /** Percent of bars with a position open. */
  readonly exposure: number | null;
  /** Percent. */
  readonly buy_and_hold_return: number | null;
  /** Percent per trade. */
  readonly expectancy: number | null;
  readonly sqn: number | null;
  readonly strategy_name: string | null;
  /** Canonical JSON of the strategy parameters after defaults. */
  readonly strategy_params_json: string | null;
  /** SHA-256 of the model file, lower-case hex. */
  readonly model_sha256: string | null;
  /** SHA-256 of the bars' columns, lower-case hex (`BarsFingerprint.sha256`). */
  readonly bars_sha256: string | null;
  readonly bars_count: number | null;
  /** Unix milliseconds. */
  readonly bars_first_time_ms: number | null;
  /** Unix milliseconds. */
  readonly bars_last_time_ms: number | null;
  /** Version of backtest-ledger that produced the run. */
  readonly package_version: string | null;
  /** Groups the runs of one parameter sweep. */
  readonly sweep_id: string | null;
  /** SHA-256 (hex) of `config_json`, so equal configs can be found with one comparison. */
  readonly config_hash: string | null;
  /**
   * Stable unique id of the run, kept across export and import (lower-case UUID). Runs saved by
   * this toolkit get a random one (v4); rows other programs inserted get one derived from their
   * 18 columns (v5, see `legacyRowUuid`), so every export of them agrees.
   */
  readonly uuid: string;
  /** When equity reached zero and the run stopped trading, unix milliseconds; null if it never did. */
  readonly out_of_money_time_ms: number | null;
  /** Absolute path of the strategy module file, for strategies loaded from a module. */
  readonly strategy_module_path: string | null;
  /** SHA-256 of that module file, lower-case hex. */
  readonly strategy_module_sha256: string | null;
  /** Skewness of per-bar returns (population moments); null for runs saved before schema 5. */
  readonly returns_skewness: number | null;
  /** Kurtosis of per-bar returns, not excess (3 for normal returns); null as skewness. */
  readonly returns_kurtosis: number | null;
  /** Number of per-bar returns (bars − 1); null for runs saved before schema 5. */
  readonly returns_count: number | null;
  /** The walk-forward group the run belongs to (`backtest walk-forwards`); null for other runs. */
  readonly walk_forward_id: string | null;
  /**
   * Its role in that group: `training` (a run of one window's grid, left out of `list` and `best`
   * unless asked for) or `stitched` (the stitched out-of-sample run); null for other runs.
   */
  readonly walk_forward_role: string | null;
  /** For a training run, the index of its window (0 is the first); null otherwise. */
  readonly walk_forward_window: number | null;
}

/** A row as written: every column but `id`. */
export type BacktestRowValues = Omit<BacktestRow, 'id'>;

/**
 * Every field of a stored run: the older tool's 18 columns first (in its table order), then
 * the fields kept in side tables. Exports use this order.
 */
export const BACKTEST_COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', kind: 'integer', nullable: false, legacy: true },
  { name: 'symbol', kind: 'text', nullable: false, legacy: true },
  { name: 'timeframe', kind: 'text', nullable: false, legacy: true },
  { name: 'model_path', kind: 'text', nullable: true, legacy: true },
  { name: 'run_timestamp', kind: 'integer', nullable: false, legacy: true },
  { name: 'start_date', kind: 'integer', nullable: false, legacy: true },
  { name: 'end_date', kind: 'integer', nullable: false, legacy: true },
  { name: 'initial_capital', kind: 'real', nullable: false, legacy: true },
  { name: 'final_equity', kind: 'real', nullable: false, legacy: true },
  { name: 'total_return', kind: 'real', nullable: false, legacy: true },
  { name: 'sharpe_ratio', kind: 'real', nullable: true, legacy: true },
  { name: 'max_drawdown', kind: 'real', nullable: true, legacy: true },
  { name: 'win_rate', kind: 'real', nullable: true, legacy: true },
  { name: 'profit_factor', kind: 'real', nullable: true, legacy: true },
  { name: 'total_trades', kind: 'integer', nullable: true, legacy: true },
  { name: 'avg_trade_pnl', kind: 'real', nullable: true, legacy: true },
  { name: 'config_json', kind: 'text', nullable: true, legacy: true },
  { name: 'notes', kind: 'text', nullable: true, legacy: true },
  { name: 'cagr', kind: 'real', nullable: true, legacy: false },
  { name: 'volatility', kind: 'real', nullable: true, legacy: false },
  { name: 'sortino_ratio', kind: 'real', nullable: true, legacy: false },
  { name: 'calmar_ratio', kind: 'real', nullable: true, legacy: false },
  { name: 'max_drawdown_duration', kind: 'real', nullable: true, legacy: false },
  { name: 'best_trade', kind: 'real', nullable: true, legacy: false },
  { name: 'worst_trade', kind: 'real', nullable: true, legacy: false },
  { name: 'avg_trade_duration', kind: 'real', nullable: true, legacy: false },
  { name: 'exposure', kind: 'real', nullable: true, legacy: false },
  { name: 'buy_and_hold_return', kind: 'real', nullable: true, legacy: false },
  { name: 'expectancy', kind: 'real', nullable: true, legacy: false },
  { name: 'sqn', kind: 'real', nullable: true, legacy: false },
  { name: 'strategy_name', kind: 'text', nullable: true, legacy: false },
  { name: 'strategy_params_json', kind: 'text', nullable: true, legacy: false },
  { name: 'model_sha256', kind: 'text', nullable: true, legacy: false },
  { name: 'bars_sha256', kind: 'text', nullable: true, legacy: false },
  { name: 'bars_count', kind: 'integer', nullable: true, legacy: false },
  { name: 'bars_first_time_ms', kind: 'integer', nullable: true, legacy: false },
  { name: 'bars_last_time_ms', kind: 'integer', nullable: true, legacy: false },
  { name: 'package_version', kind: 'text', nullable: true, legacy: false },
  { name: 'sweep_id', kind: 'text', nullable: true, legacy: false },
  { name: 'config_hash', kind: 'text', nullable: true, legacy: false },
  { name: 'uuid', kind: 'text', nullable: false, legacy: false },
  { name: 'out_of_money_time_ms', kind: 'integer', nullable: true, legacy: false },
  { name: 'strategy_module_path', kind: 'text', nullable: true, legacy: false },
  { name: 'strategy_module_sha256', kind: 'text', nullable: true, legacy: false },
  { name: 'returns_skewness', kind: 'real', nullable: true, legacy: false },
  { name: 'returns_kurtosis', kind: 'real', nullable: true, legacy: false },
  { name: 'returns_count', kind: 'integer', nullable: true, legacy: false },
  { name: 'walk_forward_id', kind: 'text', nullable: true, legacy: false },
  { name: 'walk_forward_role', kind: 'text', nullable: true, legacy: false },
  { name: 'walk_forward_window', kind: 'integer', nullable: true, legacy: false },
];

/** The older tool's 18 columns of `backtest_results`, in its table order. */
export const LEGACY_COLUMNS: readonly ColumnSpec[] = BACKTEST_COLUMNS.filter((c) => c.legacy);

/** Fields kept beside `backtest_results`, keyed by the run id. */
export const DETAIL_COLUMNS: readonly ColumnSpec[] = BACKTEST_COLUMNS.filter((c) => !c.legacy);

/**
 * Builds a row object from values in {@link BACKTEST_COLUMNS} order.
 * Written out as one object literal because that is several times faster than setting 40
 * computed keys or letting better-sqlite3 build objects, which matters when listing pages of
 * rows (a test checks that the order matches {@link BACKTEST_COLUMNS}).
 *
 * @example
 * const row = rowFromValues(stmt.raw(true).get(id) as unknown[]);
 */
export function rowFromValues(v: readonly unknown[]): BacktestRow {
  return {
    id: v[0] as BacktestRow['id'],
    symbol: v[1] as BacktestRow['symbol'],
    timeframe: v[2] as BacktestRow['timeframe'],
    model_path: v[3] as BacktestRow['model_path'],
    run_timestamp: v[4] as BacktestRow['run_timestamp'],
    start_date: v[5] as BacktestRow['start_date'],
    end_date: v[6] as BacktestRow['end_date'],
    initial_capital: v[7] as BacktestRow['initial_capital'],
    final_equity: v[8] as BacktestRow['final_equity'],
    total_return: v[9] as BacktestRow['total_return'],
    sharpe_ratio: v[10] as BacktestRow['sharpe_ratio'],
    max_drawdown: v[11] as BacktestRow['max_drawdown'],
    win_rate: v[12] as BacktestRow['win_rate'],
    profit_factor: v[13] as BacktestRow['profit_factor'],
    total_trades: v[14] as BacktestRow['total_trades'],
    avg_trade_pnl: v[15] as BacktestRow['avg_trade_pnl'],
    config_json: v[16] as BacktestRow['config_json'],
    notes: v[17] as BacktestRow['notes'],
    cagr: v[18] as BacktestRow['cagr'],
    volatility: v[19] as BacktestRow['volatility'],
    sortino_ratio: v[20] as BacktestRow['sortino_ratio'],
    calmar_ratio: v[21] as BacktestRow['calmar_ratio'],
    max_drawdown_duration: v[22] as BacktestRow['max_drawdown_duration'],
    best_trade: v[23] as BacktestRow['best_trade'],
    worst_trade: v[24] as BacktestRow['worst_trade'],
    avg_trade_duration: v[25] as BacktestRow['avg_trade_duration'],
    exposure: v[26] as BacktestRow['exposure'],
    buy_and_hold_return: v[27] as BacktestRow['buy_and_hold_return'],
    expectancy: v[28] as BacktestRow['expectancy'],
    sqn: v[29] as BacktestRow['sqn'],
    strategy_name: v[30] as BacktestRow['strategy_name'],
    strategy_params_json: v[31] as BacktestRow['strategy_params_json'],
    model_sha256: v[32] as BacktestRow['model_sha256'],
    bars_sha256: v[33] as BacktestRow['bars_sha256'],
    bars_count: v[34] as BacktestRow['bars_count'],
    bars_first_time_ms: v[35] as BacktestRow['bars_first_time_ms'],
    bars_last_time_ms: v[36] as BacktestRow['bars_last_time_ms'],
    package_version: v[37] as BacktestRow['package_version'],
    sweep_id: v[38] as BacktestRow['sweep_id'],
    config_hash: v[39] as BacktestRow['config_hash'],
    uuid: v[40] as BacktestRow['uuid'],
    out_of_money_time_ms: v[41] as BacktestRow['out_of_money_time_ms'],
    strategy_module_path: v[42] as BacktestRow['strategy_module_path'],
    strategy_module_sha256: v[43] as BacktestRow['strategy_module_sha256'],
    returns_skewness: v[44] as BacktestRow['returns_skewness'],
    returns_kurtosis: v[45] as BacktestRow['returns_kurtosis'],
    returns_count: v[46] as BacktestRow['returns_count'],
    walk_forward_id: v[47] as BacktestRow['walk_forward_id'],
    walk_forward_role: v[48] as BacktestRow['walk_forward_role'],
    walk_forward_window: v[49] as BacktestRow['walk_forward_window'],
  };
}

/**
 * The column each metric is stored in (in the side table, which has a copy of every metric
 * for ranking). It is the whitelist through which a metric name from a user reaches SQL: only
 * these values are ever spliced into a statement.
 */
export const METRIC_COLUMN: Readonly<Record<MetricName, string>> = {
  total_return: 'total_return',
  final_equity: 'final_equity',
  cagr: 'cagr',
  volatility: 'volatility',
  sharpe_ratio: 'sharpe_ratio',
  sortino_ratio: 'sortino_ratio',
  calmar_ratio: 'calmar_ratio',
  max_drawdown: 'max_drawdown',
  max_drawdown_duration: 'max_drawdown_duration',
  win_rate: 'win_rate',
  profit_factor: 'profit_factor',
  total_trades: 'total_trades',
  avg_trade_pnl: 'avg_trade_pnl',
  best_trade: 'best_trade',
  worst_trade: 'worst_trade',
  avg_trade_duration: 'avg_trade_duration',
  exposure: 'exposure',
  buy_and_hold_return: 'buy_and_hold_return',
  expectancy: 'expectancy',
  sqn: 'sqn',
  returns_skewness: 'returns_skewness',
  returns_kurtosis: 'returns_kurtosis',
  returns_count: 'returns_count',
};
