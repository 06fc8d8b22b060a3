/**
 * The SQLite run history as a synchronous API, in the older Python tool's vocabulary
 * (`saveBacktestResult`, `getBacktestResults`, `getBestBacktest`). The app, CLI and dashboard
 * use the async `RunStore` port instead (`SqliteRunStore` wraps this class); this API stays for
 * library users and scripts that want plain synchronous calls on one file.
 */
import { ConfigError, StoreError } from '../../core/errors.js';
import type { MetricName } from '../../core/metric-catalog.js';
import type { BarSeries } from '../../core/bars.js';
import type { Trade } from '../../core/result.js';
import type { Timeframe } from '../../core/timeframe.js';
import { type BacktestFilter, type BacktestQuery, checkFilter, checkQuery } from '../run-filter.js';
import { type BacktestInput, prepareBacktest } from '../run-input.js';
import type { BacktestRow } from '../run-row.js';
import type {
  BarImportOptions,
  BarImportSummary,
  BarSetInfo,
  BarTimeRange,
  BestRun,
  ImportSummary,
  SharpeFamilyMember,
  StoredEquityCurve,
  StoredOutOfSample,
} from '../run-store.js';
import {
  checkTransferFormat,
  formatRuns,
  inputFromRecord,
  parseRuns,
  type TransferFormat,
  type TransferRecord,
} from '../run-transfer.js';
import type { RunPeriodReturns, SweepOverfit } from '../sweep-overfit.js';
import type { SweepDefinition, SweepRecord, SweepStatus } from '../sweep-record.js';
import { BarsTable } from './bars-table.js';
import { OverfitTable } from './overfit-table.js';
import { RunsTable } from './runs-table.js';
import { type OpenDatabaseOptions, SqliteConnection } from './sqlite-connection.js';
import { SweepsTable } from './sweeps-table.js';
import { WalkForwardsTable } from './walk-forwards-table.js';
import type {
  WalkForwardDefinition,
  WalkForwardRecord,
  WalkForwardUpdate,
  WalkForwardWindowRecord,
} from '../walk-forward-record.js';

/**
 * The backtest database. Open it with {@link TradingDatabase.open}, use it synchronously, and
 * {@link TradingDatabase.close} it when done. Every failure is a `StoreError` naming the file,
 * a `ConfigError` for bad arguments, or a `DataError` for bad import text.
 *
 * @example
 * const db = TradingDatabase.open(resolveDatabasePath());
 * try {
 *   const id = db.saveBacktestResult({ symbol: 'GOOG', timeframe: '1Day', startDate: 1_577_836_800,
 *     endDate: 1_609_372_800, initialCapital: 10_000, finalEquity: 11_250, totalReturn: 12.5 });
 *   const best = db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio');
 * } finally {
 *   db.close();
 * }
 */
export class TradingDatabase {
  /** Clock for default `runTimestamp`s, unix seconds. */
  private readonly now: () => number = () => Math.floor(Date.now() / 1000);
  private readonly connection: SqliteConnection;
  private readonly runs: RunsTable;
  private readonly sweeps: SweepsTable;
  private readonly bars: BarsTable;
  private readonly walkForwards: WalkForwardsTable;
  private readonly overfit: OverfitTable;

  private constructor(connection: SqliteConnection) {
    this.connection = connection;
    this.runs = new RunsTable(connection);
    this.sweeps = new SweepsTable(connection);
    this.bars = new BarsTable(connection);
    this.walkForwards = new WalkForwardsTable(connection);
    this.overfit = new OverfitTable(connection);
  }

  /**
   * Opens (and, for writing, creates and upgrades) the database at `path`; `':memory:'` gives a
   * private in-memory database.
   *
   * For writing, a missing folder is created and an older schema — including a file written by
   * the older Python tool — is migrated in place, one transaction per step, keeping every row
   * (`onNotice` hears one line about it). A file that is not a database, or has a newer schema
   * than this build knows, is refused with a `StoreError` and left byte-for-byte unchanged.
   * `readonly` never creates or changes a file and reads an older schema as it is.
   *
   * @example
   * const db = TradingDatabase.open('/tmp/runs.db');
   */
  static open(path: string, options: OpenDatabaseOptions = {}): TradingDatabase {
    return new TradingDatabase(SqliteConnection.open(path, options));
  }

