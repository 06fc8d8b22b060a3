/**
 * `rerun` of a stitched walk-forward run: the whole walk-forward runs again from its stored
 * definition (same bars, grid, windows, metric and costs; nothing saved), and every window's
 * choice and the stitched metrics are compared with what was stored.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BarSeries } from '../../core/bars.js';
import { DataError, StoreError } from '../../core/errors.js';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import { canonicalTimeframe } from '../../core/timeframe.js';
import { fingerprintBars } from '../../data/index.js';
import { canonicalJson, type BacktestRow, type RunStore } from '../../store/index.js';
import { sliceBarsToRange } from '../bar-range.js';
import { packageVersion } from '../package-version.js';
import type { InputChange, MetricCheck, RerunReport, WindowCheck } from '../rerun-stored.js';
import { runWalkForward } from './run-walk-forward.js';

/**
 * Runs the walk-forward of stitched run `row` again and compares; see the module comment.
 * `loadBars` (a `--data` file) replaces the stored bars; either way only the bars of the stored
 * range are used.
 *
 * @example
 * const report = await rerunWalkForward(store, row);
 */
export async function rerunWalkForward(
  store: RunStore,
  row: BacktestRow,
  loadBars?: (row: BacktestRow) => BarSeries | Promise<BarSeries>,
): Promise<RerunReport> {
  const groupId = row.walk_forward_id ?? '';
  const record = await store.findWalkForward(groupId);
  if (record === undefined) {
    throw new StoreError(
      `run ${row.id} is the stitched run of walk-forward ${groupId}, which ${store.location} no longer has`,
    );
  }
  const { definition } = record;
  const range = { fromMs: definition.bars.firstTimeMs, toMs: definition.bars.lastTimeMs };
  let bars: BarSeries;
  if (loadBars !== undefined) {
    bars = sliceBarsToRange(await loadBars(row), range, `the bars of walk-forward ${groupId}`);
  } else {
    const timeframe = canonicalTimeframe(definition.timeframe);
    const stored = timeframe === undefined ? undefined : await store.loadBars(definition.symbol, timeframe, range);
    if (stored === undefined || stored.length === 0) {
      throw new DataError({
        source: `run ${row.id}`,
        reason: `no stored bars for ${definition.symbol} ${definition.timeframe}; import them with backtest data import FILE, or pass --data FILE${definition.dataFile === undefined ? '' : ` (it ran on ${definition.dataFile})`}`,
      });
    }
    bars = stored;
  }
  const changes: InputChange[] = [];
  const unchecked: InputChange['input'][] = [];
  const short = (hash: string | undefined) => (hash === undefined ? 'missing' : `sha256 ${hash.slice(0, 12)}…`);
  const now = fingerprintBars(bars);
  const sameBars = now.sha256 === definition.bars.sha256;
  if (!sameBars) changes.push({ input: 'bars', stored: short(definition.bars.sha256), now: short(now.sha256) });
  const module = definition.strategy.module;
  if (module !== undefined) {
    const current = fileSha256(module.path);
    if (current !== module.sha256)
      changes.push({ input: 'strategy file', stored: short(module.sha256), now: short(current) });
  }
  if (row.package_version === null) unchecked.push('package version');
  else if (row.package_version !== packageVersion()) {
    changes.push({ input: 'package version', stored: row.package_version, now: packageVersion() });
  }

  const outcome = await runWalkForward({
    bars,
    strategy: module?.path ?? definition.strategy.name,
    grid: definition.grid,
    where: definition.where,
    fixedParams: definition.fixedParams,
    config: definition.config,
    train: definition.train,
    test: definition.test,
    step: definition.step,
    anchored: definition.anchored,
    metric: definition.metric,
    minTrades: definition.minTrades,
  });
  const stitched = outcome.stitched;
  if (stitched === undefined) throw new StoreError(`walk-forward ${groupId} did not finish when run again`);

  const windows: WindowCheck[] = [];
  const count = Math.max(record.windows.length, outcome.results.length);
  for (let i = 0; i < count; i++) {
    const stored = record.windows[i];
    const again = outcome.results[i];
    const storedParams = stored === undefined ? 'missing' : stored.flat ? 'flat' : canonicalJson(stored.chosenParams);
    const rerunParams = again === undefined ? 'missing' : again.flat ? 'flat' : canonicalJson(again.chosenParams);
    windows.push({ index: i, stored: storedParams, rerun: rerunParams, same: storedParams === rerunParams });
  }
  const oos = (await store.outOfSample([row.id])).get(row.id);
  const metrics: MetricCheck[] = [
    ...METRIC_CATALOG.flatMap(({ name }): MetricCheck[] => {
      const value = row[name];
      if (typeof value !== 'number') return [];
      const rerun = stitched.metrics[name];
      return [{ metric: name, sample: 'is', stored: value, rerun, same: sameNumber(value, rerun) }];
    }),
    ...(oos === undefined
      ? []
      : METRIC_CATALOG.flatMap(({ name }): MetricCheck[] => {
          const value = oos.metrics[name];
          if (typeof value !== 'number') return [];
          const rerun = stitched.metrics[name];
          return [{ metric: name, sample: 'oos', stored: value, rerun, same: sameNumber(value, rerun) }];
        })),
  ];
  const decisive = changes.filter((c) => c.input !== 'package version');
  const reproduced = decisive.length === 0 && metrics.every((m) => m.same) && windows.every((w) => w.same);
  return { row, result: stitched, metrics, changes, unchecked, sameBars, sameModel: undefined, reproduced, windows };
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
