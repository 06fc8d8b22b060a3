/**
 * The probability of backtest overfitting of a stored sweep (Bailey, Borwein, López de Prado and
 * Zhu, 2017; the method and its conventions are in `../metrics/cscv.ts`), for `backtest overfit`,
 * `sweeps show` and the dashboard's sweep page.
 *
 * The T×N matrix is every run of the sweep that stored its period returns (one column each, in
 * id order), on the sweep's period grid: the bars' returns in consecutive groups, compounded per
 * group, computed by the sweep's workers from the full equity curve (`periodReturns` in
 * `../metrics/period-returns.ts`). Runs saved before period returns were kept (schema 6) have
 * none and are left out and counted; a sweep none of whose runs has them cannot be assessed.
 */
import { DataError, StoreError, UsageError } from '../core/errors.js';
import { type CscvMetric, cscv, DEFAULT_CSCV_BLOCKS, MAX_CSCV_BLOCKS } from '../metrics/index.js';
import type { RunPeriodReturns, RunStore, SweepOverfit, SweepRecord } from '../store/index.js';

/** Options of {@link assessSweepOverfit}. */
export interface SweepOverfitOptions {
  /** S: an even number from 2 to 20; default 16. */
  readonly blocks?: number | undefined;
  /** Default `sharpe_ratio`. */
  readonly metric?: CscvMetric | undefined;
  /** Clock for `computedMs`; default `Date.now`. */
  readonly nowMs?: (() => number) | undefined;
}

/** A run chosen in-sample in some splits. */
export interface InSampleChoice {
  readonly runId: number;
  /** The run's parameters as stored (canonical JSON), or `null`. */
  readonly strategyParamsJson: string | null;
  /** The share of splits in which it was the in-sample winner. */
  readonly share: number;
}

/** A sweep's probability of backtest overfitting, with what it was computed from. */
export interface SweepOverfitReport {
  readonly sweepId: string;
  /** The stored sweep; `undefined` for runs saved under a sweep id without a sweep record. */
  readonly record: SweepRecord | undefined;
  readonly overfit: SweepOverfit;
  /** Runs of the sweep without period returns (saved before they were kept), left out. */
  readonly runsWithoutPeriodReturns: number;
  /** The runs chosen in-sample most often, most often first (at most 5). */
  readonly mostChosen: readonly InSampleChoice[];
}

/** How many of the runs chosen most often in-sample a report names. */
const MOST_CHOSEN = 5;

/**
 * Reads a sweep's period returns, runs CSCV over them and returns the result (not yet stored:
 * see {@link storeSweepOverfit}). Errors, each one line: an unknown sweep is a `StoreError`
 * (exit 5); a sweep without period returns (saved before they were kept) or with runs on
 * different grids a `DataError` (exit 3); fewer than 2 runs, fewer periods than blocks, or
 * blocks not even from 2 to 20 a `UsageError` (exit 2).
 *
 * @example
 * const report = await assessSweepOverfit(store, 'sweep-20260101-120000-abc123', { blocks: 16 });
 * console.log(report.overfit.pbo);
 */
export async function assessSweepOverfit(
  store: RunStore,
  sweepId: string,
  options: SweepOverfitOptions = {},
): Promise<SweepOverfitReport> {
  const blocks = options.blocks ?? DEFAULT_CSCV_BLOCKS;
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0 || blocks > MAX_CSCV_BLOCKS) {
    throw new UsageError(`--blocks ${blocks} is not an even whole number from 2 to ${MAX_CSCV_BLOCKS}`);
  }
  const [record, runCount, runs] = await Promise.all([
    store.findSweep(sweepId),
    store.countRuns({ sweepId }),
    store.sweepPeriodReturns(sweepId),
  ]);
  if (record === undefined && runCount === 0) {
    throw new StoreError(`database ${store.location} has no sweep ${sweepId}; backtest sweeps lists the stored ones`);
  }
  const source = `sweep ${sweepId}`;
  if (runs.length === 0) {
    throw new DataError({
      source,
      reason: `none of its ${runCount} saved run${runCount === 1 ? '' : 's'} has period returns: they were saved before this version kept them; run the sweep again with --save-to-db to assess it`,
    });
  }
  checkSameGrid(runs, source);
  if (runs.length < 2) {
    throw new UsageError(
      `${source} has 1 run with period returns; the probability of backtest overfitting compares at least 2 configurations`,
    );
  }
  const periods = (runs[0] as RunPeriodReturns).returns.length;
  if (periods < blocks) {
    throw new UsageError(
      `${source} has ${periods} period${periods === 1 ? '' : 's'} per run, fewer than --blocks ${blocks}; pass an even --blocks of at most ${periods - (periods % 2)}`,
    );
  }
  const result = cscv({ returns: runs.map((run) => run.returns), blocks, metric: options.metric });
  const overfit: SweepOverfit = {
    computedMs: (options.nowMs ?? Date.now)(),
    metric: result.metric,
    blocks: result.blocks,
    configurations: result.configurations,
    periods: result.periods,
    splits: result.splits,
    pbo: result.pbo,
    slope: result.slope,
    intercept: result.intercept,
    rSquared: result.rSquared,
    probabilityOfLoss: result.probabilityOfLoss,
    logits: result.logits,
    inSample: result.inSample,
    outOfSample: result.outOfSample,
  };
  return {
    sweepId,
    record,
    overfit,
    runsWithoutPeriodReturns: runCount - runs.length,
    mostChosen: mostChosen(result.winners, runs),
  };
}

/**
 * Stores a report's result with its sweep, replacing an earlier one.
 *
 * @example
 * await storeSweepOverfit(writable, report);
 */
export async function storeSweepOverfit(store: RunStore, report: SweepOverfitReport): Promise<void> {
  await store.saveSweepOverfit(report.sweepId, report.overfit);
}

/** Every run must have as many periods as the first: one grid for the whole sweep. */
function checkSameGrid(runs: readonly RunPeriodReturns[], source: string): void {
  const first = runs[0] as RunPeriodReturns;
  const other = runs.find((run) => run.returns.length !== first.returns.length);
  if (other !== undefined) {
    throw new DataError({
      source,
      reason: `its runs have period returns on different grids: run ${first.id} has ${first.returns.length} periods, run ${other.id} has ${other.returns.length}; delete the odd runs or run the sweep again`,
    });
  }
}

function mostChosen(winners: Int32Array, runs: readonly RunPeriodReturns[]): InSampleChoice[] {
  const counts = new Map<number, number>();
  for (const winner of winners) counts.set(winner, (counts.get(winner) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, MOST_CHOSEN)
    .map(([index, count]) => {
      const run = runs[index] as RunPeriodReturns;
      return { runId: run.id, strategyParamsJson: run.strategyParamsJson, share: count / winners.length };
    });
}