  /** The file path as given to {@link TradingDatabase.open}. */
  get path(): string {
    return this.connection.path;
  }

  /** True when opened with `readonly: true`. */
  get readonly(): boolean {
    return this.connection.readonly;
  }

  /** The schema version of the open file (`PRAGMA user_version`). */
  get schemaVersion(): number {
    return this.connection.schemaVersion;
  }

  /** Closes the file; later calls on this object throw a `StoreError`. Safe to call twice. */
  close(): void {
    this.connection.close();
  }

  /**
   * Saves one run — summary row, side rows, downsampled equity curve and trades in one
   * transaction — and returns its id. Invalid input (NaN, a missing field, milliseconds where
   * seconds belong) is refused with a `ConfigError` naming the field before anything is written.
   *
   * @example
   * const id = db.saveBacktestResult({ symbol: 'GOOG', timeframe: '1Day', startDate: 1_577_836_800,
   *   endDate: 1_609_372_800, initialCapital: 10_000, finalEquity: 11_250, totalReturn: 12.5 });
   */
  saveBacktestResult(input: BacktestInput): number {
    const prepared = prepareBacktest(input, 'backtest result', this.now);
    return this.runs.save([prepared], 'save a backtest result')[0] as number;
  }

  /**
   * Saves many runs in one transaction (all or none) and returns their ids in input order. Every
   * input is validated before the transaction starts.
   *
   * @example
   * const ids = db.saveBacktestResults(sweepInputs);
   */
  saveBacktestResults(inputs: readonly BacktestInput[]): number[] {
    const prepared = inputs.map((input, i) =>
      prepareBacktest(input, `backtest result ${i + 1} of ${inputs.length}`, this.now),
    );
    return this.runs.save(prepared, `save ${inputs.length} backtest results`);
  }

  /**
   * Runs matching `query`, newest first unless sorted otherwise (ties broken by id, newest
   * first), at most `limit` (default 100) after skipping `offset`. Rows are keyed by field name;
   * parse `config_json` with {@link parseConfigJson} when needed.
   *
   * @example
   * const page2 = db.getBacktestResults({ symbol: 'GOOG', limit: 20, offset: 20 });
   */
  getBacktestResults(query: BacktestQuery = {}): BacktestRow[] {
    return this.runs.list(checkQuery(query));
  }

  /**
   * How many runs match `filter`, for paging.
   *
   * @example
   * const pages = Math.ceil(db.countBacktestResults({ symbol: 'GOOG' }) / 20);
   */
  countBacktestResults(filter: BacktestFilter = {}): number {
    return this.runs.count(checkFilter(filter));
  }

  /**
   * The best run of `symbol`/`timeframe` by `metric`, ranked in that metric's direction
   * (`METRIC_CATALOG`: e.g. volatility lower is better, max_drawdown closest to zero). Runs where
   * the metric is NULL are never best; `Infinity` beats every finite value; ties go to the most
   * recent run (then the highest id). `filter` narrows further (one sweep, `minTrades`).
   * `metric` may come straight from user input: an unknown or unrankable name is a
   * `ConfigError` listing the valid ones, and only whitelisted column names ever reach SQL.
   *
   * @example
   * const best = db.getBestBacktest('GOOG', '1Day', 'sharpe_ratio', { minTrades: 1 });
   */
  getBestBacktest(
    symbol: string,
    timeframe: string,
    metric: MetricName | string = 'total_return',
    filter: BacktestFilter = {},
  ): BacktestRow | undefined {
    return this.bestBacktest(symbol, timeframe, metric, filter).row;
  }

