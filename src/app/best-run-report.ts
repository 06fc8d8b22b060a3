import type { BacktestRow, MetricSample, ModelFilter, RunStore, StoredOutOfSample } from '../store/index.js';
import { type FamilyDeflatedSharpe, familyDeflatedSharpe } from './family-deflated-sharpe.js';

/** What {@link findBestRun} ranks: a symbol and timeframe, a metric, and optional narrowing. */
export interface BestRunRequest {
  readonly symbol: string;
  readonly timeframe: string;
  /** A rankable metric; anything else is a `ConfigError` from the store. */
  readonly metric: string;
  readonly sweepId?: string | undefined;
  readonly modelPath?: string | ModelFilter | undefined;
  /** Runs with fewer closed trades are not ranked (they still count as trials). */
  readonly minTrades: number;
  /** The winner is turned down when its deflated Sharpe ratio is below this (or unknown); a probability in [0, 1]. */
  readonly minDsr?: number | undefined;
  /**
   * `oos`: rank split runs by their out-of-sample metric (and `minTrades` counts their
   * out-of-sample trades); default `is`. The deflated Sharpe ratio stays the in-sample one.
   */
  readonly sample?: MetricSample | undefined;
  /** Rank walk-forward training runs too (left out by default). */
  readonly includeTraining?: boolean | undefined;
}

/**
 * The best run and how it was chosen: what `backtest best --json` prints.
 *
 * @example
 * { "best": { "id": 12, ... }, "matching": 40, "withValue": 38, "ranked": 35, "minTrades": 1,
 *   "trials": 40, "minDsr": 0.95, "deflatedSharpe": { "runId": 12, "probability": 0.97, ... } }
 */
export interface BestRunReport {
  /**
   * The best run; `null` when no run was ranked, or when the winner's deflated Sharpe ratio is
   * below `minDsr` (then `deflatedSharpe` says whose it was).
   */
  readonly best: BacktestRow | null;
  /** Runs matching the filters (symbol, timeframe, sweep, model). */
  readonly matching: number;
  /** Of those, runs with a value for the metric. */
  readonly withValue: number;
  /** Of those, runs with at least `minTrades` trades: the ones ranked. */
  readonly ranked: number;
  readonly minTrades: number;
  /**
   * Trials N of the deflated Sharpe ratio: every run the winner was chosen from (all matching
   * runs, those without a value or with too few trades too: they were tried).
   */
  readonly trials: number;
  /** The `--min-dsr` asked for, or `null`. */
  readonly minDsr: number | null;
  /** The winner's deflated Sharpe ratio over its trials (also when `minDsr` turned it down); `null` when none was ranked. */
  readonly deflatedSharpe: FamilyDeflatedSharpe | null;
  /** Which metrics were ranked: `is` (in-sample) or `oos` (out-of-sample). */
  readonly sample: MetricSample;
  /** The winner's out-of-sample part, when it was split; `null` otherwise. */
  readonly outOfSample: StoredOutOfSample | null;
}

/**
 * Finds the best stored run by a metric and its deflated Sharpe ratio over every run it was
 * chosen from, turning it down when that is below `minDsr`.
 *
 * @example
 * const report = await findBestRun(store, { symbol: 'GOOG', timeframe: '1Day', metric: 'sharpe_ratio', minTrades: 1 });
 * if (report.best !== null) console.log(report.best.id, report.deflatedSharpe?.probability);
 */
export async function findBestRun(store: RunStore, request: BestRunRequest): Promise<BestRunReport> {
  const filter = {
    symbol: request.symbol,
    timeframe: request.timeframe,
    sweepId: request.sweepId,
    modelPath: request.modelPath,
    includeTraining: request.includeTraining,
  };
  const sample = request.sample ?? 'is';
  const found = await store.bestRun(request.symbol, request.timeframe, request.metric, {
    ...filter,
    minTrades: request.minTrades,
    sample,
  });
  const outOfSample = found.row === undefined ? undefined : (await store.outOfSample([found.row.id])).get(found.row.id);
  const family = found.row === undefined ? undefined : await store.sharpeFamily(filter);
  const deflatedSharpe =
    found.row === undefined || family === undefined ? null : familyDeflatedSharpe(found.row, family);
  const minDsr = request.minDsr ?? null;
  const turnedDown = minDsr !== null && !((deflatedSharpe?.probability ?? -1) >= minDsr);
  return {
    best: found.row === undefined || turnedDown ? null : found.row,
    matching: found.matching,
    withValue: found.withValue,
    ranked: found.ranked,
    minTrades: request.minTrades,
    trials: family?.length ?? found.matching,
    minDsr,
    deflatedSharpe,
    sample,
    outOfSample: outOfSample ?? null,
  };
}
