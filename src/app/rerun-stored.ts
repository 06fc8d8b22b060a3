import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BarSeries } from '../core/bars.js';
import type { BacktestConfig } from '../core/config.js';
import { DataError, StoreError } from '../core/errors.js';
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import { canonicalTimeframe } from '../core/timeframe.js';
import { fingerprintBars } from '../data/index.js';
import { type BacktestRow, canonicalJson, parseStoredConfig, type RunStore } from '../store/index.js';
import type { BacktestResult } from './backtest-result.js';
import { packageVersion } from './package-version.js';
import { runFromConfig } from './run-from-config.js';

/** One metric, as stored and as computed again. */
export interface MetricCheck {
  readonly metric: MetricName;
  /** `oos` for the out-of-sample metrics of a split run; `is` (the run's own) otherwise. */
  readonly sample: 'is' | 'oos';
  readonly stored: number | null;
  readonly rerun: number | null;
  readonly same: boolean;
}

/** One input of a run that is not what it was when the run was saved. */
export interface InputChange {
  readonly input: 'bars' | 'out-of-sample bars' | 'model file' | 'strategy file' | 'package version' | 'config';
  /** What it was, in a few words (a hash prefix, a version). */
  readonly stored: string;
  /** What it is now. */
  readonly now: string;
}

/** The outcome of running a saved backtest again. */
export interface RerunReport {
  readonly row: BacktestRow;
  readonly result: BacktestResult;
  /** Metrics stored with the run (columns that are NULL in the row are left out). */
  readonly metrics: readonly MetricCheck[];
  /** Inputs that changed since the run was saved, in a fixed order; empty when none did. */
  readonly changes: readonly InputChange[];
  /** Inputs the run did not record, so they could not be checked (older rows). */
  readonly unchecked: readonly InputChange['input'][];
  /** False when the bars used now are not the bars the run used (their SHA-256 differs). */
  readonly sameBars: boolean | undefined;
  /** False when the model file has changed since the run (its SHA-256 differs). */
  readonly sameModel: boolean | undefined;
  /** True when every stored metric matches and no input that decides the numbers changed. */
  readonly reproduced: boolean;
  /** For the stitched run of a walk-forward: each window's choice, as stored and as run again. */
  readonly windows?: readonly WindowCheck[] | undefined;
}

/** One window of a walk-forward run again: its chosen parameters (canonical JSON, or `flat`). */
export interface WindowCheck {
  readonly index: number;
  readonly stored: string;
  readonly rerun: string;
  readonly same: boolean;
}

/**
 * Runs a saved backtest again from its stored config, on the bars it names (from `loadBars`, or
 * the store's bars over the run's first to last bar), and compares every stored metric and
 * every recorded input: bars, model file, strategy file, package version and config.
 * Floating-point results must match to 1e-9 relative: the engine is deterministic, so any
 * larger difference means the data, the model or the code changed.
 *
 * @example
 * const report = await rerunStoredBacktest(store, 12);
 * console.log(report.reproduced, report.changes);
 */
