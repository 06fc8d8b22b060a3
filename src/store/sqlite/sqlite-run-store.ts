/**
 * The {@link RunStore} port over one SQLite file. better-sqlite3 is synchronous and in-process,
 * so each method is the synchronous call wrapped in a resolved promise: no thread hop, no
 * measurable cost, and the same contract as a networked store.
 */
import type { BarSeries } from '../../core/bars.js';
import type { Trade } from '../../core/result.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { BacktestFilter, BacktestQuery } from '../run-filter.js';
import type { BacktestInput } from '../run-input.js';
import type { BacktestRow } from '../run-row.js';
import type {
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
} from '../run-store.js';
import type { TransferRecord } from '../run-transfer.js';
import type { RunPeriodReturns, SweepOverfit } from '../sweep-overfit.js';
import type { SweepDefinition, SweepRecord, SweepStatus } from '../sweep-record.js';
import type {
  WalkForwardDefinition,
  WalkForwardRecord,
  WalkForwardUpdate,
  WalkForwardWindowRecord,
} from '../walk-forward-record.js';
import type { OpenDatabaseOptions } from './sqlite-connection.js';
import { TradingDatabase } from './trading-database.js';

/**
 * A run history in one SQLite file.
 *
 * @example
 * const store = SqliteRunStore.open('data/trading.db', { readonly: true });
 * const rows = await store.listRuns({ symbol: 'GOOG', limit: 10 });
 * await store.close();
 */
export class SqliteRunStore implements RunStore {
  /** The synchronous API underneath, for callers that need it (benchmarks, the older tool's vocabulary). */
  readonly database: TradingDatabase;

  constructor(database: TradingDatabase) {
    this.database = database;
  }

  /** Opens the file at `path`; see `TradingDatabase.open` for what opening checks and upgrades. */
  static open(path: string, options: OpenDatabaseOptions = {}): SqliteRunStore {
    return new SqliteRunStore(TradingDatabase.open(path, options));
  }

  get location(): string {
    return this.database.path;
  }

  get readonly(): boolean {
    return this.database.readonly;
  }

  async saveRun(input: BacktestInput): Promise<number> {
    return this.database.saveBacktestResult(input);
  }

  async saveRuns(inputs: readonly BacktestInput[]): Promise<number[]> {
    return this.database.saveBacktestResults(inputs);
  }

  async listRuns(query: BacktestQuery = {}): Promise<BacktestRow[]> {
    return this.database.getBacktestResults(query);
  }

  async countRuns(filter: BacktestFilter = {}): Promise<number> {
    return this.database.countBacktestResults(filter);
  }

  async bestRun(symbol: string, timeframe: string, metric: string, filter: BacktestFilter = {}): Promise<BestRun> {
    return this.database.bestBacktest(symbol, timeframe, metric, filter);
  }

  async sharpeFamily(filter: BacktestFilter = {}): Promise<SharpeFamilyMember[]> {
    return this.database.sharpeFamily(filter);
  }

  async findRun(id: number): Promise<BacktestRow | undefined> {
    return this.database.getBacktest(id);
  }

  async getRun(id: number): Promise<BacktestRow> {
    return this.database.getBacktestOrThrow(id);
  }

  async findRunByUuid(uuid: string): Promise<BacktestRow | undefined> {
    return this.database.getBacktestByUuid(uuid);
  }

  async equityCurve(id: number): Promise<StoredEquityCurve | undefined> {
    return this.database.getEquityCurve(id);
  }

  async outOfSample(ids: readonly number[]): Promise<Map<number, StoredOutOfSample>> {
    return this.database.getOutOfSample(ids);
  }

  async trades(id: number): Promise<Trade[] | undefined> {
    return this.database.getTrades(id);
  }

  async deleteRuns(ids: readonly number[]): Promise<number> {
    return this.database.deleteBacktests(ids);
  }

  async exportRuns(filter: BacktestFilter = {}): Promise<TransferRecord[]> {
    return this.database.exportRuns(filter);
  }

  async importRuns(records: readonly TransferRecord[]): Promise<ImportSummary> {
    return this.database.importRuns(records);
  }

  async createSweep(definition: SweepDefinition, planned: number): Promise<SweepRecord> {
    return this.database.createSweep(definition, planned);
  }

  async updateSweep(
    sweepId: string,
    update: {
      readonly status?: SweepStatus;
      readonly planned?: number;
      readonly done?: number;
      readonly failed?: number;
    },
  ): Promise<void> {
    this.database.updateSweep(sweepId, update);
  }

  async findSweep(sweepId: string): Promise<SweepRecord | undefined> {
    return this.database.getSweep(sweepId);
  }

  async listSweeps(filter: { readonly status?: SweepStatus | undefined } = {}): Promise<SweepRecord[]> {
    return this.database.listSweeps(filter);
  }

  async deleteSweep(sweepId: string): Promise<number> {
    return this.database.deleteSweep(sweepId);
  }

  async sweepPeriodReturns(sweepId: string): Promise<RunPeriodReturns[]> {
    return this.database.sweepPeriodReturns(sweepId);
  }

  async saveSweepOverfit(sweepId: string, overfit: SweepOverfit): Promise<void> {
    this.database.saveSweepOverfit(sweepId, overfit);
  }

  async findSweepOverfit(sweepId: string): Promise<SweepOverfit | undefined> {
    return this.database.getSweepOverfit(sweepId);
  }

  async createWalkForward(definition: WalkForwardDefinition, windowCount: number): Promise<WalkForwardRecord> {
    return this.database.createWalkForward(definition, windowCount);
  }

  async saveWalkForwardWindow(groupId: string, window: WalkForwardWindowRecord): Promise<void> {
    this.database.saveWalkForwardWindow(groupId, window);
  }

  async updateWalkForward(groupId: string, update: WalkForwardUpdate): Promise<void> {
    this.database.updateWalkForward(groupId, update);
  }

  async findWalkForward(groupId: string): Promise<WalkForwardRecord | undefined> {
    return this.database.getWalkForward(groupId);
  }

  async listWalkForwards(): Promise<WalkForwardRecord[]> {
    return this.database.listWalkForwards();
  }

  async importBars(bars: BarSeries, options: BarImportOptions = {}): Promise<BarImportSummary> {
    return this.database.importBars(bars, options);
  }

  async listBarSets(): Promise<BarSetInfo[]> {
    return this.database.listBarSets();
  }

  async getBarSet(symbol: string, timeframe: Timeframe): Promise<BarSetInfo | undefined> {
    return this.database.getBarSet(symbol, timeframe);
  }

  async loadBars(symbol: string, timeframe: Timeframe, range: BarTimeRange = {}): Promise<BarSeries | undefined> {
    return this.database.loadBars(symbol, timeframe, range);
  }

  async deleteBarSet(symbol: string, timeframe: Timeframe): Promise<number> {
    return this.database.deleteBarSet(symbol, timeframe);
  }

  async close(): Promise<void> {
    this.database.close();
  }
}
