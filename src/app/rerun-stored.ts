import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BarSeries } from '../core/bars.js';
import type { BacktestConfig } from '../core/config.js';
import { DataError, StoreError } from '../core/errors.js';
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import { isTimeframe } from '../core/timeframe.js';
import { fingerprintBars } from '../data/index.js';
import { parseConfigJson, type BacktestRow, type TradingDatabase } from '../store/index.js';
import type { BacktestResult } from './backtest-result.js';
import { runFromConfig } from './run-from-config.js';

/** One metric, as stored and as computed again. */
export interface MetricCheck {
  readonly metric: MetricName;
  readonly stored: number | null;
  readonly rerun: number | null;
  readonly same: boolean;
}

/** The outcome of running a saved backtest again. */
export interface RerunReport {
  readonly row: BacktestRow;
  readonly result: BacktestResult;
  /** Metrics stored with the run (columns that are NULL in the row are left out). */
  readonly metrics: readonly MetricCheck[];
  /** False when the bars used now are not the bars the run used (their SHA-256 differs). */
  readonly sameBars: boolean | undefined;
  /** False when the model file has changed since the run (its SHA-256 differs). */
  readonly sameModel: boolean | undefined;
  /** True when bars, model and every stored metric match. */
  readonly reproduced: boolean;
}

/**
 * Runs a saved backtest again from its stored config, on the bars it names (from `loadBars`, or
 * the database's bar store over the run's first to last bar), and compares every stored metric.
 * Floating-point results must match to 1e-9 relative: the engine is deterministic, so any
 * larger difference means the data, the model or the code changed.
 *
 * @example
 * const report = await rerunStoredBacktest(db, 12);
 * console.log(report.reproduced);
 */
export async function rerunStoredBacktest(
  db: TradingDatabase,
  id: number,
  loadBars?: (row: BacktestRow) => BarSeries,
): Promise<RerunReport> {
  const row = db.getBacktestOrThrow(id);
  const config = parseConfigJson(row) as BacktestConfig | undefined;
  if (config === undefined) {
    throw new StoreError(`run ${id} has no stored config (it was saved by another program), so it cannot be run again`);
  }
  const input = loadBars === undefined ? storedBarsFor(db, row) : loadBars(row);
  const fingerprint = fingerprintBars(input);
  const result = await runFromConfig(input, config);
  const metrics = METRIC_CATALOG.flatMap(({ name }): MetricCheck[] => {
    const stored = row[name];
    if (stored === null) return [];
    const rerun = result.metrics[name];
    return [{ metric: name, stored, rerun, same: sameNumber(stored, rerun) }];
  });
  const sameBars = row.bars_sha256 === null ? undefined : row.bars_sha256 === fingerprint.sha256;
  // The file the config runs, which is the one to compare (model_path may be a display path).
  const modelFile = typeof config.strategy?.params?.model === 'string' ? config.strategy.params.model : row.model_path;
  const sameModel =
    row.model_sha256 === null || modelFile === null ? undefined : fileSha256(modelFile) === row.model_sha256;
  const reproduced = sameBars !== false && sameModel !== false && metrics.every((m) => m.same);
  return { row, result, metrics, sameBars, sameModel, reproduced };
}

function storedBarsFor(db: TradingDatabase, row: BacktestRow): BarSeries {
  if (!isTimeframe(row.timeframe)) {
    throw new DataError({
      source: `run ${row.id}`,
      reason: `timeframe "${row.timeframe}" is not one this version knows; pass --data FILE`,
    });
  }
  const fromMs = row.bars_first_time_ms ?? row.start_date * 1000;
  const toMs = row.bars_last_time_ms ?? row.end_date * 1000 + 999;
  const bars = db.loadBars(row.symbol, row.timeframe, { fromMs, toMs });
  if (bars === undefined) {
    throw new DataError({
      source: `run ${row.id}`,
      reason: `no stored bars for ${row.symbol} ${row.timeframe}; import them with backtest data import FILE, or pass --data FILE`,
    });
  }
  return bars;
}

function sameNumber(stored: number, rerun: number | null): boolean {
  if (rerun === null) return false;
  if (stored === rerun) return true;
  return Math.abs(stored - rerun) <= 1e-9 * Math.max(1, Math.abs(stored));
}

function fileSha256(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}