  /**
   * Like {@link getBestBacktest}, with how many runs matched, had a value and were ranked.
   *
   * @example
   * const { row, ranked } = db.bestBacktest('GOOG', '1Day', 'sharpe_ratio', { minTrades: 1 });
   */
  bestBacktest(symbol: string, timeframe: string, metric: string, filter: BacktestFilter = {}): BestRun {
    return this.runs.best(metric, checkFilter({ ...filter, symbol, timeframe }));
  }

  /**
   * Every run matching `filter`, by id, with its Sharpe ratio and what de-annualizes it (see
   * `RunStore.sharpeFamily`).
   *
   * @example
   * const family = db.sharpeFamily({ sweepId: 'a1b2c3' });
   */
  sharpeFamily(filter: BacktestFilter = {}): SharpeFamilyMember[] {
    return this.runs.sharpeFamily(checkFilter(filter));
  }

  /**
   * One run by id, or `undefined` when there is none.
   *
   * @example
   * const row = db.getBacktest(42);
   */
  getBacktest(id: number): BacktestRow | undefined {
    checkId(id);
    return this.runs.get(id);
  }

  /**
   * One run by id; a `StoreError` saying so when there is none.
   *
   * @example
   * const row = db.getBacktestOrThrow(42);
   */
  getBacktestOrThrow(id: number): BacktestRow {
    const row = this.getBacktest(id);
    if (row === undefined) throw new StoreError(`database ${this.path} has no backtest with id ${id}`);
    return row;
  }

  /**
   * One run by its UUID, or `undefined`.
   *
   * @example
   * const row = db.getBacktestByUuid('1b4e28ba-2fa1-41d2-883f-0016d3cca427');
   */
  getBacktestByUuid(uuid: string): BacktestRow | undefined {
    return this.runs.getByUuid(uuid.toLowerCase());
  }

  /**
   * The stored (downsampled, at most 300 points) equity curve of a run, or `undefined` when the
   * run has none (older tool's rows, runs saved without a curve).
   *
   * @example
   * const curve = db.getEquityCurve(42); // curve?.timeMs in unix ms, curve?.equity in account currency
   */
  getEquityCurve(id: number): StoredEquityCurve | undefined {
    checkId(id);
    return this.runs.equityCurve(id);
  }

  /**
   * The stored trades of a run, or `undefined` when none were stored (rows other programs wrote).
   *
   * @example
   * const trades = db.getTrades(42) ?? [];
   */
  getTrades(id: number): Trade[] | undefined {
    checkId(id);
    return this.runs.trades(id);
  }

  /**
   * The out-of-sample parts of split runs, by id (see `RunStore.outOfSample`).
   *
   * @example
   * const oos = db.getOutOfSample([12]).get(12)?.metrics.sharpe_ratio;
   */
  getOutOfSample(ids: readonly number[]): Map<number, StoredOutOfSample> {
    for (const id of ids) checkId(id);
    return this.runs.outOfSample(ids);
  }

  /**
   * Deletes a run with its side rows; `false` when there was no such run.
   *
   * @example
   * if (!db.deleteBacktest(42)) console.log('no run 42');
   */
  deleteBacktest(id: number): boolean {
    checkId(id);
    return this.runs.delete([id]) > 0;
  }

  /**
   * Deletes runs in one transaction; returns how many existed.
   *
   * @example
   * const removed = db.deleteBacktests([1, 2, 3]);
   */
  deleteBacktests(ids: readonly number[]): number {
    for (const id of ids) checkId(id);
    return this.runs.delete(ids);
  }

  /**
   * Every run matching `filter` (oldest first by id) with its equity curve and trades.
   *
   * @example
   * const records = db.exportRuns({ symbol: 'GOOG' });
   */
  exportRuns(filter: BacktestFilter = {}): TransferRecord[] {
    const rows = this.runs.all(checkFilter(filter));
    const outOfSample = this.runs.outOfSample(rows.map((row) => row.id));
    return rows.map((row) => {
      const oos = outOfSample.get(row.id);
      const equityCurve = this.runs.equityCurve(row.id);
      const trades = this.runs.trades(row.id);
      const periodReturns = this.overfit.runPeriodReturns(row.id);
      return {
        row,
        ...(equityCurve === undefined ? {} : { equityCurve }),
        ...(trades === undefined ? {} : { trades }),
        ...(periodReturns === undefined ? {} : { periodReturns }),
        ...(oos === undefined ? {} : { outOfSample: oos }),
      };
    });
  }

