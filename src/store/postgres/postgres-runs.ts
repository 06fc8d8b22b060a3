/**
 * Backtest runs in PostgreSQL: the older tool's `backtest_results` row plus its side rows
 * (`run_details`, `run_trades`, `backtest_equity`).
 *
 * A save is one statement: data-modifying CTEs insert the run's row and its side rows, so it is
 * atomic without BEGIN/COMMIT and costs one round trip (what keeps a durable save near the
 * server's commit time). Every parameter carries an explicit cast, so the statement's types do
 * not depend on inference.
 *
 * Numeric traps: float8 holds ±Infinity (an infinite profit factor ranks above every finite
 * value) and NaN, which is refused before any SQL runs (`run-input.ts`), as in SQLite. Times in
 * `backtest_results` are unix seconds; curves, trades and bars use unix milliseconds.
 */
import { type RowSource, sideTablesSource } from '../row-source.js';
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';
import type { Trade } from '../../core/result.js';
import { canonicalTimeframe } from '../../core/timeframe.js';
import { type CheckedFilter, type CheckedQuery, checkRankMetric, sampleSort } from '../run-filter.js';
import type { PreparedBacktest } from '../run-input.js';
import { BACKTEST_COLUMNS, type BacktestRow, type ColumnSpec, LEGACY_COLUMNS } from '../run-row.js';
import type { BestRun, ImportSummary, StoredEquityCurve, StoredOutOfSample } from '../run-store.js';
import { decodeStoredCurve } from '../stored-curve.js';
import type { TransferRecord } from '../run-transfer.js';
import { legacyRowUuid } from '../run-uuid.js';
import { decodeTrades } from '../trade-codec.js';
import { numberPlaceholders, type PostgresConnection, type Queryable } from './postgres-connection.js';
import type { PostgresOverfit } from './postgres-overfit.js';
import { type FieldName, filterConditions, planQuery, storedRow, tradesField } from './postgres-run-query.js';
import { IMPORT_LOCK_KEY, LEGACY_METRIC_COPIES, OOS_INFO_COLUMNS, OOS_METRIC_COLUMNS } from './postgres-schema.js';

const CAST: Readonly<Record<ColumnSpec['kind'], string>> = { text: 'text', integer: 'bigint', real: 'float8' };
const KIND = new Map<string, ColumnSpec['kind']>(BACKTEST_COLUMNS.map((c) => [c.name, c.kind]));

/** What {@link PostgresRuns.sharpeFamily} reads of each run. */
const FAMILY_FIELDS = [
  'sharpe_ratio',
  'returns_count',
  'bars_count',
  'bars_first_time_ms',
  'bars_last_time_ms',
] as const satisfies readonly FieldName[];

/** One run of a family, with what de-annualizes its Sharpe ratio (`RunStore.sharpeFamily`). */
export interface FamilyMember {
  readonly id: number;
  readonly sharpeRatio: number | null;
  readonly returnsCount: number | null;
  readonly barsCount: number | null;
  readonly firstTimeMs: number | null;
  readonly lastTimeMs: number | null;
}

const OOS_INTEGER = new Set(['total_trades', 'returns_count']);
/** `run_oos_metrics` columns beside `backtest_id`, with their casts, in insert order. */
const OOS_CASTS: readonly (readonly [string, string])[] = [
  ['oos_from_ms', 'bigint'],
  ['oos_to_ms', 'bigint'],
  ['bars_count', 'bigint'],
  ['bars_sha256', 'text'],
  ['out_of_money_time_ms', 'bigint'],
  ...OOS_METRIC_COLUMNS.map((c) => [c, OOS_INTEGER.has(c) ? 'bigint' : 'float8'] as const),
];
const SELECT_OOS_COLUMNS = `backtest_id, ${[...OOS_INFO_COLUMNS, ...OOS_METRIC_COLUMNS].join(', ')}`;

/** A stored value as a number, or `null`. */
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** Export and import pages: keeps each `= ANY(...)` array and each result small. */
const PAGE = 1000;

/** Runs in one PostgreSQL database. */
export class PostgresRuns {
  private readonly connection: PostgresConnection;
  private readonly source: RowSource;
  /** `run_details` columns a save writes besides `backtest_id`, in statement order. */
  private readonly detailColumns: readonly string[];
  private readonly insertSql = new Map<string, string>();

