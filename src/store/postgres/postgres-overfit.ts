/**
 * Schema 6's tables in PostgreSQL, as in SQLite (`../sqlite/overfit-table.ts`): each sweep run's
 * period returns and each sweep's last probability of backtest overfitting. A database older
 * than schema 6, read as it is, has neither: it reads as having no period returns and no result.
 */
import type pg from 'pg';
import { StoreError } from '../../core/errors.js';
import { decodeFloat64 } from '../float64-codec.js';
import {
  type RunPeriodReturns,
  type SweepOverfit,
  type SweepOverfitRow,
  SWEEP_OVERFIT_COLUMNS,
  sweepOverfitFromRow,
  sweepOverfitValues,
} from '../sweep-overfit.js';
import type { PostgresConnection } from './postgres-connection.js';
import { OVERFIT_SCHEMA_VERSION } from './postgres-schema.js';

/** Period returns and overfitting results in one PostgreSQL database. */
export class PostgresOverfit {
  private readonly connection: PostgresConnection;

  constructor(connection: PostgresConnection) {
    this.connection = connection;
  }

  private present: Promise<boolean> | undefined;

  /**
   * True when the tables exist: always once opened for writing (migrated); read-only, when the
   * database has them (not before version 6, nor in one made by a build that had 8 but not 6).
   */
  hasTables(): Promise<boolean> {
    if (!this.connection.readonly) return Promise.resolve(true);
    if (this.connection.openedAtVersion < OVERFIT_SCHEMA_VERSION) return Promise.resolve(false);
    this.present ??= this.connection
      .query<{ present: boolean }>('read the schema', {
        text: "SELECT to_regclass(quote_ident(current_schema()) || '.sweep_overfit') IS NOT NULL AS present",
        values: [],
      })
      .then((result) => result.rows[0]?.present === true);
    return this.present;
  }

  /** Every run of the sweep with stored period returns, by id. */
  async sweepPeriodReturns(sweepId: string): Promise<RunPeriodReturns[]> {
    if (!(await this.hasTables())) return [];
    const result = await this.connection.query<unknown[]>(
      'read the period returns of a sweep',
      {
        text:
          'SELECT p.backtest_id, d.strategy_params_json, p.period_count, p.returns FROM run_details d ' +
          'JOIN run_period_returns p ON p.backtest_id = d.backtest_id WHERE d.sweep_id = $1 ORDER BY p.backtest_id',
        values: [sweepId],
      },
      { rowMode: 'array' },
    );
    return result.rows.map(([id, params, count, bytes]) => ({
      id: id as number,
      strategyParamsJson: typeof params === 'string' ? params : null,
      returns: this.decode(bytes, count as number, `the period returns of backtest ${id}`),
    }));
  }

  /** The stored period returns of runs among `ids`, inside an export's read transaction. */
  async periodReturnsOf(client: pg.PoolClient, ids: readonly number[]): Promise<Map<number, Float64Array>> {
    const found = new Map<number, Float64Array>();
    if (ids.length === 0 || !(await this.hasTables())) return found;
    const result = await client.query<unknown[]>({
      text: 'SELECT backtest_id, period_count, returns FROM run_period_returns WHERE backtest_id = ANY($1::bigint[])',
      values: [ids],
      rowMode: 'array',
    } as pg.QueryConfig<unknown[]>);
    for (const [id, count, bytes] of result.rows) {
      found.set(id as number, this.decode(bytes, count as number, `the period returns of backtest ${id}`));
    }
    return found;
  }

  /** Stores a sweep's result, replacing an earlier one. */
  async save(sweepId: string, overfit: SweepOverfit): Promise<void> {
    const action = 'store the probability of backtest overfitting of a sweep';
    this.connection.checkWritable(action);
    const columns = SWEEP_OVERFIT_COLUMNS;
    await this.connection.query(
      action,
      {
        text:
          `INSERT INTO sweep_overfit (sweep_id, ${columns.join(', ')}) VALUES ($1::text, $2::bigint, $3::text, $4::integer, $5::integer, $6::integer, $7::integer, $8::float8, $9::float8, $10::float8, $11::float8, $12::float8, $13::bytea, $14::bytea, $15::bytea) ` +
          `ON CONFLICT (sweep_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
        values: sweepOverfitValues(sweepId, overfit),
      },
      { write: true },
    );
  }

  /** A sweep's stored result, or `undefined`. */
  async find(sweepId: string): Promise<SweepOverfit | undefined> {
    if (!(await this.hasTables())) return undefined;
    const result = await this.connection.query<SweepOverfitRow>(
      'read the probability of backtest overfitting of a sweep',
      {
        text: 'SELECT * FROM sweep_overfit WHERE sweep_id = $1',
        values: [sweepId],
      },
    );
    const row = result.rows[0];
    if (row === undefined) return undefined;
    return sweepOverfitFromRow(row, sweepId, this.connection.location);
  }

  private decode(bytes: unknown, count: number, what: string): Float64Array {
    const values = bytes instanceof Uint8Array ? decodeFloat64(bytes) : undefined;
    if (values?.length !== count) {
      throw new StoreError(`database ${this.connection.location}: ${what} are corrupt (wrong length)`);
    }
    return values;
  }
}