  /**
   * Every run matching `filter` as CSV (summary) or JSON (everything) text; see `run-transfer.ts`.
   *
   * @example
   * writeFileSync('goog.json', db.exportBacktests({ symbol: 'GOOG' }, 'json'));
   */
  exportBacktests(filter: BacktestFilter, format: TransferFormat): string {
    const checked = checkTransferFormat(format);
    const records =
      checked === 'csv' ? this.runs.all(checkFilter(filter)).map((row) => ({ row })) : this.exportRuns(filter);
    return formatRuns(records, checked);
  }

  /**
   * Imports records: each is checked as a save is (a `ConfigError` naming the record and field,
   * nothing written), then all are inserted in one transaction with new ids, skipping runs whose
   * UUID is already stored.
   *
   * @example
   * const { imported, present } = db.importRuns(parseRuns(text, 'json', 'runs.json'));
   */
  importRuns(records: readonly TransferRecord[]): ImportSummary {
    const prepared = records.map((record, i) =>
      prepareBacktest(inputFromRecord(record), record.origin ?? `record ${i + 1}`, this.now),
    );
    return this.runs.importPrepared(prepared);
  }

  /**
   * Imports exported text (see {@link importRuns}); `source` names the text in error messages.
   *
   * @example
   * const { imported, present } = db.importBacktests(readFileSync('goog.csv', 'utf8'), 'csv', 'goog.csv');
   */
  importBacktests(text: string, format: TransferFormat, source = 'import'): ImportSummary {
    return this.importRuns(parseRuns(text, checkTransferFormat(format), source));
  }

  /** Stores a new sweep with status `running`. */
  createSweep(definition: SweepDefinition, planned: number): SweepRecord {
    return this.sweeps.create(definition, planned);
  }

  /** Updates a sweep's status and counts. */
  updateSweep(
    sweepId: string,
    update: {
      readonly status?: SweepStatus;
      readonly planned?: number;
      readonly done?: number;
      readonly failed?: number;
    },
  ): void {
    this.sweeps.update(sweepId, update);
  }

  /** Stores a new walk-forward group with status `running` (see `RunStore.createWalkForward`). */
  createWalkForward(definition: WalkForwardDefinition, windowCount: number): WalkForwardRecord {
    return this.walkForwards.create(definition, windowCount);
  }

  /** Stores (or replaces) one finished window of a walk-forward group. */
  saveWalkForwardWindow(groupId: string, window: WalkForwardWindowRecord): void {
    this.walkForwards.saveWindow(groupId, window);
  }

  /** Updates a walk-forward group's status, stitched run or summary. */
  updateWalkForward(groupId: string, update: WalkForwardUpdate): void {
    this.walkForwards.update(groupId, update);
  }

  /** One walk-forward group with its windows, or `undefined`. */
  getWalkForward(groupId: string): WalkForwardRecord | undefined {
    return this.walkForwards.find(groupId);
  }

  /** Every walk-forward group, newest first. */
  listWalkForwards(): WalkForwardRecord[] {
    return this.walkForwards.list();
  }

  /** One sweep, or `undefined`. */
  getSweep(sweepId: string): SweepRecord | undefined {
    return this.sweeps.find(sweepId);
  }

  /** Sweeps, newest first. */
  listSweeps(filter: { readonly status?: SweepStatus | undefined } = {}): SweepRecord[] {
    return this.sweeps.list(filter.status);
  }

  /** Deletes a sweep and its runs; how many runs were deleted. */
  deleteSweep(sweepId: string): number {
    return this.sweeps.delete(sweepId);
  }

