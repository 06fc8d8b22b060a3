/**
 * Bars in PostgreSQL, in the layout of SQLite's schema 4 (see `../bar-chunks.ts`): `bar_sets`
 * names each set, `bar_chunks` holds its bars as non-overlapping columnar chunks of up to
 * 65,536 bars, one `bytea` of little-endian float64 per column. An import rewrites only the
 * chunks it overlaps and any under-half-full neighbour, exactly as the SQLite store does.
 *
 * Concurrency: an import locks its set's row (`FOR UPDATE`) for its transaction, so two imports
 * into one set take turns, while imports into other sets and every read go on. A new set is
 * created with `ON CONFLICT DO NOTHING`, so two processes creating it at once get one set.
 *
 * Times are whole unix milliseconds in BIGINT columns; range ends are rounded inward and clamped
 * to safe integers before they are bound (an open end is ±`Number.MAX_VALUE` in `checkBarTimeRange`).
 */
import type pg from 'pg';
import { type BarColumns, type BarSeries, createBarSeries } from '../../core/bars.js';
import { StoreError } from '../../core/errors.js';
import { symbolKey } from '../../core/symbol-key.js';
import { canonicalTimeframe, type Timeframe } from '../../core/timeframe.js';
import {
  BAR_CHUNK_BARS,
  BAR_COLUMN_NAMES,
  type BarColumnsSlice,
  chunkBounds,
  concatBarColumns,
  decodeBarColumn,
  encodeBarColumn,
  lowerBound,
  sliceBarChunks,
  upperBound,
} from '../bar-chunks.js';
import {
  type BarProvenance,
  type BarSetKey,
  barProvenance,
  barSetKey,
  checkBarSeries,
  checkBarTimeRange,
  refuseMixedBars,
} from '../bar-sets.js';
import type { BarImportOptions, BarImportSummary, BarSetInfo, BarTimeRange } from '../run-store.js';
import type { PostgresConnection, Queryable } from './postgres-connection.js';

/** A neighbour chunk with fewer bars than this is merged into the chunks an import rewrites. */
const MERGE_BELOW_BARS = BAR_CHUNK_BARS / 2;
const BLOBS = 'time_ms, open, high, low, close, volume';

interface ChunkRef {
  readonly first_time_ms: number;
  readonly last_time_ms: number;
  readonly bar_count: number;
}

interface SetRow {
  readonly set_id: number;
  readonly symbol: string;
  readonly timeframe: string;
  readonly feed: string | null;
  readonly adjustment: string | null;
}

const SET_INFO_SQL = `
  SELECT s.symbol AS "symbol", s.timeframe AS "timeframe", sum(c.bar_count)::bigint AS "count",
    min(c.first_time_ms) AS "firstTimeMs", max(c.last_time_ms) AS "lastTimeMs",
    s.source AS "source", s.feed AS "feed", s.adjustment AS "adjustment",
    s.created_ms AS "createdMs", s.updated_ms AS "updatedMs"
  FROM bar_sets s JOIN bar_chunks c ON c.set_id = s.set_id`;

const clampMs = (value: number): number => Math.min(Number.MAX_SAFE_INTEGER, Math.max(Number.MIN_SAFE_INTEGER, value));

/** Bar sets in one PostgreSQL database. */
export class PostgresBars {
  private readonly connection: PostgresConnection;
  private readonly nowMs: () => number;

  constructor(connection: PostgresConnection, nowMs: () => number = Date.now) {
    this.connection = connection;
    this.nowMs = nowMs;
  }

  async importBars(bars: BarSeries, options: BarImportOptions = {}): Promise<BarImportSummary> {
    checkBarSeries(bars);
    const key = barSetKey(bars.symbol, bars.timeframe);
    const provenance = barProvenance(options);
    const action = `import bars for ${key.symbol} ${key.timeframe}`;
    this.connection.checkWritable(action);
    if (bars.length === 0) return { inserted: 0, replaced: 0 };
    return this.connection.write(action, async (client) => {
      const setId = await this.setForImport(client, key, provenance);
      return { inserted: bars.length, replaced: await this.replaceRange(client, setId, bars) };
    });
  }

  async listBarSets(): Promise<BarSetInfo[]> {
    const result = await this.connection.query<BarSetInfo>('list bar sets', {
      text: `${SET_INFO_SQL} GROUP BY s.set_id ORDER BY s.symbol, s.timeframe`,
      values: [],
    });
    return result.rows;
  }

