/**
 * The store port: everything the app, the CLI and the dashboard ask of a run history, as an
 * async interface. `SqliteRunStore` implements it over one file; a PostgreSQL store (part 9)
 * implements the same contract, checked by the same test suite (`run-store.case.test.ts`).
 *
 * Database-neutral pieces live beside it: input checks (`run-input.ts`), filters
 * (`run-filter.ts`), transfer formats (`run-transfer.ts`), codecs and UUIDs.
 */
import type { BarSeries } from '../core/bars.js';
import type { MetricName } from '../core/metric-catalog.js';
import type { EquityCurve, Trade } from '../core/result.js';
import type { Timeframe } from '../core/timeframe.js';
import type { BacktestFilter, BacktestQuery } from './run-filter.js';
import type { BacktestInput } from './run-input.js';
import type { BacktestRow } from './run-row.js';
import type { RunPeriodReturns, SweepOverfit } from './sweep-overfit.js';
import type { SweepDefinition, SweepRecord, SweepStatus } from './sweep-record.js';
import type { TransferRecord } from './run-transfer.js';
import type {
  WalkForwardDefinition,
  WalkForwardRecord,
  WalkForwardUpdate,
  WalkForwardWindowRecord,
} from './walk-forward-record.js';

/** A stored, downsampled equity curve. */
export interface StoredEquityCurve extends EquityCurve {
  /** Points in the curve the run produced, before downsampling. */
  readonly sourcePointCount: number;
  /** The last point of each calendar month of the full curve; absent for runs saved before it was kept. */
  readonly monthEnds?: EquityCurve | undefined;
}

/**
 * A set of bars in the bar store: one per symbol and timeframe. `symbol` is stored upper-cased
 * as first imported (`BTC/USD`); lookups match any spelling with the same `symbolKey`.
 */
export interface BarSetInfo {
  readonly symbol: string;
  /** Canonical spelling (`1Hour`), except for spellings this version does not know, kept as stored. */
  readonly timeframe: string;
  /** Number of bars. */
  readonly count: number;
  /** Unix milliseconds. */
  readonly firstTimeMs: number;
  /** Unix milliseconds. */
  readonly lastTimeMs: number;
  /** Where the set's first bars came from: `file` (a CSV import) or a provider such as `alpaca`. */
  readonly source: string;
  /** The provider's data feed (Alpaca: `iex`, `sip`, ...); `null` for bars from a file. */
  readonly feed: string | null;
  /** The provider's price adjustment (Alpaca: `raw`, `split`, `all`, ...); `null` for bars from a file. */
  readonly adjustment: string | null;
  /** When the set was created, unix ms; `null` in files older than the bar-set table (read-only). */
  readonly createdMs: number | null;
  /** When bars were last imported into the set, unix ms; `null` as for `createdMs`. */
  readonly updatedMs: number | null;
}

/**
 * Where imported bars come from. A set keeps one feed and one adjustment: importing bars whose
 * `feed` or `adjustment` differ from the set's is refused with a `ConfigError` (delete the set
 * first). Left out, `feed` and `adjustment` mean `null` (none, as for a CSV file), so file bars
 * are not mixed into a set fetched from a provider either.
 *
 * @example
 * await store.importBars(page, { source: 'alpaca', feed: 'iex', adjustment: 'raw' });
 */
export interface BarImportOptions {
  /** Default `file`; recorded when the import creates the set. */
  readonly source?: string | undefined;
  readonly feed?: string | null | undefined;
  readonly adjustment?: string | null | undefined;
}

/** What a bar import did. */
export interface BarImportSummary {
  /** Bars written: the series' length. */
  readonly inserted: number;
  /** Stored bars in the series' `[first, last]` time range that it replaced. */
  readonly replaced: number;
}

/** A time range of bars, unix ms, both ends inclusive; a missing end is open. */
export interface BarTimeRange {
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
}

/**
 * The out-of-sample part of a stored run (`run_oos_metrics`): where it starts and ends, its bars
 * and its own metrics. The run's row holds the in-sample part.
 */
