/** Bars in a SQLite file: one row per bar, keyed by symbol, timeframe and time. */
import type { BarSeries } from '../../core/bars.js';
import { ConfigError, DataError } from '../../core/errors.js';
import { type Timeframe, timeframeAliases } from '../../core/timeframe.js';
import type { BarSetInfo } from '../run-store.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** Bar imports at least this large are followed by a WAL checkpoint. */
const LARGE_WRITE_BARS = 50_000;

/** Bar sets in one SQLite file. */
export class BarsTable {
  private readonly connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.connection = connection;
  }

  /**
   * Stores bars for their symbol and timeframe. Bars already stored in `[first, last]` of the
   * new series are replaced in one transaction; bars outside that range stay.
   */
  importBars(bars: BarSeries): { inserted: number; replaced: number } {
    checkBars(bars);
    if (bars.length === 0) return { inserted: 0, replaced: 0 };
    const first = bars.timeMs[0] as number;
    const last = bars.timeMs[bars.length - 1] as number;
    const result = this.connection.write(`import bars for ${bars.symbol} ${bars.timeframe}`, () => {
      const replaced = this.connection
        .statement('DELETE FROM bars WHERE symbol = ? AND timeframe = ? AND time_ms >= ? AND time_ms <= ?')
        .run(bars.symbol, bars.timeframe, first, last).changes;
      const insert = this.connection.statement(
        'INSERT INTO bars (symbol, timeframe, time_ms, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (let i = 0; i < bars.length; i++) {
        insert.run(
          bars.symbol,
          bars.timeframe,
          bars.timeMs[i],
          bars.open[i],
          bars.high[i],
          bars.low[i],
          bars.close[i],
          bars.volume[i],
        );
      }
      return { inserted: bars.length, replaced };
    });
    if (bars.length >= LARGE_WRITE_BARS) this.connection.checkpointAfterLargeWrite();
    return result;
  }

  listBarSets(): BarSetInfo[] {
    if (!this.connection.hasTable('bars')) return [];
    return this.connection.read(
      'list bar sets',
      () =>
        this.connection
          .statement(
            'SELECT symbol, timeframe, count(*) AS count, min(time_ms) AS firstTimeMs, max(time_ms) AS lastTimeMs FROM bars GROUP BY symbol, timeframe ORDER BY symbol, timeframe',
          )
          .all() as BarSetInfo[],
    );
  }

  loadBars(
    symbol: string,
    timeframe: Timeframe,
    range: { readonly fromMs?: number | undefined; readonly toMs?: number | undefined } = {},
  ): BarSeries | undefined {
    const fromMs = range.fromMs ?? -Number.MAX_VALUE;
    const toMs = range.toMs ?? Number.MAX_VALUE;
    if (Number.isNaN(fromMs) || Number.isNaN(toMs)) throw new ConfigError('loadBars: fromMs and toMs must be numbers');
    if (!this.connection.hasTable('bars')) return undefined;
    return this.connection.read(`load bars for ${symbol} ${timeframe}`, () => {
      // Bars stored by earlier releases may spell the symbol in lower case or the timeframe
      // another way (`1h`); IN lists keep the primary key usable for every spelling.
      const symbols = [...new Set([symbol, symbol.toUpperCase()])];
      const timeframes = [...new Set([timeframe, ...timeframeAliases(timeframe)])];
      const rows = this.connection
        .statement(
          `SELECT time_ms, open, high, low, close, volume FROM bars WHERE symbol IN (${symbols.map(() => '?').join(', ')}) AND timeframe IN (${timeframes.map(() => '?').join(', ')}) AND time_ms >= ? AND time_ms <= ? ORDER BY time_ms`,
        )
        .raw(true)
        .all(...symbols, ...timeframes, fromMs, toMs) as number[][];
      if (rows.length === 0) return undefined;
      const n = rows.length;
      const columns = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n)) as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      for (let i = 0; i < n; i++) {
        const row = rows[i] as number[];
        for (let c = 0; c < 6; c++) columns[c][i] = row[c] as number;
      }
      const [timeMs, open, high, low, close, volume] = columns;
      return { symbol, timeframe, length: n, timeMs, open, high, low, close, volume };
    });
  }
}

function checkBars(bars: BarSeries): void {
  const source = `bars ${bars.symbol} ${bars.timeframe}`;
  const columns = ['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const;
  for (const name of columns) {
    if (bars[name].length !== bars.length) {
      throw new DataError({
        source,
        field: name,
        reason: `has ${bars[name].length} values but the series has ${bars.length} bars`,
      });
    }
  }
  for (let i = 0; i < bars.length; i++) {
    const t = bars.timeMs[i] as number;
    if (!Number.isSafeInteger(t) || (i > 0 && t <= (bars.timeMs[i - 1] as number))) {
      throw new DataError({
        source,
        field: 'timeMs',
        reason: `bar ${i} time ${t} is not a whole number of ms after the previous bar`,
      });
    }
    for (const name of columns) {
      if (!Number.isFinite(bars[name][i] as number)) {
        throw new DataError({ source, field: name, reason: `bar ${i} is ${bars[name][i]}, not a finite number` });
      }
    }
  }
}