  async getBarSet(symbol: string, timeframe: Timeframe): Promise<BarSetInfo | undefined> {
    const wanted = canonicalTimeframe(timeframe.trim()) ?? timeframe.trim();
    const result = await this.connection.query<BarSetInfo>(`look up bars of ${symbol} ${timeframe}`, {
      text: `${SET_INFO_SQL} WHERE s.symbol_key = $1 AND s.timeframe = $2 GROUP BY s.set_id`,
      values: [symbolKey(symbol), wanted],
    });
    return result.rows[0];
  }

  async loadBars(symbol: string, timeframe: Timeframe, range: BarTimeRange = {}): Promise<BarSeries | undefined> {
    const { fromMs, toMs } = checkBarTimeRange(range);
    return this.connection.read(`load bars for ${symbol} ${timeframe}`, async (client) => {
      const set = await this.findSet(client, symbol, timeframe);
      if (set === undefined) return undefined;
      const rows = await client.query<unknown[]>({
        text: `SELECT bar_count, ${BLOBS} FROM bar_chunks WHERE set_id = $1 AND last_time_ms >= $2 AND first_time_ms <= $3 ORDER BY last_time_ms`,
        values: [set.set_id, clampMs(Math.ceil(fromMs)), clampMs(Math.floor(toMs))],
        rowMode: 'array',
      } as pg.QueryConfig<unknown[]>);
      const columns = sliceBarChunks(rows.rows, fromMs, toMs, (count, blobs) => this.checkChunk(count, blobs));
      if (columns.timeMs.length === 0) return undefined;
      return createBarSeries(set.symbol, set.timeframe as Timeframe, columns);
    });
  }

  async deleteBarSet(symbol: string, timeframe: Timeframe): Promise<number> {
    return this.connection.write(`delete bars of ${symbol} ${timeframe}`, async (client) => {
      const set = await this.findSet(client, symbol, timeframe, true);
      if (set === undefined) return 0;
      const count = await client.query<{ n: number }>({
        text: 'SELECT coalesce(sum(bar_count), 0)::bigint AS n FROM bar_chunks WHERE set_id = $1',
        values: [set.set_id],
      });
      // The chunks go with the set (ON DELETE CASCADE).
      await client.query({ text: 'DELETE FROM bar_sets WHERE set_id = $1', values: [set.set_id] });
      return count.rows[0]?.n ?? 0;
    });
  }

  private async findSet(
    client: Queryable,
    symbol: string,
    timeframe: string,
    lock = false,
  ): Promise<SetRow | undefined> {
    const wanted = canonicalTimeframe(timeframe.trim()) ?? timeframe.trim();
    const result = await client.query<SetRow>({
      text: `SELECT set_id, symbol, timeframe, feed, adjustment FROM bar_sets WHERE symbol_key = $1 AND timeframe = $2${lock ? ' FOR UPDATE' : ''}`,
      values: [symbolKey(symbol), wanted],
    });
    return result.rows[0];
  }

  /** The set the bars go to, locked for this transaction: the existing one (same feed and adjustment) or a new one. */
  private async setForImport(client: Queryable, key: BarSetKey, provenance: BarProvenance): Promise<number> {
    const now = this.nowMs();
    await client.query({
      text: 'INSERT INTO bar_sets (symbol, symbol_key, timeframe, source, feed, adjustment, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (symbol_key, timeframe) DO NOTHING',
      values: [
        key.symbol,
        key.symbolKey,
        key.timeframe,
        provenance.source,
        provenance.feed,
        provenance.adjustment,
        now,
      ],
    });
    const set = await this.findSet(client, key.symbol, key.timeframe, true);
    if (set === undefined)
      throw new StoreError(
        `database ${this.connection.location}: bar set ${key.symbol} ${key.timeframe} vanished during an import; try again`,
      );
    refuseMixedBars(set, provenance);
    await client.query({ text: 'UPDATE bar_sets SET updated_ms = $1 WHERE set_id = $2', values: [now, set.set_id] });
    return set.set_id;
  }