  constructor(connection: PostgresConnection) {
    this.connection = connection;
    // LEFT JOIN: a row another program inserted gets its side row from a trigger; read it all the same.
    this.source = sideTablesSource(connection.detailColumns, connection.hasWalkForwardTables, 'left');
    const rest = BACKTEST_COLUMNS.filter(
      (c) => !c.legacy && c.name !== 'uuid' && connection.detailColumns.has(c.name),
    ).map((c) => c.name as string);
    this.detailColumns = ['uuid', 'symbol_key', 'timeframe_key', 'run_timestamp', ...LEGACY_METRIC_COPIES, ...rest];
  }

  /**
   * The save statement for a run with or without a curve, trades, period returns, an
   * out-of-sample part and an idempotency key (a distributed sweep's, schema version 8).
   */
  private insertStatement(
    hasEquity: boolean,
    hasTrades: boolean,
    hasPeriods = false,
    hasOos = false,
    hasKey = false,
  ): string {
    const key = `${hasEquity}${hasTrades}${hasPeriods}${hasOos}${hasKey}`;
    const cached = this.insertSql.get(key);
    if (cached !== undefined) return cached;
    const legacy = LEGACY_COLUMNS.filter((c) => c.name !== 'id');
    const cast = (name: string): string =>
      `?::${name === 'symbol_key' || name === 'timeframe_key' ? 'text' : CAST[KIND.get(name) ?? 'text']}`;
    const parts = [
      `r AS (INSERT INTO backtest_results (${legacy.map((c) => c.name).join(', ')}) VALUES (${legacy.map((c) => cast(c.name)).join(', ')}) RETURNING id)`,
      `d AS (INSERT INTO run_details (backtest_id, ${this.detailColumns.join(', ')}${hasKey ? ', idempotency_key' : ''}) SELECT id, ${this.detailColumns.map(cast).join(', ')}${hasKey ? ', ?::text' : ''} FROM r)`,
    ];
    if (hasEquity) {
      parts.push(
        'e AS (INSERT INTO backtest_equity (backtest_id, point_count, source_point_count, time_ms, equity, month_end_time_ms, month_end_equity) SELECT id, ?::integer, ?::integer, ?::bytea, ?::bytea, ?::bytea, ?::bytea FROM r)',
      );
    }
    if (hasTrades) {
      parts.push(
        't AS (INSERT INTO run_trades (backtest_id, trade_count, trades) SELECT id, ?::integer, ?::bytea FROM r)',
      );
    }
    if (hasPeriods) {
      parts.push(
        'p AS (INSERT INTO run_period_returns (backtest_id, period_count, returns) SELECT id, ?::integer, ?::bytea FROM r)',
      );
    }
    if (hasOos) {
      parts.push(
        `o AS (INSERT INTO run_oos_metrics (backtest_id, ${OOS_CASTS.map(([name]) => name).join(', ')}) SELECT id, ${OOS_CASTS.map(([, type]) => `?::${type}`).join(', ')} FROM r)`,
      );
    }
    const sql = numberPlaceholders(`WITH ${parts.join(',\n')}\nSELECT id FROM r`);
    this.insertSql.set(key, sql);
    return sql;
  }

  private insertValues(prepared: PreparedBacktest, idempotencyKey?: string): unknown[] {
    const { values, equity, trades } = prepared;
    const row = values as unknown as Record<string, unknown>;
    const legacy = LEGACY_COLUMNS.filter((c) => c.name !== 'id').map((c) => row[c.name]);
    const detail = this.detailColumns.map((name) => {
      if (name === 'symbol_key') return values.symbol;
      if (name === 'timeframe_key') return canonicalTimeframe(values.timeframe) ?? values.timeframe;
      return row[name] ?? null;
    });
    const out = [...legacy, ...detail];
    if (idempotencyKey !== undefined) out.push(idempotencyKey);
    if (equity !== undefined) {
      out.push(
        equity.pointCount,
        equity.sourcePointCount,
        equity.timeMs,
        equity.equity,
        equity.monthEndTimeMs,
        equity.monthEndEquity,
      );
    }
    if (trades !== undefined) out.push(trades.count, trades.bytes);
    if (prepared.periodReturns !== undefined) out.push(prepared.periodReturns.count, prepared.periodReturns.bytes);
    const oos = prepared.outOfSample;
    if (oos !== undefined) {
      out.push(oos.fromMs, oos.toMs, oos.barsCount, oos.barsSha256, oos.outOfMoneyTimeMs, ...oos.metrics);
    }
    return out;
  }

