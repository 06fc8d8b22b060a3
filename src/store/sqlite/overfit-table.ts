/**
 * Schema 6's tables in a SQLite file: `run_period_returns` (each sweep run's returns on the
 * sweep's period grid, packed float64) and `sweep_overfit` (each sweep's last probability of
 * backtest overfitting). Files older than schema 6, read as they are, have neither: they read
 * as having no period returns and no result.
 */
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
import type { SqliteConnection } from './sqlite-connection.js';

/** The insert a save runs for a run's period returns (inside the save's transaction). */
export const INSERT_PERIOD_RETURNS_SQL =
  'INSERT INTO run_period_returns (backtest_id, period_count, returns) VALUES (?, ?, ?)';

/** Period returns and overfitting results in one SQLite file. */
export class OverfitTable {
  private readonly connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.connection = connection;
  }

  /** Every run of the sweep with stored period returns, by id. */
  sweepPeriodReturns(sweepId: string): RunPeriodReturns[] {
    if (!this.connection.hasTable('run_period_returns')) return [];
    const rows = this.connection.read('read the period returns of a sweep', () =>
      this.connection
        .statement(
          'SELECT p.backtest_id, d.strategy_params_json, p.period_count, p.returns FROM run_details d ' +
            'JOIN run_period_returns p ON p.backtest_id = d.backtest_id WHERE d.sweep_id = ? ORDER BY p.backtest_id',
        )
        .raw(true)
        .all(sweepId),
    ) as [number, unknown, number, Buffer][];
    return rows.map(([id, params, count, bytes]) => ({
      id,
      strategyParamsJson: typeof params === 'string' ? params : null,
      returns: this.decode(bytes, count, `the period returns of backtest ${id}`),
    }));
  }

  /** One run's stored period returns, or `undefined` (for export). */
  runPeriodReturns(id: number): Float64Array | undefined {
    if (!this.connection.hasTable('run_period_returns')) return undefined;
    const row = this.connection.read('read the period returns of a backtest', () =>
      this.connection
        .statement('SELECT period_count, returns FROM run_period_returns WHERE backtest_id = ?')
        .raw(true)
        .get(id),
    ) as [number, Buffer] | undefined;
    return row === undefined ? undefined : this.decode(row[1], row[0], `the period returns of backtest ${id}`);
  }

  /** Stores a sweep's result, replacing an earlier one. */
  save(sweepId: string, overfit: SweepOverfit): void {
    const values = sweepOverfitValues(sweepId, overfit);
    this.connection.write('store the probability of backtest overfitting of a sweep', () =>
      this.connection
        .statement(
          `INSERT OR REPLACE INTO sweep_overfit (sweep_id, ${SWEEP_OVERFIT_COLUMNS.join(', ')}) VALUES (${values.map(() => '?').join(', ')})`,
        )
        .run(...values),
    );
  }

  /** A sweep's stored result, or `undefined`. */
  find(sweepId: string): SweepOverfit | undefined {
    if (!this.connection.hasTable('sweep_overfit')) return undefined;
    const row = this.connection.read('read the probability of backtest overfitting of a sweep', () =>
      this.connection.statement('SELECT * FROM sweep_overfit WHERE sweep_id = ?').get(sweepId),
    ) as SweepOverfitRow | undefined;
    if (row === undefined) return undefined;
    return sweepOverfitFromRow(row, sweepId, this.connection.path);
  }

  private decode(bytes: unknown, count: number, what: string): Float64Array {
    const values = bytes instanceof Uint8Array ? decodeFloat64(bytes) : undefined;
    if (values?.length !== count) {
      throw new StoreError(`database ${this.connection.path}: ${what} are corrupt (wrong length)`);
    }
    return values;
  }
}