  /** As `BarsTable.replaceRange` in the SQLite store: rewrites only the chunks the range touches. */
  private async replaceRange(client: Queryable, setId: number, bars: BarSeries): Promise<number> {
    const first = bars.timeMs[0] as number;
    const last = bars.timeMs[bars.length - 1] as number;
    const refs = 'SELECT first_time_ms, last_time_ms, bar_count FROM bar_chunks WHERE set_id = $1';
    const overlapping = (
      await client.query<ChunkRef>({
        text: `${refs} AND last_time_ms >= $2 AND first_time_ms <= $3 ORDER BY last_time_ms`,
        values: [setId, first, last],
      })
    ).rows;
    const before = (
      await client.query<ChunkRef>({
        text: `${refs} AND last_time_ms < $2 ORDER BY last_time_ms DESC LIMIT 1`,
        values: [setId, first],
      })
    ).rows[0];
    const after = (
      await client.query<ChunkRef>({
        text: `${refs} AND first_time_ms > $2 ORDER BY first_time_ms LIMIT 1`,
        values: [setId, last],
      })
    ).rows[0];

    const pieces: BarColumnsSlice[] = [];
    const span: ChunkRef[] = [];
    const whole = (columns: BarColumns): BarColumnsSlice => ({ columns, start: 0, end: columns.timeMs.length });
    if (before !== undefined && before.bar_count < MERGE_BELOW_BARS) {
      pieces.push(whole(await this.readChunk(client, setId, before)));
      span.push(before);
    }
    let replaced = overlapping.reduce((sum, ref) => sum + ref.bar_count, 0);
    const firstRef = overlapping[0];
    const lastRef = overlapping[overlapping.length - 1];
    let left: BarColumns | undefined;
    if (firstRef !== undefined && firstRef.first_time_ms < first) {
      left = await this.readChunk(client, setId, firstRef);
      const kept = lowerBound(left.timeMs, first);
      pieces.push({ columns: left, start: 0, end: kept });
      replaced -= kept;
    }
    pieces.push(whole(bars));
    if (lastRef !== undefined && lastRef.last_time_ms > last) {
      const right = lastRef === firstRef && left !== undefined ? left : await this.readChunk(client, setId, lastRef);
      const from = upperBound(right.timeMs, last);
      pieces.push({ columns: right, start: from, end: right.timeMs.length });
      replaced -= right.timeMs.length - from;
    }
    span.push(...overlapping);
    if (after !== undefined && after.bar_count < MERGE_BELOW_BARS) {
      pieces.push(whole(await this.readChunk(client, setId, after)));
      span.push(after);
    }

    const spanFirst = span[0];
    const spanLast = span[span.length - 1];
    if (spanFirst !== undefined && spanLast !== undefined) {
      const deleted = await client.query({
        text: 'DELETE FROM bar_chunks WHERE set_id = $1 AND first_time_ms >= $2 AND first_time_ms <= $3',
        values: [setId, spanFirst.first_time_ms, spanLast.first_time_ms],
      });
      if (deleted.rowCount !== span.length) {
        throw new StoreError(
          `database ${this.connection.location} has overlapping bar chunks for one set; delete the bar set and import it again`,
        );
      }
    }
    const columns = concatBarColumns(pieces);
    for (const [start, end] of chunkBounds(columns.timeMs.length)) {
      await client.query({
        text: `INSERT INTO bar_chunks (set_id, first_time_ms, last_time_ms, bar_count, ${BLOBS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        values: [
          setId,
          columns.timeMs[start],
          columns.timeMs[end - 1],
          end - start,
          ...BAR_COLUMN_NAMES.map((name) => encodeBarColumn(columns[name].subarray(start, end))),
        ],
      });
    }
    return replaced;
  }

  private async readChunk(client: Queryable, setId: number, ref: ChunkRef): Promise<BarColumns> {
    const result = await client.query<unknown[]>({
      text: `SELECT ${BLOBS} FROM bar_chunks WHERE set_id = $1 AND first_time_ms = $2`,
      values: [setId, ref.first_time_ms],
      rowMode: 'array',
    } as pg.QueryConfig<unknown[]>);
    const blobs = result.rows[0] ?? [];
    this.checkChunk(ref.bar_count, blobs);
    const [timeMs, open, high, low, close, volume] = blobs.map((blob) =>
      decodeBarColumn(blob as Uint8Array, ref.bar_count),
    ) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    return { timeMs, open, high, low, close, volume };
  }

  private checkChunk(count: number, blobs: readonly unknown[]): void {
    BAR_COLUMN_NAMES.forEach((name, i) => {
      const blob = blobs[i];
      if (!(blob instanceof Uint8Array) || blob.length !== count * 8) {
        throw new StoreError(
          `database ${this.connection.location} has a damaged bar chunk: its ${name} column is not ${count} float64 values; delete the bar set and import it again`,
        );
      }
    });
  }
}