  private statementFor(prepared: PreparedBacktest, hasKey = false): string {
    return this.insertStatement(
      prepared.equity !== undefined,
      prepared.trades !== undefined,
      prepared.periodReturns !== undefined,
      prepared.outOfSample !== undefined,
      hasKey,
    );
  }

  /**
   * Inserts one run inside the caller's transaction; its id. `idempotencyKey`: a distributed
   * sweep's key for the run, written in the same statement (its unique constraint then fails
   * the statement when another worker saved the key first).
   */
  async insert(client: Queryable, prepared: PreparedBacktest, idempotencyKey?: string): Promise<number> {
    const hasKey = idempotencyKey !== undefined;
    const text = this.statementFor(prepared, hasKey);
    const values = this.insertValues(prepared, hasKey ? idempotencyKey : undefined);
    const result = await client.query<{ id: number }>(this.connection.config({ text, values }, { prepared: true }));
    return result.rows[0]?.id as number;
  }

  /** Saves one run in one statement; its id. */
  async saveOne(prepared: PreparedBacktest, action: string): Promise<number> {
    this.connection.checkWritable(action);
    const text = this.statementFor(prepared);
    const result = await this.connection.query<{ id: number }>(
      action,
      { text, values: this.insertValues(prepared) },
      { prepared: true, write: true },
    );
    return result.rows[0]?.id as number;
  }

  /** Saves runs in one transaction; ids in input order. */
  async save(prepared: readonly PreparedBacktest[], action: string): Promise<number[]> {
    if (prepared.length === 1) return [await this.saveOne(prepared[0] as PreparedBacktest, action)];
    return this.connection.write(action, async (client) => {
      const ids: number[] = [];
      for (const p of prepared) ids.push(await this.insert(client, p));
      return ids;
    });
  }

  /**
   * Imports prepared runs in one transaction, skipping those whose UUID is already stored, so
   * importing the same records twice changes nothing. Importers take turns (an advisory lock),
   * so two copies of the same history at once cannot both insert a run.
   */
  async importPrepared(prepared: readonly PreparedBacktest[]): Promise<ImportSummary> {
    return this.connection.write('import backtests', async (client) => {
      await client.query({
        text: 'SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))',
        values: [IMPORT_LOCK_KEY],
      });
      await this.completePendingRows(client);
      const existing = new Set<string>();
      const uuids = prepared.map((p) => p.values.uuid);
      for (let i = 0; i < uuids.length; i += PAGE) {
        const found = await client.query<{ uuid: string }>({
          text: 'SELECT uuid FROM run_details WHERE uuid = ANY($1::text[])',
          values: [uuids.slice(i, i + PAGE)],
        });
        for (const row of found.rows) existing.add(row.uuid);
      }
      const ids: number[] = [];
      let present = 0;
      for (const p of prepared) {
        if (existing.has(p.values.uuid)) {
          present++;
          continue;
        }
        existing.add(p.values.uuid);
        ids.push(await this.insert(client, p));
      }
      return { imported: ids.length, present, ids };
    });
  }

  /**
   * Stores the UUID (derived from the 18 columns, as readers derive it meanwhile) and canonical
   * timeframe of side rows the trigger made for rows other programs inserted. Cheap when there
   * are none (a partial index).
   */
  async completePendingRows(client?: Queryable): Promise<void> {
    const run = async (c: Queryable): Promise<void> => {
      const pending = await c.query<Record<string, unknown>>({
        text: `SELECT ${LEGACY_COLUMNS.map((col) => `r.${col.name}`).join(', ')} FROM run_details d JOIN backtest_results r ON r.id = d.backtest_id WHERE d.uuid IS NULL`,
      });
      for (const row of pending.rows) {
        const timeframe = String(row.timeframe).trim();
        await c.query({
          text: 'UPDATE run_details SET uuid = $1, timeframe_key = $2 WHERE backtest_id = $3 AND uuid IS NULL',
          values: [legacyRowUuid(row), canonicalTimeframe(timeframe) ?? timeframe, row.id],
        });
      }
    };
    if (client !== undefined) return run(client);
    if (this.connection.readonly) return;
    return this.connection.write('complete rows other programs wrote', run);
  }

