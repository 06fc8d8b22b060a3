/**
 * Bars stored as columnar chunks, database-neutral: a chunk holds up to {@link BAR_CHUNK_BARS}
 * consecutive bars of one set as six columns of little-endian float64 bytes (BLOB in SQLite,
 * bytea in PostgreSQL), keyed by its first and last bar time. Chunks of a set never overlap.
 *
 * Numeric trap: the bytes are the exact IEEE-754 doubles of the series (`-0`, subnormals and
 * all), so bars loaded back fingerprint (`fingerprintBars`) exactly as the bars imported, and
 * saved runs rerun on them as on the original file.
 */
import type { BarColumns } from '../core/bars.js';

/**
 * Most bars in one chunk: 65,536 bars are 512 KiB per column, so a million bars are 16 rows
 * and loading a month of minute bars reads one or two.
 */
export const BAR_CHUNK_BARS = 65_536;

/** The six columns of a chunk, in storage order. */
export const BAR_COLUMN_NAMES = ['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `[start, end)` bounds that split `count` bars into the fewest chunks of at most `maxBars`,
 * all of nearly equal size (they differ by at most one bar). Two or more chunks are then each
 * over half full, which keeps a set's chunk count near `count / maxBars` however it was built.
 *
 * @example
 * chunkBounds(10, 4); // [[0, 4], [4, 7], [7, 10]]
 */
export function chunkBounds(count: number, maxBars: number = BAR_CHUNK_BARS): Array<[number, number]> {
  const chunks = Math.ceil(count / maxBars);
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < chunks; i++) {
    // Spread the remainder over the first chunks.
    const end = start + Math.floor(count / chunks) + (i < count % chunks ? 1 : 0);
    bounds.push([start, end]);
    start = end;
  }
  return bounds;
}

/**
 * A column as little-endian float64 bytes. On little-endian hosts (all common ones) this is a
 * view of the same memory, not a copy.
 *
 * @example
 * encodeBarColumn(new Float64Array([1.5])).length; // 8
 */
export function encodeBarColumn(values: Float64Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const bytes = Buffer.allocUnsafe(values.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
  return bytes;
}

/**
 * Copies values `[start, end)` of an encoded column into `target` from `targetIndex`.
 *
 * @example
 * decodeBarColumnInto(encodeBarColumn(times), out, 0, 0, times.length);
 */
export function decodeBarColumnInto(
  bytes: Uint8Array,
  target: Float64Array,
  targetIndex: number,
  start: number,
  end: number,
): void {
  if (LITTLE_ENDIAN) {
    // A byte copy: the stored bytes may sit at any offset, so no Float64Array view of them.
    new Uint8Array(target.buffer, target.byteOffset + targetIndex * 8, (end - start) * 8).set(
      bytes.subarray(start * 8, end * 8),
    );
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = start; i < end; i++) target[targetIndex + i - start] = view.getFloat64(i * 8, true);
}

/** Decodes a whole encoded column. */
export function decodeBarColumn(bytes: Uint8Array, count: number): Float64Array {
  const values = new Float64Array(count);
  decodeBarColumnInto(bytes, values, 0, 0, count);
  return values;
}

/** Bars `[start, end)` of some columns: a piece of a chunk or of an imported series. */
export interface BarColumnsSlice {
  readonly columns: BarColumns;
  readonly start: number;
  readonly end: number;
}

/**
 * The pieces one after the other as one set of columns (the pieces must already be in time
 * order). A single whole piece is returned as it is, without copying.
 *
 * @example
 * const merged = concatBarColumns([{ columns: kept, start: 0, end: 10 }, { columns: bars, start: 0, end: bars.length }]);
 */
export function concatBarColumns(pieces: readonly BarColumnsSlice[]): BarColumns {
  const only = pieces.length === 1 ? pieces[0] : undefined;
  if (only !== undefined && only.start === 0 && only.end === only.columns.timeMs.length) return only.columns;
  const total = pieces.reduce((sum, piece) => sum + piece.end - piece.start, 0);
  const out = {} as Record<(typeof BAR_COLUMN_NAMES)[number], Float64Array>;
  for (const name of BAR_COLUMN_NAMES) {
    const target = new Float64Array(total);
    let at = 0;
    for (const piece of pieces) {
      target.set(piece.columns[name].subarray(piece.start, piece.end), at);
      at += piece.end - piece.start;
    }
    out[name] = target;
  }
  return out;
}

/**
 * The first index in sorted `times` whose value is at least `timeMs` (`times.length` when none).
 *
 * @example
 * lowerBound(new Float64Array([1, 3, 5]), 3); // 1
 */
export function lowerBound(times: Float64Array, timeMs: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first index in sorted `times` whose value is above `timeMs` (`times.length` when none).
 *
 * @example
 * upperBound(new Float64Array([1, 3, 5]), 3); // 2
 */
export function upperBound(times: Float64Array, timeMs: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) <= timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The bars in `[fromMs, toMs]` of a set's chunks read in time order (each row: bar count, then
 * the six column bytes in {@link BAR_COLUMN_NAMES} order). Only the first and last chunk can
 * hold bars outside the range, so only their times are searched; `check` refuses a damaged
 * chunk before any byte of it is copied. Shared by every store, which differ only in how rows
 * arrive.
 *
 * @example
 * const columns = sliceBarChunks(rows, fromMs, toMs, (count, blobs) => checkBarChunk(path, count, blobs));
 */
export function sliceBarChunks(
  rows: readonly unknown[][],
  fromMs: number,
  toMs: number,
  check: (count: number, blobs: readonly unknown[]) => void,
): BarColumns {
  const parts = rows.map((row, i) => {
    const count = row[0] as number;
    const blobs = row.slice(1);
    check(count, blobs);
    let start = 0;
    let end = count;
    if (i === 0 || i === rows.length - 1) {
      const times = decodeBarColumn(blobs[0] as Uint8Array, count);
      if (i === 0) start = lowerBound(times, fromMs);
      if (i === rows.length - 1) end = upperBound(times, toMs);
    }
    return { blobs, start, end: Math.max(start, end) };
  });
  const total = parts.reduce((sum, part) => sum + part.end - part.start, 0);
  const out = {} as Record<(typeof BAR_COLUMN_NAMES)[number], Float64Array>;
  BAR_COLUMN_NAMES.forEach((name, c) => {
    const target = new Float64Array(total);
    let at = 0;
    for (const part of parts) {
      decodeBarColumnInto(part.blobs[c] as Uint8Array, target, at, part.start, part.end);
      at += part.end - part.start;
    }
    out[name] = target;
  });
  return out;
}
