/**
 * Backtest runs in a SQLite file: the older tool's `backtest_results` row plus its side rows
 * (`run_details`, `run_trades`, `backtest_equity`), written together in one transaction.
 *
 * Numeric traps, handled here and tested:
 * - SQLite silently stores a bound NaN as NULL, so NaN is refused before any SQL runs (`run-input.ts`).
 * - ±Infinity round-trips through better-sqlite3 as an IEEE REAL (SQLite prints it `9.0e+999`)
 *   and sorts above/below every finite value, so an infinite profit factor ranks best.
 * - Times in `backtest_results` are unix seconds (the older tool's convention); equity curves,
 *   trades and bars use unix milliseconds.
 */
import { StoreError } from '../../core/errors.js';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import type { Trade } from '../../core/result.js';
import { canonicalTimeframe } from '../../core/timeframe.js';
import { decodeStoredCurve } from '../stored-curve.js';
import { type CheckedFilter, type CheckedQuery, checkRankMetric, sampleSort } from '../run-filter.js';
import type { PreparedBacktest } from '../run-input.js';
import { type BacktestRow, LEGACY_COLUMNS } from '../run-row.js';
import type { BestRun, SharpeFamilyMember, StoredEquityCurve, StoredOutOfSample } from '../run-store.js';
import { legacyRowUuid } from '../run-uuid.js';
import { decodeTrades } from '../trade-codec.js';
import { INSERT_PERIOD_RETURNS_SQL } from './overfit-table.js';
import { condition, filterConditions, notNull, planQuery, TRAINING_ROLE, tradesField } from './run-query-sql.js';
import { storedRow } from './row-source.js';
import { DETAIL_INFO_COLUMNS, OOS_INFO_COLUMNS, OOS_METRIC_COLUMNS, WALK_FORWARD_COLUMNS } from './schema.js';
import type { SqliteConnection } from './sqlite-connection.js';

const INSERTED_LEGACY = LEGACY_COLUMNS.filter((c) => c.name !== 'id');
const INSERT_SQL = `INSERT INTO backtest_results (${INSERTED_LEGACY.map((c) => c.name).join(', ')}) VALUES (${INSERTED_LEGACY.map(() => '?').join(', ')})`;
/**
 * Side-row fields a save sets after the insert trigger has created the row with the keys and
 * the legacy metric copies.
 */
const DETAIL_FIELDS: readonly string[] = [
  'uuid',
  'timeframe_key',
  ...METRIC_CATALOG.map((m) => m.name).filter((name) => !LEGACY_COLUMNS.some((c) => c.name === name)),
  ...DETAIL_INFO_COLUMNS.map(([name]) => name),
  ...WALK_FORWARD_COLUMNS.map(([name]) => name),
];
const UPDATE_DETAILS_SQL = `UPDATE run_details SET ${DETAIL_FIELDS.map((f) => `${f} = ?`).join(', ')} WHERE backtest_id = ?`;
const INSERT_EQUITY_SQL =
  'INSERT INTO backtest_equity (backtest_id, point_count, source_point_count, time_ms, equity, month_end_time_ms, month_end_equity) VALUES (?, ?, ?, ?, ?, ?, ?)';
const INSERT_TRADES_SQL = 'INSERT INTO run_trades (backtest_id, trade_count, trades) VALUES (?, ?, ?)';
const OOS_FIELDS = [...OOS_INFO_COLUMNS.map(([name]) => name), ...OOS_METRIC_COLUMNS];
const INSERT_OOS_SQL = `INSERT INTO run_oos_metrics (backtest_id, ${OOS_FIELDS.join(', ')}) VALUES (?, ${OOS_FIELDS.map(() => '?').join(', ')})`;
const SELECT_OOS_SQL = `SELECT backtest_id, ${OOS_FIELDS.join(', ')} FROM run_oos_metrics WHERE backtest_id IN (SELECT value FROM json_each(?))`;

/** What {@link RunsTable.sharpeFamily} reads of each run, in `SharpeFamilyMember` order. */
const FAMILY_FIELDS = [
  'sharpe_ratio',
  'returns_count',
  'bars_count',
  'bars_first_time_ms',
  'bars_last_time_ms',
] as const satisfies readonly (keyof BacktestRow)[];

/** A stored value as a number, or `null`: rows other programs wrote may hold text anywhere. */
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** Imports of at least this many runs are followed by a WAL checkpoint. */
const LARGE_WRITE_RUNS = 1_000;