  /**
   * The period returns of every run of a sweep that has them, by id; runs saved before period
   * returns were kept (schema 6) are left out.
   *
   * @example
   * const matrix = db.sweepPeriodReturns('sweep-20260101-120000-abc123').map((run) => run.returns);
   */
  sweepPeriodReturns(sweepId: string): RunPeriodReturns[] {
    return this.overfit.sweepPeriodReturns(sweepId);
  }

  /** Stores a sweep's probability of backtest overfitting, replacing any stored before. */
  saveSweepOverfit(sweepId: string, overfit: SweepOverfit): void {
    this.overfit.save(sweepId, overfit);
  }

  /** A sweep's stored probability of backtest overfitting, or `undefined`. */
  getSweepOverfit(sweepId: string): SweepOverfit | undefined {
    return this.overfit.find(sweepId);
  }

  /**
   * Stores bars in the set of their symbol and timeframe (created when missing; symbol stored
   * upper-cased as written, e.g. `BTC/USD`). Bars already stored in `[first, last]` of the new
   * series are replaced in one transaction; bars outside that range stay. A set holding bars of
   * another feed or adjustment refuses them with a one-line `ConfigError` (`options` default to
   * source `file`, no feed, no adjustment).
   *
   * @example
   * const { inserted, replaced } = db.importBars(series);
   * db.importBars(page, { source: 'alpaca', feed: 'iex', adjustment: 'raw' });
   */
  importBars(bars: BarSeries, options: BarImportOptions = {}): BarImportSummary {
    return this.bars.importBars(bars, options);
  }

  /**
   * Every stored bar set with its size, time range and provenance, sorted by symbol then timeframe.
   *
   * @example
   * for (const set of db.listBarSets()) console.log(set.symbol, set.timeframe, set.count, set.feed);
   */
  listBarSets(): BarSetInfo[] {
    return this.bars.listBarSets();
  }

  /**
   * One bar set, or `undefined`. The symbol is matched by `symbolKey`, so `BTCUSD`, `btc-usd`
   * and `BTC/USD` find the same set.
   *
   * @example
   * const resumeFromMs = db.getBarSet('BTC/USD', '1Hour')?.lastTimeMs;
   */
  getBarSet(symbol: string, timeframe: Timeframe): BarSetInfo | undefined {
    return this.bars.getBarSet(symbol, timeframe);
  }

  /**
   * Stored bars of one set (symbol matched as in {@link getBarSet}), optionally only those with
   * `fromMs <= time <= toMs` (unix ms, inclusive), as a columnar series named as the set is;
   * `undefined` when no bar matches. Only the chunks overlapping the range are read.
   *
   * @example
   * const bars = db.loadBars('GOOG', '1Day', { fromMs: Date.UTC(2020, 0, 1) });
   */
  loadBars(symbol: string, timeframe: Timeframe, range: BarTimeRange = {}): BarSeries | undefined {
    return this.bars.loadBars(symbol, timeframe, range);
  }

  /**
   * Deletes a bar set and all its bars in one transaction; how many bars it had (0 when there
   * was no such set).
   *
   * @example
   * const removed = db.deleteBarSet('GOOG', '1Day');
   */
  deleteBarSet(symbol: string, timeframe: Timeframe): number {
    return this.bars.deleteBarSet(symbol, timeframe);
  }
}

/**
 * The stored config of a row, parsed; `undefined` when the row has none. A `StoreError` when the
 * text is not JSON (possible only in files written by other programs).
 *
 * @example
 * const config = parseConfigJson(db.getBacktestOrThrow(42));
 */
export function parseConfigJson(row: Pick<BacktestRow, 'id' | 'config_json'>): unknown {
  if (row.config_json === null) return undefined;
  try {
    return JSON.parse(row.config_json) as unknown;
  } catch (error) {
    throw new StoreError(`backtest ${row.id} has a config_json that is not valid JSON`, { cause: error });
  }
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1)
    throw new ConfigError(`backtest id ${id} is not valid; ids are whole numbers from 1`);
}