export interface StoredOutOfSample {
  /** First out-of-sample bar, unix ms: where the evaluation started, flat with the initial cash. */
  readonly fromMs: number;
  /** Last out-of-sample bar, unix ms. */
  readonly toMs: number;
  readonly barsCount: number;
  /** SHA-256 of the out-of-sample bars (`BarsFingerprint.sha256`), lower-case hex. */
  readonly barsSha256: string;
  /** When the out-of-sample account ran out of money, unix ms; `null` when it never did. */
  readonly outOfMoneyTimeMs: number | null;
  /** Every metric, `null` where undefined (or not a number in the file). */
  readonly metrics: Readonly<Record<MetricName, number | null>>;
}

/** The best run and how many runs the ranking looked at. */
export interface BestRun {
  readonly row: BacktestRow | undefined;
  /** Runs matching the filter (symbol, timeframe, sweep, model ...). */
  readonly matching: number;
  /** Of those, runs with a value for the metric. */
  readonly withValue: number;
  /** Of those, runs with enough trades: the ones ranked. */
  readonly ranked: number;
}

/**
 * One run of a family of runs, with its Sharpe ratio and what de-annualizing it needs (periods
 * per year = per-bar returns / years between the first and last bar), for the deflated Sharpe
 * ratio, which the app layer computes. A value that is missing or not a number reads as `null`.
 */
export interface SharpeFamilyMember {
  readonly id: number;
  /** Annualized Sharpe ratio, as stored; `null` when undefined. */
  readonly sharpeRatio: number | null;
  /** Per-bar returns (`returns_count`); `null` for runs saved before schema 5. */
  readonly returnsCount: number | null;
  /** Bars the run used (`bars_count`); `null` for rows other programs wrote. */
  readonly barsCount: number | null;
  /** First bar time, unix ms; `null` for rows other programs wrote. */
  readonly firstTimeMs: number | null;
  /** Last bar time, unix ms; `null` for rows other programs wrote. */
  readonly lastTimeMs: number | null;
}

/** What an import did. */
export interface ImportSummary {
  readonly imported: number;
  /** Runs skipped because a run with the same UUID is already stored. */
  readonly present: number;
  /** Ids given to the imported runs, in file order. */
  readonly ids: readonly number[];
}

/**
 * A run history. Every method is async so that a networked database can implement it; every
 * failure is a `StoreError` (store unavailable, corrupt, unknown id), a `ConfigError` (bad
 * argument) or a `DataError` (bad import text).
 *
 * @example
 * const store = await openStore({ db: 'data/trading.db' });
 * try {
 *   const { row } = await store.bestRun('GOOG', '1Day', 'sharpe_ratio', { minTrades: 1 });
 * } finally {
 *   await store.close();
 * }
 */
export interface RunStore {
  /** Where the store is, for messages (a file path; a URL without its password). */
  readonly location: string;
  /** True when opened for reading only: writes throw. */
  readonly readonly: boolean;

  /** Saves one run (summary, side rows, curve, trades) in one transaction; its new id. */
  saveRun(input: BacktestInput): Promise<number>;
  /** Saves many runs in one transaction, all or none; ids in input order. */
  saveRuns(inputs: readonly BacktestInput[]): Promise<number[]>;
  /** Runs matching `query`, newest first unless sorted otherwise. */
  listRuns(query?: BacktestQuery): Promise<BacktestRow[]>;
  /** How many runs match. */
  countRuns(filter?: BacktestFilter): Promise<number>;
  /**
   * The best run of `symbol`/`timeframe` by `metric` (in its direction; NULL never best; ties
   * to the newest), among runs matching `filter`, with the counts it ranked.
   */
  bestRun(symbol: string, timeframe: string, metric: string, filter?: BacktestFilter): Promise<BestRun>;
  /**
   * Every run matching `filter` (those without a Sharpe ratio too: they are trials all the
   * same), by id, with its Sharpe ratio and what de-annualizes it; one query, no full rows.
   */
  sharpeFamily(filter?: BacktestFilter): Promise<SharpeFamilyMember[]>;
  /** One run by id, or `undefined`. */
  findRun(id: number): Promise<BacktestRow | undefined>;
  /** One run by id; a `StoreError` naming the store when there is none. */
  getRun(id: number): Promise<BacktestRow>;
  /** One run by its UUID, or `undefined`. */
  findRunByUuid(uuid: string): Promise<BacktestRow | undefined>;
  /** The stored equity curve of a run (at most 300 points), or `undefined`. */
  equityCurve(id: number): Promise<StoredEquityCurve | undefined>;
  /**
   * The out-of-sample parts of runs split with `--oos-from`/`--oos-fraction` (and of stitched
   * walk-forward runs), by id; runs without one are not in the map.
   */
  outOfSample(ids: readonly number[]): Promise<Map<number, StoredOutOfSample>>;
  /** The stored trades of a run, or `undefined` when none were stored (rows other programs wrote). */
  trades(id: number): Promise<Trade[] | undefined>;
  /** Deletes runs with their side rows; how many existed. */
  deleteRuns(ids: readonly number[]): Promise<number>;
  /** Every run matching `filter` with its curve and trades, oldest first (for export). */
  exportRuns(filter?: BacktestFilter): Promise<TransferRecord[]>;
  /** Imports checked records, skipping runs whose UUID is already stored. */
  importRuns(records: readonly TransferRecord[]): Promise<ImportSummary>;