/** The result of an import: what was new, what was already there (by UUID). */
export interface ImportOutcome {
  readonly imported: number;
  readonly present: number;
  /** Ids of the newly imported runs, in input order. */
  readonly ids: readonly number[];
}

/** Runs in one SQLite file. */
export class RunsTable {
  private readonly connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.connection = connection;
  }

  /** Saves prepared runs in one transaction; ids in input order. */
  save(prepared: readonly PreparedBacktest[], action: string): number[] {
    return this.connection.write(action, () => {
      this.completePendingRows();
      return prepared.map((p) => this.insert(p));
    });
  }

  /**
   * Imports prepared runs in one transaction, skipping those whose UUID is already stored, so
   * importing the same file twice changes nothing.
   */
  importPrepared(prepared: readonly PreparedBacktest[]): ImportOutcome {
    const outcome = this.importInTransaction(prepared);
    if (prepared.length >= LARGE_WRITE_RUNS) this.connection.checkpointAfterLargeWrite();
    return outcome;
  }

  private importInTransaction(prepared: readonly PreparedBacktest[]): ImportOutcome {
    return this.connection.write('import backtests', () => {
      this.completePendingRows();
      const exists = this.connection.statement('SELECT 1 FROM run_details WHERE uuid = ?').pluck();
      const seen = new Set<string>();
      const ids: number[] = [];
      let present = 0;
      for (const p of prepared) {
        if (seen.has(p.values.uuid) || exists.get(p.values.uuid) !== undefined) {
          present++;
          continue;
        }
        seen.add(p.values.uuid);
        ids.push(this.insert(p));
      }
      return { imported: ids.length, present, ids };
    });
  }

  private insert(prepared: PreparedBacktest): number {
    const { values, equity, trades } = prepared;
    const legacy = INSERTED_LEGACY.map((c) => values[c.name as Exclude<keyof BacktestRow, 'id'>]);
    const id = Number(this.connection.statement(INSERT_SQL).run(...legacy).lastInsertRowid);
    const detail = DETAIL_FIELDS.map((field) =>
      field === 'timeframe_key'
        ? (canonicalTimeframe(values.timeframe) ?? values.timeframe)
        : values[field as Exclude<keyof BacktestRow, 'id'>],
    );
    this.connection.statement(UPDATE_DETAILS_SQL).run(...detail, id);
    if (equity !== undefined) {
      this.connection
        .statement(INSERT_EQUITY_SQL)
        .run(
          id,
          equity.pointCount,
          equity.sourcePointCount,
          equity.timeMs,
          equity.equity,
          equity.monthEndTimeMs,
          equity.monthEndEquity,
        );
    }
    if (trades !== undefined) this.connection.statement(INSERT_TRADES_SQL).run(id, trades.count, trades.bytes);
    const oos = prepared.outOfSample;
    if (oos !== undefined) {
      this.connection
        .statement(INSERT_OOS_SQL)
        .run(id, oos.fromMs, oos.toMs, oos.barsCount, oos.barsSha256, oos.outOfMoneyTimeMs, ...oos.metrics);
    }
    const periods = prepared.periodReturns;
    if (periods !== undefined) {
      this.connection.statement(INSERT_PERIOD_RETURNS_SQL).run(id, periods.count, periods.bytes);
    }
    return id;
  }

  /**
   * Completes side rows that the insert trigger made for rows other programs wrote: their
   * UUID (derived from the 18 columns, as readers derive it meanwhile) and canonical timeframe.
   * Runs at the start of every write, so it is cheap when there are none (a partial index).
   */
  private completePendingRows(): void {
    const pending = this.connection
      .statement(
        `SELECT ${LEGACY_COLUMNS.map((c) => `r.${c.name}`).join(', ')} FROM run_details d JOIN backtest_results r ON r.id = d.backtest_id WHERE d.uuid IS NULL`,
      )
      .all() as Record<string, unknown>[];
    if (pending.length === 0) return;
    const update = this.connection.statement(
      'UPDATE run_details SET uuid = ?, timeframe_key = ? WHERE backtest_id = ?',
    );
    for (const row of pending) {
      const timeframe = String(row.timeframe).trim();
      update.run(legacyRowUuid(row), canonicalTimeframe(timeframe) ?? timeframe, row.id);
    }
  }

  /** Runs matching a checked query. */
  list(query: CheckedQuery): BacktestRow[] {
    return this.connection.read('list backtest results', () =>
      this.rowsById(this.listIds({ ...query, filter: this.visible(query.filter) })),
    );
  }

  /**
   * The filter as it must run. Hiding walk-forward training runs costs a condition on every
   * query (and makes a newest-first page join `run_details`), so it is dropped when the file
   * holds no training run, which one probe of the partial walk-forward index tells.
   */
  private visible(filter: CheckedFilter): CheckedFilter {
    if (filter.includeTraining) return filter;
    const rows = this.connection.rows;
    if (rows.layout !== 'sideTables' || rows.field('walk_forward_role') === 'NULL') {
      return { ...filter, includeTraining: true };
    }
    const any = this.connection.read('look for walk-forward training runs', () =>
      this.connection
        .statement('SELECT 1 FROM run_details WHERE walk_forward_id IS NOT NULL AND walk_forward_role = ? LIMIT 1')
        .get(TRAINING_ROLE),
    );
    return any === undefined ? { ...filter, includeTraining: true } : filter;
  }

  /**
   * Ids of one page of runs matching a checked query.
   *
   * Performance: a timeframe filter matches every spelling of the timeframe (`timeframe_key IN`
   * 40-odd values, for rows other programs wrote), and with an IN list SQLite cannot read the
   * ranking index in time order: a newest-first page sorted all of a symbol's runs in that
   * timeframe (0.9 ms for 2,500 runs at 1,000,000 rows, scripts/bench-db.ts), where one spelling
   * takes 0.04 ms. So with a symbol given, the first spelling (the canonical one, which this
   * project's saves store) and the others (usually no rows) are each asked for their first
   * `offset + limit` runs in index order, and only those are merged: the same page, as the two
   * sets are disjoint and the order (time, then id) is total.
   */
  private listIds(query: CheckedQuery): number[] {
    const { filter, sort, limit, offset } = query;
    const rows = this.connection.rows;
    const spellings = filter.timeframes ?? [];
    if (
      rows.layout === 'sideTables' &&
      sort.column === 'run_timestamp' &&
      filter.symbol !== undefined &&
      spellings.length > 1
    ) {
      const [first, ...others] = spellings;
      const part = (timeframes: readonly string[]) =>
        planQuery(rows, filterConditions({ ...filter, timeframes }), sort);
      const parts = [part([first as string]), part(others)];
      const select = (p: ReturnType<typeof part>): string =>
        `SELECT * FROM (SELECT ${p.id} AS id, ${p.expr('run_timestamp')} AS t FROM ${p.from} ${p.where} ${p.orderBy} LIMIT ?)`;
      return this.connection
        .statement(
          `SELECT id FROM (${parts.map(select).join(' UNION ALL ')}) ORDER BY t ${sort.direction}, id ${sort.direction} LIMIT ? OFFSET ?`,
        )
        .pluck()
        .all(...parts.flatMap((p) => [...p.params, offset + limit]), limit, offset) as number[];
    }
    const plan = planQuery(rows, filterConditions(filter), sort);
    return this.connection
      .statement(`SELECT ${plan.id} FROM ${plan.from} ${plan.where} ${plan.orderBy} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...plan.params, limit, offset) as number[];
  }

  /** How many runs match. */
  count(filter: CheckedFilter): number {
    const plan = planQuery(this.connection.rows, filterConditions(this.visible(filter)), undefined);
    return this.connection.read(
      'count backtest results',
      () =>
        this.connection
          .statement(`SELECT count(*) FROM ${plan.from} ${plan.where}`)
          .pluck()
          .get(...plan.params) as number,
    );
  }

  /**
   * The best run by `metric` among those matching `filter` (symbol and timeframe included), and
   * how many were looked at: runs with a value that pass the trade minimum are ranked.
   */
  best(metric: string, checked: CheckedFilter): BestRun {
    const filter = this.visible(checked);
    const rank = sampleSort(checkRankMetric(metric), filter.sample);
    const column = rank.column as keyof BacktestRow;
    const trades = tradesField(filter);
    const { minTrades, ...rest } = filter;
    const minimum = minTrades ?? 0;
    return this.connection.read('find the best backtest', () => {
      const all = filterConditions(rest);
      const countPlan = planQuery(this.connection.rows, all, undefined, [column, trades]);
      const counts = this.connection
        .statement(
          `SELECT count(*) AS matching, count(${countPlan.expr(column)}) AS withValue, ` +
            `coalesce(sum(${countPlan.expr(column)} IS NOT NULL AND coalesce(${countPlan.expr(trades)}, 0) >= ?), 0) AS ranked ` +
            `FROM ${countPlan.from} ${countPlan.where}`,
        )
        .get(minimum, ...countPlan.params) as { matching: number; withValue: number; ranked: number };
      const conditions = [...all, notNull(column)];
      if (minimum > 0) {
        conditions.push(condition([trades], (e) => `coalesce(${e(trades)}, 0) >= ?`, [minimum]));
      }
      const plan = planQuery(this.connection.rows, conditions, rank);
      const id = this.connection
        .statement(`SELECT ${plan.id} FROM ${plan.from} ${plan.where} ${plan.orderBy} LIMIT 1`)
        .pluck()
        .get(...plan.params) as number | undefined;
      const row = id === undefined ? undefined : this.rowsById([id])[0];
      return { row, matching: counts.matching, withValue: counts.withValue, ranked: counts.ranked };
    });
  }

  /**
   * Every run matching `filter`, by id, with the fields the deflated Sharpe ratio needs: one
   * statement over `run_details` alone unless the filter needs `backtest_results` (a model).
   */
  sharpeFamily(checked: CheckedFilter): SharpeFamilyMember[] {
    const filter = this.visible(checked);
    return this.connection.read('read the Sharpe ratios of a family of runs', () => {
      const plan = planQuery(this.connection.rows, filterConditions(filter), undefined, FAMILY_FIELDS);
      const rows = this.connection
        .statement(
          `SELECT ${plan.id}, ${FAMILY_FIELDS.map((f) => plan.expr(f)).join(', ')} FROM ${plan.from} ${plan.where} ORDER BY ${plan.id}`,
        )
        .raw(true)
        .all(...plan.params) as unknown[][];
      return rows.map((v) => ({
        id: v[0] as number,
        sharpeRatio: numberOrNull(v[1]),
        returnsCount: numberOrNull(v[2]),
        barsCount: numberOrNull(v[3]),
        firstTimeMs: numberOrNull(v[4]),
        lastTimeMs: numberOrNull(v[5]),
      }));
    });
  }

  /** One run by id. */
  get(id: number): BacktestRow | undefined {
    return this.connection.read('read a backtest', () => this.rowsById([id])[0]);
  }

  /** One run by UUID (lower-case). */
  getByUuid(uuid: string): BacktestRow | undefined {
    return this.connection.read('read a backtest', () => {
      const rows = this.connection.rows;
      if (rows.layout === 'sideTables') {
        const id = this.connection.statement('SELECT backtest_id FROM run_details WHERE uuid = ?').pluck().get(uuid) as
          | number
          | undefined;
        if (id !== undefined) return this.rowsById([id])[0];
      }
      // Rows without a stored UUID derive theirs; only a scan can find them (older files, rare).
      const found = this.connection
        .statement(`SELECT ${rows.selectList} FROM ${rows.from}`)
        .raw(true)
        .all() as unknown[][];
      return found.map(storedRow).find((row) => row.uuid === uuid);
    });
  }

  /**
   * Full rows for ids, in the given order. Queries pick ids first, on indexes, so that only the
   * rows returned are assembled.
   */
  private rowsById(ids: readonly number[]): BacktestRow[] {
    if (ids.length === 0) return [];
    const rows = this.connection.rows;
    if (ids.length === 1) {
      const values = this.connection
        .statement(`SELECT ${rows.selectList} FROM ${rows.from} WHERE r.id = ?`)
        .raw(true)
        .get(ids[0]);
      return values === undefined ? [] : [storedRow(values as unknown[])];
    }
    // One statement for the whole page: per-call overhead, not SQLite, dominates 100 single-row gets.
    const found = this.connection
      .statement(`SELECT ${rows.selectList} FROM ${rows.from} WHERE r.id IN (SELECT value FROM json_each(?))`)
      .raw(true)
      .all(JSON.stringify(ids)) as unknown[][];
    const byId = new Map<number, BacktestRow>();
    for (const values of found) byId.set(values[0] as number, storedRow(values));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The stored (downsampled) equity curve of a run. */
  equityCurve(id: number): StoredEquityCurve | undefined {
    if (!this.connection.hasTable('backtest_equity')) return undefined;
    // Files read as they are (schema 2) have no month-end columns.
    const monthEnds =
      this.connection.rows.layout === 'sideTables' ? 'month_end_time_ms, month_end_equity' : 'NULL, NULL';
    const row = this.connection.read('read an equity curve', () =>
      this.connection
        .statement(
          `SELECT point_count, source_point_count, time_ms, equity, ${monthEnds} FROM backtest_equity WHERE backtest_id = ?`,
        )
        .raw(true)
        .get(id),
    ) as [number, number, Buffer, Buffer, Buffer | null, Buffer | null] | undefined;
    if (row === undefined) return undefined;
    const [pointCount, sourcePointCount, timeMs, equity, monthEndTimeMs, monthEndEquity] = row;
    return decodeStoredCurve(
      { pointCount, sourcePointCount, timeMs, equity, monthEndTimeMs, monthEndEquity },
      id,
      this.connection.path,
    );
  }

  /**
   * The stored out-of-sample parts of runs, by id (runs without one are left out); files older
   * than schema 7 have none.
   */
  outOfSample(ids: readonly number[]): Map<number, StoredOutOfSample> {
    const found = new Map<number, StoredOutOfSample>();
    if (ids.length === 0 || !this.connection.hasTable('run_oos_metrics')) return found;
    const rows = this.connection.read('read out-of-sample metrics', () => {
      const out: unknown[][] = [];
      // Pages keep the IN list (a JSON array) small.
      for (let i = 0; i < ids.length; i += 1000) {
        const page = JSON.stringify(ids.slice(i, i + 1000));
        out.push(...(this.connection.statement(SELECT_OOS_SQL).raw(true).all(page) as unknown[][]));
      }
      return out;
    });
    for (const v of rows) {
      const metrics: Record<string, number | null> = {};
      OOS_METRIC_COLUMNS.forEach((column, i) => {
        metrics[column] = numberOrNull(v[1 + OOS_INFO_COLUMNS.length + i]);
      });
      found.set(v[0] as number, {
        fromMs: v[1] as number,
        toMs: v[2] as number,
        barsCount: v[3] as number,
        barsSha256: v[4] as string,
        outOfMoneyTimeMs: numberOrNull(v[5]),
        metrics: metrics as StoredOutOfSample['metrics'],
      });
    }
    return found;
  }

  /** The stored trade list of a run; `undefined` when none was stored (older rows). */
  trades(id: number): Trade[] | undefined {
    if (!this.connection.hasTable('run_trades')) return undefined;
    const row = this.connection.read('read the trades of a backtest', () =>
      this.connection.statement('SELECT trade_count, trades FROM run_trades WHERE backtest_id = ?').get(id),
    ) as { trade_count: number; trades: Buffer } | undefined;
    if (row === undefined) return undefined;
    const trades = decodeTrades(row.trades);
    if (trades?.length !== row.trade_count) {
      throw new StoreError(`database ${this.connection.path}: the trade list of backtest ${id} is corrupt`);
    }
    return trades;
  }

  /** Deletes runs (side rows go with them, by trigger); how many existed. */
  delete(ids: readonly number[]): number {
    return this.connection.write('delete backtests', () => {
      const stmt = this.connection.statement('DELETE FROM backtest_results WHERE id = ?');
      let removed = 0;
      for (const id of ids) removed += stmt.run(id).changes;
      return removed;
    });
  }

  /** Every run matching `filter`, oldest first by id, no limit (for export). */
  all(checked: CheckedFilter): BacktestRow[] {
    const filter = this.visible(checked);
    return this.connection.read('export backtests', () => {
      const plan = planQuery(this.connection.rows, filterConditions(filter), {
        column: 'id',
        direction: 'ASC',
        byMagnitude: false,
      });
      const ids = this.connection
        .statement(`SELECT ${plan.id} FROM ${plan.from} ${plan.where} ${plan.orderBy}`)
        .pluck()
        .all(...plan.params) as number[];
      const rows: BacktestRow[] = [];
      // Pages keep the IN list (a JSON array) small.
      for (let i = 0; i < ids.length; i += 1000) rows.push(...this.rowsById(ids.slice(i, i + 1000)));
      return rows;
    });
  }
}
