/**
 * The {@link RunStore} port over a PostgreSQL database, for a team sharing one history. Opened
 * by `openStore` for `postgres://` and `postgresql://` URLs; the `pg` driver is loaded only then.
 * Input checks, filters, transfer formats, UUIDs and codecs are the database-neutral ones the
 * SQLite store uses, so both behave alike (one contract suite checks both).
 */
import type { BarSeries } from '../../core/bars.js';
import { ConfigError, StoreError } from '../../core/errors.js';
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
  RunStore,
  StoredEquityCurve,
  StoredOutOfSample,
} from '../run-store.js';
import { inputFromRecord, type TransferRecord } from '../run-transfer.js';
import type { SweepDefinition, SweepRecord, SweepStatus } from '../sweep-record.js';
import type { RunPeriodReturns, SweepOverfit } from '../sweep-overfit.js';
import type {
  WalkForwardDefinition,
  WalkForwardRecord,
  WalkForwardUpdate,
  WalkForwardWindowRecord,
} from '../walk-forward-record.js';
import { PostgresBars } from './postgres-bars.js';
import { type OpenPostgresOptions, PostgresConnection } from './postgres-connection.js';
import { type OnceOutcome, PostgresDistributed } from './postgres-distributed.js';
import { PostgresOverfit } from './postgres-overfit.js';
import { type FamilyMember, PostgresRuns } from './postgres-runs.js';
import { PostgresSweeps } from './postgres-sweeps.js';
import { PostgresWalkForwards } from './postgres-walk-forwards.js';

/**
 * A run history in a PostgreSQL database.
 *
 * @example
 * const store = await PostgresRunStore.open('postgres://backtest:secret@db.local:5432/runs');
 * const { row } = await store.bestRun('GOOG', '1Day', 'sharpe_ratio');
 * await store.close();
 */
export class PostgresRunStore implements RunStore {
  /** Clock for default `runTimestamp`s, unix seconds. */
  private readonly now: () => number = () => Math.floor(Date.now() / 1000);
  private readonly connection: PostgresConnection;
  private readonly runs: PostgresRuns;
  private readonly sweeps: PostgresSweeps;
  private readonly bars: PostgresBars;
  private distributedRecords: PostgresDistributed | undefined;
  private readonly overfit: PostgresOverfit;
  private readonly walkForwards: PostgresWalkForwards;

  private constructor(connection: PostgresConnection) {
    this.connection = connection;
    this.runs = new PostgresRuns(connection);
    this.sweeps = new PostgresSweeps(connection);
    this.bars = new PostgresBars(connection);
    this.overfit = new PostgresOverfit(connection);
    this.walkForwards = new PostgresWalkForwards(connection);
  }

  /**
   * Connects to `url` and, for writing, creates or upgrades this project's tables (one
   * transaction per step, serialized between processes). Refuses a server it cannot reach, a
   * schema newer than this build, and another program's tables (unless `init`), in one line
   * that names the URL without its password.
   */
  static async open(url: string, options: OpenPostgresOptions = {}): Promise<PostgresRunStore> {
    const connection = await PostgresConnection.open(url, options);
    const store = new PostgresRunStore(connection);
    try {
      // Rows other programs inserted since the last write get their UUID stored.
      await store.runs.completePendingRows();
    } catch (error) {
      await connection.close();
      throw error;
    }
    return store;
  }

  /** The URL without its password. */
  get location(): string {
    return this.connection.location;
  }

  get readonly(): boolean {
    return this.connection.readonly;
  }

  /** The schema version of the database. */
  schemaVersion(): Promise<number> {
    return this.connection.schemaVersion();
  }

  async saveRun(input: BacktestInput): Promise<number> {
    this.connection.checkWritable('save a backtest result');
    const prepared = prepareBacktest(input, 'backtest result', this.now);
    return this.runs.saveOne(prepared, 'save a backtest result');
  }

  async saveRuns(inputs: readonly BacktestInput[]): Promise<number[]> {
    const action = `save ${inputs.length} backtest results`;
    this.connection.checkWritable(action);
    const prepared = inputs.map((input, i) =>
      prepareBacktest(input, `backtest result ${i + 1} of ${inputs.length}`, this.now),
    );
    if (prepared.length === 0) return [];
    return this.runs.save(prepared, action);
  }

  async listRuns(query: BacktestQuery = {}): Promise<BacktestRow[]> {
    return this.runs.list(checkQuery(query));
  }

  async countRuns(filter: BacktestFilter = {}): Promise<number> {
    return this.runs.count(checkFilter(filter));
  }

  async bestRun(symbol: string, timeframe: string, metric: string, filter: BacktestFilter = {}): Promise<BestRun> {
    return this.runs.best(metric, checkFilter({ ...filter, symbol, timeframe }));
  }

  async sharpeFamily(filter: BacktestFilter = {}): Promise<FamilyMember[]> {
    return this.runs.sharpeFamily(checkFilter(filter));
  }

  async findRun(id: number): Promise<BacktestRow | undefined> {
    checkId(id);
    return this.runs.get(id);
  }