  /** Stores a new sweep (status `running`). */
  createSweep(definition: SweepDefinition, planned: number): Promise<SweepRecord>;
  /** Updates a sweep's status and counts. */
  updateSweep(
    sweepId: string,
    update: {
      readonly status?: SweepStatus;
      readonly planned?: number;
      readonly done?: number;
      readonly failed?: number;
    },
  ): Promise<void>;
  /** One sweep, or `undefined`. */
  findSweep(sweepId: string): Promise<SweepRecord | undefined>;
  /** Sweeps, newest first, optionally of one status. */
  listSweeps(filter?: { readonly status?: SweepStatus | undefined }): Promise<SweepRecord[]>;
  /** Deletes a sweep and all its runs; how many runs went with it. */
  deleteSweep(sweepId: string): Promise<number>;

  /** Stores a new walk-forward group (status `running`) with its definition and planned window count. */
  createWalkForward(definition: WalkForwardDefinition, windowCount: number): Promise<WalkForwardRecord>;
  /** Stores (or replaces) one finished window of a group. */
  saveWalkForwardWindow(groupId: string, window: WalkForwardWindowRecord): Promise<void>;
  /** Updates a group's status, stitched run or summary. */
  updateWalkForward(groupId: string, update: WalkForwardUpdate): Promise<void>;
  /** One walk-forward group with its finished windows, or `undefined`. */
  findWalkForward(groupId: string): Promise<WalkForwardRecord | undefined>;
  /** Every walk-forward group, newest first, with its finished windows. */
  listWalkForwards(): Promise<WalkForwardRecord[]>;
  /**
   * The period returns of every run of a sweep that has them, by id (runs saved before period
   * returns were kept have none and are left out).
   */
  sweepPeriodReturns(sweepId: string): Promise<RunPeriodReturns[]>;
  /** Stores a sweep's probability of backtest overfitting, replacing any stored before. */
  saveSweepOverfit(sweepId: string, overfit: SweepOverfit): Promise<void>;
  /** A sweep's stored probability of backtest overfitting, or `undefined` when none was computed. */
  findSweepOverfit(sweepId: string): Promise<SweepOverfit | undefined>;

  /**
   * Stores bars in the set of their symbol and timeframe (created when missing), in one
   * transaction: stored bars in the series' `[first, last]` time range are replaced, others
   * stay. A set holding another feed or adjustment refuses them with a `ConfigError`.
   */
  importBars(bars: BarSeries, options?: BarImportOptions): Promise<BarImportSummary>;
  /** Every stored bar set, sorted by symbol then timeframe. */
  listBarSets(): Promise<BarSetInfo[]>;
  /** One bar set, its symbol matched by `symbolKey` (`BTCUSD` finds `BTC/USD`); `undefined` when none. */
  getBarSet(symbol: string, timeframe: Timeframe): Promise<BarSetInfo | undefined>;
  /**
   * Stored bars of one set (symbol matched as in `getBarSet`), optionally only those in
   * `[fromMs, toMs]`, named as the set is; `undefined` when none match.
   */
  loadBars(symbol: string, timeframe: Timeframe, range?: BarTimeRange): Promise<BarSeries | undefined>;
  /** Deletes a bar set with all its bars; how many bars it had (0: there was no such set). */
  deleteBarSet(symbol: string, timeframe: Timeframe): Promise<number>;

  /** Releases the connection(s). Safe to call twice. */
  close(): Promise<void>;
}