  /** Runs matching a checked query. */
  async list(query: CheckedQuery): Promise<BacktestRow[]> {
    const { filter, sort, limit, offset } = query;
    const plan = planQuery(this.source, filterConditions(filter), sort);
    const result = await this.connection.query<unknown[]>(
      'list backtest results',
      {
        text: numberPlaceholders(`SELECT ${plan.id} FROM ${plan.from} ${plan.where} ${plan.orderBy} LIMIT ? OFFSET ?`),
        values: [...plan.params, limit, offset],
      },
      { rowMode: 'array' },
    );
    return this.rowsById(result.rows.map((r) => r[0] as number));
  }

  /** How many runs match. */
  async count(filter: CheckedFilter): Promise<number> {
    const plan = planQuery(this.source, filterConditions(filter), undefined);
    const result = await this.connection.query<{ n: number }>('count backtest results', {
      text: numberPlaceholders(`SELECT count(*) AS n FROM ${plan.from} ${plan.where}`),
      values: plan.params,
    });
    return result.rows[0]?.n ?? 0;
  }

  /**
   * The best run by `metric` among those matching `filter`, and how many were looked at, in one
   * statement (one snapshot): runs with a value that pass the trade minimum are ranked.
   */
  async best(metric: string, filter: CheckedFilter): Promise<BestRun> {
    const rank = sampleSort(checkRankMetric(metric), filter.sample);
    const trades = tradesField(filter);
    const { minTrades, ...rest } = filter;
    const minimum = minTrades ?? 0;
    const column = rank.column as FieldName;
    const plan = planQuery(this.source, filterConditions(rest), undefined, [column, trades, 'run_timestamp', 'id']);
    const e = plan.expr;
    const order = rank.byMagnitude ? `abs(v) ${rank.direction}` : `v ${rank.direction}`;
    const ranked = 'v IS NOT NULL AND coalesce(n, 0) >= ?';
    const sql = `WITH m AS MATERIALIZED (SELECT ${plan.id} AS id, ${e(column)} AS v, ${e(trades)} AS n, ${e('run_timestamp')} AS t FROM ${plan.from} ${plan.where})
      SELECT (SELECT count(*) FROM m) AS matching, (SELECT count(v) FROM m) AS with_value,
        (SELECT count(*) FROM m WHERE ${ranked}) AS ranked,
        (SELECT id FROM m WHERE ${ranked} ORDER BY ${order} NULLS LAST, t DESC, id DESC LIMIT 1) AS best`;
    const result = await this.connection.query<{
      matching: number;
      with_value: number;
      ranked: number;
      best: number | null;
    }>(
      'find the best backtest',
      { text: numberPlaceholders(sql), values: [...plan.params, minimum, minimum] },
      { prepared: true },
    );
    const counts = result.rows[0] ?? { matching: 0, with_value: 0, ranked: 0, best: null };
    const row = counts.best === null ? undefined : (await this.rowsById([counts.best]))[0];
    return { row, matching: counts.matching, withValue: counts.with_value, ranked: counts.ranked };
  }

  /** Every run matching `filter`, by id, with what the deflated Sharpe ratio needs: one statement. */
  async sharpeFamily(filter: CheckedFilter): Promise<FamilyMember[]> {
    const plan = planQuery(this.source, filterConditions(filter), undefined, FAMILY_FIELDS);
    const result = await this.connection.query<unknown[]>(
      'read the Sharpe ratios of a family of runs',
      {
        text: numberPlaceholders(
          `SELECT ${plan.id}, ${FAMILY_FIELDS.map((f) => plan.expr(f)).join(', ')} FROM ${plan.from} ${plan.where} ORDER BY ${plan.id}`,
        ),
        values: plan.params,
      },
      { rowMode: 'array' },
    );
    return result.rows.map((v) => ({
      id: v[0] as number,
      sharpeRatio: numberOrNull(v[1]),
      returnsCount: numberOrNull(v[2]),
      barsCount: numberOrNull(v[3]),
      firstTimeMs: numberOrNull(v[4]),
      lastTimeMs: numberOrNull(v[5]),
    }));
  }

