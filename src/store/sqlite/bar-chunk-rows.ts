/**
 * Rows of `bar_chunks` (schema 4): writing a series as chunks and reading one chunk back. See
 * `../bar-chunks.ts` for the layout.
 */
import type Database from 'better-sqlite3';
import type { BarColumns } from '../../core/bars.js';
import { StoreError } from '../../core/errors.js';
import { BAR_COLUMN_NAMES, chunkBounds, decodeBarColumn, encodeBarColumn } from '../bar-chunks.js';

type Statement = Database.Statement<unknown[], unknown>;

/** Inserts one chunk row: set, first and last time, count, then the six column BLOBs. */
export const INSERT_BAR_CHUNK_SQL =
  'INSERT INTO bar_chunks (set_id, first_time_ms, last_time_ms, bar_count, time_ms, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** The columns of a chunk row after its key and count, in the order the BLOBs are selected. */
export const BAR_CHUNK_BLOBS = 'time_ms, open, high, low, close, volume';

/**
 * Writes `columns` (sorted, at least one bar) as evenly sized chunks of set `setId` through a
 * statement prepared from {@link INSERT_BAR_CHUNK_SQL}.
 */
export function insertBarChunks(insert: Statement, setId: number, columns: BarColumns): void {
  for (const [start, end] of chunkBounds(columns.timeMs.length)) {
    insert.run(
      setId,
      columns.timeMs[start],
      columns.timeMs[end - 1],
      end - start,
      ...BAR_COLUMN_NAMES.map((name) => encodeBarColumn(columns[name].subarray(start, end))),
    );
  }
}

/**
 * Decodes the six BLOBs of a chunk row holding `count` bars; a `StoreError` naming the file when
 * a BLOB has the wrong size (a damaged or foreign row), so bad bytes are never read as prices.
 */
export function decodeBarChunk(path: string, count: number, blobs: readonly unknown[]): BarColumns {
  checkBarChunk(path, count, blobs);
  const [timeMs, open, high, low, close, volume] = blobs.map((blob) => decodeBarColumn(blob as Uint8Array, count)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return { timeMs, open, high, low, close, volume };
}

/** The `StoreError` of {@link decodeBarChunk} for BLOBs that do not hold `count` doubles each. */
export function checkBarChunk(path: string, count: number, blobs: readonly unknown[]): void {
  BAR_COLUMN_NAMES.forEach((name, i) => {
    const blob = blobs[i];
    if (!(blob instanceof Uint8Array) || blob.length !== count * 8) {
      throw new StoreError(
        `database ${path} has a damaged bar chunk: its ${name} column is not ${count} float64 values; delete the bar set and import it again`,
      );
    }
  });
}
