/**
 * Bars in a SQLite file (schema 4): `bar_sets` names each set (symbol, timeframe, where its
 * bars came from), `bar_chunks` holds its bars as columnar chunks of up to 65,536 bars (see
 * `../bar-chunks.ts`). Files of schema 2 and 3 opened read-only are read from their `bars`
 * table as they are (`legacy-bars.ts`).
 *
 * An import rewrites only the chunks it touches: the ones overlapping the new bars' time range
 * and any under-half-full neighbour, re-split evenly. So every chunk under half full lies
 * between chunks over half full, a set of n bars has at most about 4n / 65,536 chunks, and
 * appending a page of bars rewrites at most one old chunk.
 */
import type { BarColumns, BarSeries } from '../../core/bars.js';
import { createBarSeries } from '../../core/bars.js';
import { StoreError } from '../../core/errors.js';
import { symbolKey } from '../../core/symbol-key.js';
import { canonicalTimeframe, type Timeframe } from '../../core/timeframe.js';
import {
  BAR_CHUNK_BARS,
  type BarColumnsSlice,
  concatBarColumns,
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
import {
  BAR_CHUNK_BLOBS,
  checkBarChunk,
  decodeBarChunk,
  INSERT_BAR_CHUNK_SQL,
  insertBarChunks,
} from './bar-chunk-rows.js';
import {
  findLegacyBarGroup,
  type LegacyBarGroup,
  legacyBarGroups,
  type PrepareStatement,
  readLegacyBars,
} from './legacy-bars.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** Bar imports at least this large are followed by a WAL checkpoint. */
const LARGE_WRITE_BARS = 50_000;

/** A neighbour chunk with fewer bars than this is merged into the chunks an import rewrites. */
const MERGE_BELOW_BARS = BAR_CHUNK_BARS / 2;

/** A chunk's key, size and time range, as the range index holds them. */
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

/** The list query: a set's row with its counts summed over the chunk index (no BLOB is read). */
const SET_INFO_SQL = `
  SELECT s.symbol AS symbol, s.timeframe AS timeframe, sum(c.bar_count) AS count,
    min(c.first_time_ms) AS firstTimeMs, max(c.last_time_ms) AS lastTimeMs,
    s.source AS source, s.feed AS feed, s.adjustment AS adjustment,
    s.created_ms AS createdMs, s.updated_ms AS updatedMs
  FROM bar_sets s JOIN bar_chunks c ON c.set_id = s.set_id`;

/** Bar sets in one SQLite file. */
export class BarsTable {
  private readonly connection: SqliteConnection;
  private readonly nowMs: () => number;
  private readonly prepare: PrepareStatement;

  constructor(connection: SqliteConnection, nowMs: () => number = Date.now) {
    this.connection = connection;
    this.nowMs = nowMs;
    this.prepare = (sql) => connection.statement(sql);
  }

  /**
   * Stores bars in the set of their symbol and timeframe, creating it when missing. Bars
   * already stored in `[first, last]` of the new series are replaced in one transaction; bars
   * outside that range stay. A set with another feed or adjustment refuses them (`ConfigError`).
   */
  importBars(bars: BarSeries, options: BarImportOptions = {}): BarImportSummary {
    checkBarSeries(bars);
    const key = barSetKey(bars.symbol, bars.timeframe);
    const provenance = barProvenance(options);
    if (bars.length === 0) return { inserted: 0, replaced: 0 };
    const result = this.connection.write(`import bars for ${key.symbol} ${key.timeframe}`, () => {
      const setId = this.setForImport(key, provenance);
      return { inserted: bars.length, replaced: this.replaceRange(setId, bars) };
    });
    if (bars.length >= LARGE_WRITE_BARS) this.connection.checkpointAfterLargeWrite();
    return result;
  }

  /** Every set with its size and time range, sorted by symbol then timeframe. */
  listBarSets(): BarSetInfo[] {
    return this.connection.read('list bar sets', () => {
      if (!this.connection.hasTable('bar_chunks')) return this.legacySets();
      return this.connection
        .statement(`${SET_INFO_SQL} GROUP BY s.set_id ORDER BY s.symbol, s.timeframe`)
        .all() as BarSetInfo[];
    });
  }

  /** One set, its symbol matched by `symbolKey`; `undefined` when there is none. */
  getBarSet(symbol: string, timeframe: Timeframe): BarSetInfo | undefined {
    return this.connection.read(`look up bars of ${symbol} ${timeframe}`, () => {
      if (!this.connection.hasTable('bar_chunks')) {
        const group = findLegacyBarGroup(this.prepare, symbol, timeframe);
        return group === undefined ? undefined : this.legacySetInfo(group);
      }
      const set = this.findSet(symbol, timeframe);
      if (set === undefined) return undefined;
      return this.connection.statement(`${SET_INFO_SQL} WHERE s.set_id = ? GROUP BY s.set_id`).get(set.set_id) as
        | BarSetInfo
        | undefined;
    });
  }

  /**
   * Bars of one set with `fromMs <= time <= toMs`, named as the set is; `undefined` when none.
   * Reads only the chunks overlapping the range and copies their bytes straight into the columns.
   */
  loadBars(symbol: string, timeframe: Timeframe, range: BarTimeRange = {}): BarSeries | undefined {
    const { fromMs, toMs } = checkBarTimeRange(range);
    return this.connection.read(`load bars for ${symbol} ${timeframe}`, () => {
      if (!this.connection.hasTable('bar_chunks')) return this.legacyLoad(symbol, timeframe, fromMs, toMs);
      const set = this.findSet(symbol, timeframe);
      if (set === undefined) return undefined;
      const rows = this.connection
        .statement(
          `SELECT bar_count, ${BAR_CHUNK_BLOBS} FROM bar_chunks WHERE set_id = ? AND last_time_ms >= ? AND first_time_ms <= ? ORDER BY last_time_ms`,
        )
        .raw(true)
        .all(set.set_id, fromMs, toMs) as unknown[][];
      const columns = sliceBarChunks(rows, fromMs, toMs, (count, blobs) =>
        checkBarChunk(this.connection.path, count, blobs),
      );
      if (columns.timeMs.length === 0) return undefined;
      return createBarSeries(set.symbol, set.timeframe as Timeframe, columns);
    });
  }

  /** Deletes a set and its bars in one transaction; how many bars it had (0 when there was no set). */
  deleteBarSet(symbol: string, timeframe: Timeframe): number {
    return this.connection.write(`delete bars of ${symbol} ${timeframe}`, () => {
      const set = this.findSet(symbol, timeframe);
      if (set === undefined) return 0;
      const count = this.connection
        .statement('SELECT coalesce(sum(bar_count), 0) FROM bar_chunks WHERE set_id = ?')
        .pluck()
        .get(set.set_id) as number;
      this.connection.statement('DELETE FROM bar_chunks WHERE set_id = ?').run(set.set_id);
      this.connection.statement('DELETE FROM bar_sets WHERE set_id = ?').run(set.set_id);
      return count;
    });
  }

  private findSet(symbol: string, timeframe: string): SetRow | undefined {
    const wanted = canonicalTimeframe(timeframe.trim()) ?? timeframe.trim();
    return this.connection
      .statement(
        'SELECT set_id, symbol, timeframe, feed, adjustment FROM bar_sets WHERE symbol_key = ? AND timeframe = ?',
      )
      .get(symbolKey(symbol), wanted) as SetRow | undefined;
  }

  /** The set the bars go to: the existing one (if its feed and adjustment match) or a new one. */
  private setForImport(key: BarSetKey, provenance: BarProvenance): number {
    const now = this.nowMs();
    const existing = this.findSet(key.symbol, key.timeframe);
    if (existing !== undefined) {
      refuseMixedBars(existing, provenance);
      this.connection.statement('UPDATE bar_sets SET updated_ms = ? WHERE set_id = ?').run(now, existing.set_id);
      return existing.set_id;
    }
    const inserted = this.connection
      .statement(
        'INSERT INTO bar_sets (symbol, symbol_key, timeframe, source, feed, adjustment, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        key.symbol,
        key.symbolKey,
        key.timeframe,
        provenance.source,
        provenance.feed,
        provenance.adjustment,
        now,
        now,
      );
    return Number(inserted.lastInsertRowid);
  }

  /**
   * Replaces the set's bars in the series' time range by the series, rewriting only the chunks
   * that overlap it and under-half-full neighbours; returns how many stored bars were replaced.
   * Chunks wholly inside the range are deleted without reading their BLOBs.
   */
  private replaceRange(setId: number, bars: BarSeries): number {
    const first = bars.timeMs[0] as number;
    const last = bars.timeMs[bars.length - 1] as number;
    const overlapping = this.connection
      .statement(
        'SELECT first_time_ms, last_time_ms, bar_count FROM bar_chunks WHERE set_id = ? AND last_time_ms >= ? AND first_time_ms <= ? ORDER BY last_time_ms',
      )
      .all(setId, first, last) as ChunkRef[];
    const before = this.connection
      .statement(
        'SELECT first_time_ms, last_time_ms, bar_count FROM bar_chunks WHERE set_id = ? AND last_time_ms < ? ORDER BY last_time_ms DESC LIMIT 1',
      )
      .get(setId, first) as ChunkRef | undefined;
    const after = this.connection
      .statement(
        'SELECT first_time_ms, last_time_ms, bar_count FROM bar_chunks WHERE set_id = ? AND first_time_ms > ? ORDER BY first_time_ms LIMIT 1',
      )
      .get(setId, last) as ChunkRef | undefined;

    const pieces: BarColumnsSlice[] = [];
    const span: ChunkRef[] = [];
    const whole = (columns: BarColumns): BarColumnsSlice => ({ columns, start: 0, end: columns.timeMs.length });
    if (before !== undefined && before.bar_count < MERGE_BELOW_BARS) {
      pieces.push(whole(this.readChunk(setId, before)));
      span.push(before);
    }
    let replaced = overlapping.reduce((sum, ref) => sum + ref.bar_count, 0);
    const firstRef = overlapping[0];
    const lastRef = overlapping[overlapping.length - 1];
    let left: BarColumns | undefined;
    if (firstRef !== undefined && firstRef.first_time_ms < first) {
      left = this.readChunk(setId, firstRef);
      const kept = lowerBound(left.timeMs, first);
      pieces.push({ columns: left, start: 0, end: kept });
      replaced -= kept;
    }
    pieces.push(whole(bars));
    if (lastRef !== undefined && lastRef.last_time_ms > last) {
      const right = lastRef === firstRef && left !== undefined ? left : this.readChunk(setId, lastRef);
      const from = upperBound(right.timeMs, last);
      pieces.push({ columns: right, start: from, end: right.timeMs.length });
      replaced -= right.timeMs.length - from;
    }
    span.push(...overlapping);
    if (after !== undefined && after.bar_count < MERGE_BELOW_BARS) {
      pieces.push(whole(this.readChunk(setId, after)));
      span.push(after);
    }

    const spanFirst = span[0];
    const spanLast = span[span.length - 1];
    if (spanFirst !== undefined && spanLast !== undefined) {
      // The span is contiguous (neighbours border the overlapping chunks), so one range delete.
      const deleted = this.connection
        .statement('DELETE FROM bar_chunks WHERE set_id = ? AND first_time_ms >= ? AND first_time_ms <= ?')
        .run(setId, spanFirst.first_time_ms, spanLast.first_time_ms).changes;
      if (deleted !== span.length) {
        throw new StoreError(
          `database ${this.connection.path} has overlapping bar chunks for one set; delete the bar set and import it again`,
        );
      }
    }
    insertBarChunks(this.connection.statement(INSERT_BAR_CHUNK_SQL), setId, concatBarColumns(pieces));
    return replaced;
  }

  private readChunk(setId: number, ref: ChunkRef): BarColumns {
    const row = this.connection
      .statement(`SELECT ${BAR_CHUNK_BLOBS} FROM bar_chunks WHERE set_id = ? AND first_time_ms = ?`)
      .raw(true)
      .get(setId, ref.first_time_ms) as unknown[];
    return decodeBarChunk(this.connection.path, ref.bar_count, row);
  }

  private legacySets(): BarSetInfo[] {
    if (!this.connection.hasTable('bars')) return [];
    return legacyBarGroups(this.prepare).map((group) => this.legacySetInfo(group));
  }

  /** A legacy set as listed: its bars are read to count each time once. */
  private legacySetInfo(group: LegacyBarGroup): BarSetInfo {
    const times = readLegacyBars(this.prepare, group).timeMs;
    return {
      symbol: group.symbol,
      timeframe: group.timeframe,
      count: times.length,
      firstTimeMs: times[0] as number,
      lastTimeMs: times[times.length - 1] as number,
      source: 'file',
      feed: null,
      adjustment: null,
      createdMs: null,
      updatedMs: null,
    };
  }

  private legacyLoad(symbol: string, timeframe: string, fromMs: number, toMs: number): BarSeries | undefined {
    if (!this.connection.hasTable('bars')) return undefined;
    const group = findLegacyBarGroup(this.prepare, symbol, timeframe);
    if (group === undefined) return undefined;
    const columns = readLegacyBars(this.prepare, group, { fromMs, toMs });
    if (columns.timeMs.length === 0) return undefined;
    return createBarSeries(group.symbol, group.timeframe as Timeframe, columns);
  }
}
