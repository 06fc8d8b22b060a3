/**
 * The run store: the {@link RunStore} port, its database-neutral parts (inputs, filters,
 * transfer formats, sweep records), and `openStore`, which loads an implementation on demand.
 * Nothing here loads a database driver; the SQLite implementation is in `./sqlite/index.js`.
 *
 * @example
 * const store = await openStore({ readonly: true });
 * const { row } = await store.bestRun('GOOG', '1Day', 'sharpe_ratio');
 * await store.close();
 */
export { canonicalJson, sha256Hex } from './canonical-json.js';
export { downsampleEquity, MAX_EQUITY_POINTS, monthEndPoints } from './downsample-equity.js';
export { openStore, type OpenStoreOptions, withStore } from './open-store.js';
export { DATABASE_PATH_ENV, DEFAULT_DATABASE_PATH, resolveDatabasePath } from './resolve-database-path.js';
export {
  type BacktestFilter,
  type BacktestQuery,
  type BacktestSortKey,
  checkRankMetric,
  MAX_LIMIT,
  type MetricSample,
  type ModelFilter,
  modelFilterFromText,
} from './run-filter.js';
export {
  type BacktestInput,
  type BacktestInputExtras,
  backtestInputFromResult,
  type OutOfSampleInput,
  type PreparedBacktest,
  prepareBacktest,
  type WalkForwardLink,
  WalkForwardRole,
} from './run-input.js';
export {
  BACKTEST_COLUMNS,
  type BacktestRow,
  type BacktestRowValues,
  type ColumnKind,
  type ColumnSpec,
  LEGACY_COLUMNS,
} from './run-row.js';
export type {
  BarImportOptions,
  BarImportSummary,
  BarSetInfo,
  BarTimeRange,
  BestRun,
  ImportSummary,
  RunStore,
  SharpeFamilyMember,
  StoredEquityCurve,
  StoredOutOfSample,
} from './run-store.js';
export {
  checkTransferFormat,
  csvField,
  formatRuns,
  inputFromRecord,
  parseRuns,
  recordFromInput,
  type TransferFormat,
  type TransferRecord,
} from './run-transfer.js';
export { legacyRowUuid, newRunUuid } from './run-uuid.js';
export { isPartialSweep, type SweepDefinition, type SweepRecord, SweepStatus } from './sweep-record.js';
export type { RunPeriodReturns, SweepOverfit } from './sweep-overfit.js';
export { decodeTrades, encodeTrades, TRADE_BYTES } from './trade-codec.js';
export {
  isPartialWalkForward,
  type StoredMetricSet,
  type WalkForwardDefinition,
  type WalkForwardRecord,
  WalkForwardStatus,
  type WalkForwardSummary,
  type WalkForwardUpdate,
  type WalkForwardWindowRecord,
} from './walk-forward-record.js';

/**
 * The stored config of a row, parsed; `undefined` when the row has none or its text is not JSON
 * (possible only in rows other programs wrote).
 *
 * @example
 * const config = parseStoredConfig(row);
 */
export function parseStoredConfig(row: { readonly config_json: string | null }): unknown {
  if (row.config_json === null) return undefined;
  try {
    return JSON.parse(row.config_json) as unknown;
  } catch {
    return undefined;
  }
}
