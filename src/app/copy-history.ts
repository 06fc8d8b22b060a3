/**
 * Copies a whole run history between two stores of any kind (SQLite → PostgreSQL to move a
 * history to the team, PostgreSQL → SQLite for a laptop): runs with their curves, trades and
 * side data (walk-forward training runs too, still linked to their group), sweeps, walk-forward
 * groups, and bar sets. Idempotent: runs are matched by their UUIDs (a run already in the target
 * is skipped), sweeps and walk-forward groups by id, and bars replace the same time range, so a
 * copy that stopped half-way is finished by running it again.
 */
import type { Timeframe } from '../core/timeframe.js';
import type { RunStore, TransferRecord, WalkForwardRecord } from '../store/index.js';

/** How a copy reports progress and sizes its batches. */
export interface CopyHistoryOptions {
  /** Runs read and imported per transaction; default 500. */
  readonly batchSize?: number | undefined;
  /** Hears the stage (`runs`, `bars`), how many of its items are done, and how many there are. */
  readonly onProgress?: ((stage: 'runs' | 'bars', done: number, total: number, detail: string) => void) | undefined;
}

/** What a copy did. */
export interface CopyHistorySummary {
  /** Runs the target did not have. */
  readonly runsCopied: number;
  /** Runs the target already had (same UUID), left as they were. */
  readonly runsPresent: number;
  /** Sweeps created in the target. */
  readonly sweepsCopied: number;
  /** Sweeps the target had already, their status and counts set to the source's. */
  readonly sweepsUpdated: number;
  /** Walk-forward groups created in the target. */
  readonly walkForwardsCopied: number;
  /** Walk-forward groups the target had already, their windows, status and summary set to the source's. */
  readonly walkForwardsUpdated: number;
  readonly barSets: number;
  readonly bars: number;
}

/**
 * Copies everything in `source` into `target`.
 *
 * @example
 * const summary = await copyHistory(await openStore({ db: 'data/trading.db', readonly: true }),
 *   await openStore({ db: 'postgres://backtest:secret@db.local/runs' }));
 */
export async function copyHistory(
  source: RunStore,
  target: RunStore,
  options: CopyHistoryOptions = {},
): Promise<CopyHistorySummary> {
  const batchSize = options.batchSize ?? 500;
  // Walk-forward training runs too: hidden from lists, they are copied with their group link.
  const total = await source.countRuns({ includeTraining: true });
  let runsCopied = 0;
  let runsPresent = 0;
  options.onProgress?.('runs', 0, total, '');
  // Period returns are read a sweep at a time (the store's unit for them), once per sweep.
  const sweepPeriods = new Map<string, Map<number, Float64Array>>();
  const periodReturnsOf = async (sweepId: string | null, id: number): Promise<Float64Array | undefined> => {
    if (sweepId === null) return undefined;
    let byRun = sweepPeriods.get(sweepId);
    if (byRun === undefined) {
      byRun = new Map((await source.sweepPeriodReturns(sweepId)).map((run) => [run.id, run.returns]));
      sweepPeriods.set(sweepId, byRun);
    }
    return byRun.get(id);
  };
  // Oldest first by id, so runs keep their order; each batch is one import (one transaction).
  for (let offset = 0; offset < total; offset += batchSize) {
    const rows = await source.listRuns({ sort: 'id', order: 'asc', limit: batchSize, offset, includeTraining: true });
    if (rows.length === 0) break;
    const records: TransferRecord[] = [];
    const outOfSample = await source.outOfSample(rows.map((row) => row.id));
    for (const row of rows) {
      const oos = outOfSample.get(row.id);
      const [equityCurve, trades, periodReturns] = await Promise.all([
        source.equityCurve(row.id),
        source.trades(row.id),
        periodReturnsOf(typeof row.sweep_id === 'string' ? row.sweep_id : null, row.id),
      ]);
      records.push({
        row,
        ...(equityCurve === undefined ? {} : { equityCurve }),
        ...(trades === undefined ? {} : { trades }),
        ...(periodReturns === undefined ? {} : { periodReturns }),
        ...(oos === undefined ? {} : { outOfSample: oos }),
        origin: `${source.location} run ${row.id}`,
      });
    }
    const summary = await target.importRuns(records);
    runsCopied += summary.imported;
    runsPresent += summary.present;
    options.onProgress?.('runs', Math.min(total, offset + rows.length), total, `${runsCopied} new`);
  }

  let sweepsCopied = 0;
  let sweepsUpdated = 0;
  for (const sweep of (await source.listSweeps()).reverse()) {
    const id = sweep.definition.sweepId;
    if ((await target.findSweep(id)) === undefined) {
      await target.createSweep(sweep.definition, sweep.planned);
      sweepsCopied++;
    } else {
      sweepsUpdated++;
    }
    await target.updateSweep(id, {
      status: sweep.status,
      planned: sweep.planned,
      done: sweep.done,
      failed: sweep.failed,
    });
    const overfit = await source.findSweepOverfit(id);
    if (overfit !== undefined) await target.saveSweepOverfit(id, overfit);
  }

  const walkForwards = await copyWalkForwards(source, target);

  const sets = await source.listBarSets();
  let bars = 0;
  options.onProgress?.('bars', 0, sets.length, '');
  for (const [i, set] of sets.entries()) {
    const series = await source.loadBars(set.symbol, set.timeframe as Timeframe);
    if (series !== undefined) {
      await target.importBars(series, { source: set.source, feed: set.feed, adjustment: set.adjustment });
      bars += series.length;
    }
    options.onProgress?.('bars', i + 1, sets.length, `${set.symbol} ${set.timeframe}`);
  }
  return {
    runsCopied,
    runsPresent,
    sweepsCopied,
    sweepsUpdated,
    walkForwardsCopied: walkForwards.copied,
    walkForwardsUpdated: walkForwards.updated,
    barSets: sets.length,
    bars,
  };
}

/**
 * Copies every walk-forward group, oldest first, once the runs are in the target: a group the
 * target lacks is created; then each window is stored (replacing one of the same index) and the
 * status and summary are set to the source's. The stitched run's id is the target's id of the
 * run with the same UUID (ids differ between stores); training runs need nothing here, as they
 * carry their group link themselves.
 */
async function copyWalkForwards(
  source: RunStore,
  target: RunStore,
): Promise<{ readonly copied: number; readonly updated: number }> {
  let copied = 0;
  let updated = 0;
  for (const group of (await source.listWalkForwards()).reverse()) {
    const id = group.definition.groupId;
    if ((await target.findWalkForward(id)) === undefined) {
      await target.createWalkForward(group.definition, group.windowCount);
      copied++;
    } else {
      updated++;
    }
    for (const window of group.windows) await target.saveWalkForwardWindow(id, window);
    const stitchedRunId = await targetRunId(source, target, group);
    await target.updateWalkForward(id, {
      status: group.status,
      ...(stitchedRunId === undefined ? {} : { stitchedRunId }),
      ...(group.summary === null ? {} : { summary: group.summary }),
    });
  }
  return { copied, updated };
}

/** The target's id of a group's stitched run (matched by UUID); `undefined` when there is none. */
async function targetRunId(source: RunStore, target: RunStore, group: WalkForwardRecord): Promise<number | undefined> {
  if (group.stitchedRunId === null) return undefined;
  const run = await source.findRun(group.stitchedRunId);
  if (run === undefined) return undefined;
  return (await target.findRunByUuid(run.uuid))?.id;
}