  async getRun(id: number): Promise<BacktestRow> {
    const row = await this.findRun(id);
    if (row === undefined) throw new StoreError(`database ${this.location} has no backtest with id ${id}`);
    return row;
  }

  async findRunByUuid(uuid: string): Promise<BacktestRow | undefined> {
    return this.runs.getByUuid(uuid.toLowerCase());
  }

  async equityCurve(id: number): Promise<StoredEquityCurve | undefined> {
    checkId(id);
    return this.runs.equityCurve(id);
  }

  async trades(id: number): Promise<Trade[] | undefined> {
    checkId(id);
    return this.runs.trades(id);
  }

  async deleteRuns(ids: readonly number[]): Promise<number> {
    for (const id of ids) checkId(id);
    return this.runs.delete(ids);
  }

  async exportRuns(filter: BacktestFilter = {}): Promise<TransferRecord[]> {
    return this.runs.exportRecords(checkFilter(filter), true, this.overfit);
  }

  async importRuns(records: readonly TransferRecord[]): Promise<ImportSummary> {
    this.connection.checkWritable('import backtests');
    const prepared = records.map((record, i) =>
      prepareBacktest(inputFromRecord(record), record.origin ?? `record ${i + 1}`, this.now),
    );
    return this.runs.importPrepared(prepared);
  }

  async createSweep(definition: SweepDefinition, planned: number): Promise<SweepRecord> {
    return this.sweeps.create(definition, planned);
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
    return this.sweeps.update(sweepId, update);
  }

  async findSweep(sweepId: string): Promise<SweepRecord | undefined> {
    return this.sweeps.find(sweepId);
  }

  async listSweeps(filter: { readonly status?: SweepStatus | undefined } = {}): Promise<SweepRecord[]> {
    return this.sweeps.list(filter.status);
  }

  async deleteSweep(sweepId: string): Promise<number> {
    return this.sweeps.delete(sweepId);
  }

  async importBars(bars: BarSeries, options: BarImportOptions = {}): Promise<BarImportSummary> {
    return this.bars.importBars(bars, options);
  }

  async listBarSets(): Promise<BarSetInfo[]> {
    return this.bars.listBarSets();
  }

  async getBarSet(symbol: string, timeframe: Timeframe): Promise<BarSetInfo | undefined> {
    return this.bars.getBarSet(symbol, timeframe);
  }

  async loadBars(symbol: string, timeframe: Timeframe, range: BarTimeRange = {}): Promise<BarSeries | undefined> {
    return this.bars.loadBars(symbol, timeframe, range);
  }

  async deleteBarSet(symbol: string, timeframe: Timeframe): Promise<number> {
    return this.bars.deleteBarSet(symbol, timeframe);
  }

  /**
   * Distributed sweeps' records (schema version 8): saves once per idempotency key, failed
   * configurations, workers seen, run origins.
   */
  get distributed(): PostgresDistributed {
    this.distributedRecords ??= new PostgresDistributed(this.connection, this.runs);
    return this.distributedRecords;
  }

  /**
   * Saves a run of a distributed sweep unless a run with `key` is already stored (a job that ran
   * twice); `stored` says which. See {@link PostgresDistributed.saveOnce}.
   */
  async saveRunOnce(sweepId: string, key: string, input: BacktestInput, workerId: string): Promise<OnceOutcome> {
    this.connection.checkWritable('save a distributed sweep result');
    const prepared = prepareBacktest(input, 'backtest result', this.now);
    return this.distributed.saveOnce(sweepId, key, prepared, workerId);
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  async sweepPeriodReturns(sweepId: string): Promise<RunPeriodReturns[]> {
    return this.overfit.sweepPeriodReturns(sweepId);
  }

  async saveSweepOverfit(sweepId: string, overfit: SweepOverfit): Promise<void> {
    return this.overfit.save(sweepId, overfit);
  }

  async findSweepOverfit(sweepId: string): Promise<SweepOverfit | undefined> {
    return this.overfit.find(sweepId);
  }

  async outOfSample(ids: readonly number[]): Promise<Map<number, StoredOutOfSample>> {
    for (const id of ids) checkId(id);
    return this.runs.outOfSample(ids);
  }

  async createWalkForward(definition: WalkForwardDefinition, windowCount: number): Promise<WalkForwardRecord> {
    return this.walkForwards.create(definition, windowCount);
  }

  async saveWalkForwardWindow(groupId: string, window: WalkForwardWindowRecord): Promise<void> {
    return this.walkForwards.saveWindow(groupId, window);
  }

  async updateWalkForward(groupId: string, update: WalkForwardUpdate): Promise<void> {
    return this.walkForwards.update(groupId, update);
  }

  async findWalkForward(groupId: string): Promise<WalkForwardRecord | undefined> {
    return this.walkForwards.find(groupId);
  }

  async listWalkForwards(): Promise<WalkForwardRecord[]> {
    return this.walkForwards.list();
  }
}

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ConfigError(`backtest id ${id} is not valid; ids are whole numbers from 1`);
  }
}