  /** One run by id. */
  async get(id: number): Promise<BacktestRow | undefined> {
    return (await this.rowsById([id]))[0];
  }

  /** One run by UUID (lower-case). */
  async getByUuid(uuid: string): Promise<BacktestRow | undefined> {
    const found = await this.connection.query<{ id: number }>('read a backtest', {
      text: 'SELECT backtest_id AS id FROM run_details WHERE uuid = $1',
      values: [uuid],
    });
    const id = found.rows[0]?.id;
    if (id !== undefined) return (await this.rowsById([id]))[0];
    // Rows other programs inserted have no stored UUID until the next write; derive theirs.
    const pending = await this.connection.query<unknown[]>(
      'read a backtest',
      {
        text: `SELECT ${this.source.selectList} FROM run_details d JOIN backtest_results r ON r.id = d.backtest_id WHERE d.uuid IS NULL`,
        values: [],
      },
      { rowMode: 'array' },
    );
    return pending.rows.map(storedRow).find((row) => row.uuid === uuid);
  }

  /** Full rows for ids, in the given order, in one statement; through `client` inside a transaction. */
  private async rowsById(ids: readonly number[], client?: Queryable): Promise<BacktestRow[]> {
    if (ids.length === 0) return [];
    const single = ids.length === 1;
    const query = {
      text: `SELECT ${this.source.selectList} FROM ${this.source.from} WHERE ${single ? 'r.id = $1::bigint' : 'r.id = ANY($1::bigint[])'}`,
      values: [single ? ids[0] : ids],
    };
    const options = { prepared: true, rowMode: 'array' } as const;
    const result =
      client === undefined
        ? await this.connection.query<unknown[]>('read backtests', query, options)
        : await client.query<unknown[]>(this.connection.config(query, options));
    const byId = new Map<number, BacktestRow>();
    for (const values of result.rows) byId.set(values[0] as number, storedRow(values));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The stored (downsampled) equity curve of a run. */
  async equityCurve(id: number): Promise<StoredEquityCurve | undefined> {
    const result = await this.connection.query<unknown[]>(
      'read an equity curve',
      {
        text: 'SELECT backtest_id, point_count, source_point_count, time_ms, equity, month_end_time_ms, month_end_equity FROM backtest_equity WHERE backtest_id = $1',
        values: [id],
      },
      { rowMode: 'array', prepared: true },
    );
    const row = result.rows[0];
    return row === undefined ? undefined : this.decodeCurve(row);
  }

  private decodeCurve(row: unknown[]): StoredEquityCurve {
    const [id, pointCount, sourcePointCount, timeMs, equity, monthEndTimeMs, monthEndEquity] = row as [
      number,
      number,
      number,
      Buffer,
      Buffer,
      Buffer | null,
      Buffer | null,
    ];
    return decodeStoredCurve(
      { pointCount, sourcePointCount, timeMs, equity, monthEndTimeMs, monthEndEquity },
      id,
      this.connection.location,
    );
  }

  /**
   * The stored out-of-sample parts of runs, by id (runs without one are left out); through
   * `client` inside a transaction. A database read as it is before schema 7 has none.
   */
  async outOfSample(ids: readonly number[], client?: Queryable): Promise<Map<number, StoredOutOfSample>> {
    const found = new Map<number, StoredOutOfSample>();
    if (ids.length === 0 || !this.connection.hasWalkForwardTables) return found;
    for (let i = 0; i < ids.length; i += PAGE) {
      const query = {
        text: `SELECT ${SELECT_OOS_COLUMNS} FROM run_oos_metrics WHERE backtest_id = ANY($1::bigint[])`,
        values: [ids.slice(i, i + PAGE)],
      };
      const options = { rowMode: 'array' } as const;
      const result =
        client === undefined
          ? await this.connection.query<unknown[]>('read out-of-sample metrics', query, options)
          : await client.query<unknown[]>(this.connection.config(query, options));
      for (const v of result.rows) {
        const metrics: Record<string, number | null> = {};
        OOS_METRIC_COLUMNS.forEach((column, j) => {
          metrics[column] = numberOrNull(v[1 + OOS_INFO_COLUMNS.length + j]);
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
    }
    return found;
  }

  /** The stored trade list of a run; `undefined` when none was stored. */
  async trades(id: number): Promise<Trade[] | undefined> {
    const result = await this.connection.query<unknown[]>(
      'read the trades of a backtest',
      { text: 'SELECT backtest_id, trade_count, trades FROM run_trades WHERE backtest_id = $1', values: [id] },
      { rowMode: 'array', prepared: true },
    );
    const row = result.rows[0];
    return row === undefined ? undefined : this.decodeTradeRow(row);
  }

  private decodeTradeRow(row: unknown[]): Trade[] {
    const [id, count, bytes] = row as [number, number, Buffer];
    const trades = decodeTrades(bytes);
    if (trades?.length !== count) {
      throw new StoreError(`database ${this.connection.location}: the trade list of backtest ${id} is corrupt`);
    }
    return trades;
  }

  /** Deletes runs (side rows go with them, by cascade); how many existed. */
  async delete(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) {
      this.connection.checkWritable('delete backtests');
      return 0;
    }
    const result = await this.connection.query(
      'delete backtests',
      { text: 'DELETE FROM backtest_results WHERE id = ANY($1::bigint[])', values: [ids] },
      { write: true },
    );
    return result.rowCount ?? 0;
  }

  /**
   * Every run matching `filter`, oldest first by id, with its curve, trades and period returns
   * (for export), in one snapshot.
   */
  async exportRecords(
    filter: CheckedFilter,
    withSideData: boolean,
    overfit?: PostgresOverfit,
  ): Promise<TransferRecord[]> {
    return this.connection.read('export backtests', async (client) => {
      const plan = planQuery(this.source, filterConditions(filter), {
        column: 'id',
        direction: 'ASC',
        byMagnitude: false,
      });
      const idRows = await client.query<unknown[]>({
        text: numberPlaceholders(`SELECT ${plan.id} FROM ${plan.from} ${plan.where} ${plan.orderBy}`),
        values: plan.params as unknown[],
        rowMode: 'array',
      } as pg.QueryConfig<unknown[]>);
      const ids = idRows.rows.map((r) => r[0] as number);
      const records: TransferRecord[] = [];
      for (let i = 0; i < ids.length; i += PAGE) {
        const page = ids.slice(i, i + PAGE);
        const rows = await this.rowsById(page, client);
        if (!withSideData) {
          for (const row of rows) records.push({ row });
          continue;
        }
        const curves = new Map<number, StoredEquityCurve>();
        const trades = new Map<number, Trade[]>();
        const curveRows = await client.query<unknown[]>({
          text: 'SELECT backtest_id, point_count, source_point_count, time_ms, equity, month_end_time_ms, month_end_equity FROM backtest_equity WHERE backtest_id = ANY($1::bigint[])',
          values: [page],
          rowMode: 'array',
        } as pg.QueryConfig<unknown[]>);
        for (const r of curveRows.rows) curves.set(r[0] as number, this.decodeCurve(r));
        const tradeRows = await client.query<unknown[]>({
          text: 'SELECT backtest_id, trade_count, trades FROM run_trades WHERE backtest_id = ANY($1::bigint[])',
          values: [page],
          rowMode: 'array',
        } as pg.QueryConfig<unknown[]>);
        for (const r of tradeRows.rows) trades.set(r[0] as number, this.decodeTradeRow(r));
        const periods = (await overfit?.periodReturnsOf(client, page)) ?? new Map<number, Float64Array>();
        const outOfSample = await this.outOfSample(page, client);
        for (const row of rows) {
          const equityCurve = curves.get(row.id);
          const runTrades = trades.get(row.id);
          const periodReturns = periods.get(row.id);
          const oos = outOfSample.get(row.id);
          records.push({
            row,
            ...(equityCurve === undefined ? {} : { equityCurve }),
            ...(runTrades === undefined ? {} : { trades: runTrades }),
            ...(periodReturns === undefined ? {} : { periodReturns }),
            ...(oos === undefined ? {} : { outOfSample: oos }),
          });
        }
      }
      return records;
    });
  }
}