export async function rerunStoredBacktest(
  store: RunStore,
  id: number,
  loadBars?: (row: BacktestRow) => BarSeries | Promise<BarSeries>,
): Promise<RerunReport> {
  const row = await store.getRun(id);
  if (row.walk_forward_role === 'stitched' && row.walk_forward_id !== null) {
    // Its parameters change from window to window: the whole walk-forward is run again.
    const { rerunWalkForward } = await import('./walk-forward/rerun-walk-forward.js');
    return rerunWalkForward(store, row, loadBars);
  }
  const config = parseStoredConfig(row) as BacktestConfig | undefined;
  if (config === undefined) {
    throw new StoreError(`run ${id} has no stored config (it was saved by another program), so it cannot be run again`);
  }
  // A split run is run again split at the same bar: its in-sample bars, then its out-of-sample ones.
  const oos = (await store.outOfSample([id])).get(id);
  const input = loadBars === undefined ? await storedBarsFor(store, row, oos?.toMs) : await loadBars(row);
  const result = await runFromConfig(input, config, oos === undefined ? {} : { outOfSample: { fromMs: oos.fromMs } });
  const fingerprint = oos === undefined ? fingerprintBars(input) : result.bars;
  const check = (
    sample: MetricCheck['sample'],
    stored: (name: MetricName) => unknown,
    rerun: Readonly<Record<MetricName, number | null>> | undefined,
  ) =>
    METRIC_CATALOG.flatMap(({ name }): MetricCheck[] => {
      const value = stored(name);
      if (typeof value !== 'number') return [];
      const again = rerun?.[name] ?? null;
      return [{ metric: name, sample, stored: value, rerun: again, same: sameNumber(value, again) }];
    });
  const metrics = [
    ...check('is', (name) => row[name], result.metrics),
    ...(oos === undefined ? [] : check('oos', (name) => oos.metrics[name], result.outOfSample?.metrics)),
  ];

  const changes: InputChange[] = [];
  const unchecked: InputChange['input'][] = [];
  const compare = (what: InputChange['input'], stored: string | null, now: string | undefined): boolean | undefined => {
    if (stored === null) {
      unchecked.push(what);
      return undefined;
    }
    if (stored === now) return true;
    changes.push({ input: what, stored: shortHash(stored), now: now === undefined ? 'missing' : shortHash(now) });
    return false;
  };
  const sameBars = compare('bars', row.bars_sha256, fingerprint.sha256);
  if (oos !== undefined) compare('out-of-sample bars', oos.barsSha256, result.outOfSample?.bars.sha256);
  // The file the config runs, which is the one to compare (model_path may be a display path).
  const modelFile = typeof config.strategy?.params?.model === 'string' ? config.strategy.params.model : row.model_path;
  const sameModel = modelFile === null ? undefined : compare('model file', row.model_sha256, fileSha256(modelFile));
  if (config.strategy.module !== undefined) {
    compare('strategy file', row.strategy_module_sha256, fileSha256(config.strategy.module));
  }
  compare('package version', row.package_version, packageVersion());
  // The stored config is resolved again before it runs; new settings with defaults show here.
  const rerunConfig = canonicalJson(result.config);
  if (row.config_json !== rerunConfig && canonicalJson(JSON.parse(row.config_json ?? 'null')) !== rerunConfig) {
    changes.push({ input: 'config', stored: 'as saved', now: 'resolves differently (new settings or defaults)' });
  }
  const decisive = changes.filter((c) => c.input !== 'package version');
  const reproduced = decisive.length === 0 && metrics.every((m) => m.same);
  return { row, result, metrics, changes, unchecked, sameBars, sameModel, reproduced };
}

async function storedBarsFor(store: RunStore, row: BacktestRow, lastOutOfSampleMs?: number): Promise<BarSeries> {
  const timeframe = canonicalTimeframe(row.timeframe);
  if (timeframe === undefined) {
    throw new DataError({
      source: `run ${row.id}`,
      reason: `timeframe "${row.timeframe}" is not one this version knows; pass --data FILE`,
    });
  }
  const fromMs = row.bars_first_time_ms ?? row.start_date * 1000;
  const toMs = lastOutOfSampleMs ?? row.bars_last_time_ms ?? row.end_date * 1000 + 999;
  const bars = await store.loadBars(row.symbol, timeframe, { fromMs, toMs });
  if (bars === undefined) {
    throw new DataError({
      source: `run ${row.id}`,
      reason: `no stored bars for ${row.symbol} ${timeframe}; import them with backtest data import FILE, or pass --data FILE`,
    });
  }
  return bars;
}

function sameNumber(stored: number, rerun: number | null): boolean {
  if (rerun === null) return false;
  if (stored === rerun) return true;
  return Math.abs(stored - rerun) <= 1e-9 * Math.max(1, Math.abs(stored));
}

function shortHash(value: string): string {
  return /^[0-9a-f]{64}$/.test(value) ? `sha256 ${value.slice(0, 12)}…` : value;
}

function fileSha256(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}
