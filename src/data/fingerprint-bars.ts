import { createHash } from 'node:crypto';
import type { BarSeries } from '../core/bars.js';
import { DataError } from '../core/errors.js';
import type { BarsFingerprint } from '../core/result.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Identifies the exact bars a run used: SHA-256 over the raw IEEE-754 bytes (little-endian)
 * of `timeMs`, `open`, `high`, `low`, `close`, `volume`, in that order, plus the count and the
 * first and last time. Symbol and timeframe are not hashed: the same numbers give the same
 * hash whatever they are called. Any change to any value changes the hash (`0` and `-0`
 * count as different).
 *
 * @example
 * const { sha256, count } = fingerprintBars(bars); // sha256: 64 hex characters
 */
export function fingerprintBars(bars: BarSeries): BarsFingerprint {
  if (bars.length === 0) {
    throw new DataError({ source: `${bars.symbol} ${bars.timeframe}`, reason: 'no bars to fingerprint' });
  }
  const hash = createHash('sha256');
  for (const column of [bars.timeMs, bars.open, bars.high, bars.low, bars.close, bars.volume]) {
    hash.update(littleEndianBytes(column.subarray(0, bars.length)));
  }
  return {
    sha256: hash.digest('hex'),
    count: bars.length,
    firstTimeMs: bars.timeMs[0] as number,
    lastTimeMs: bars.timeMs[bars.length - 1] as number,
  };
}

function littleEndianBytes(column: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
  // Big-endian hosts are rare, but a fingerprint stored on one must match the same bars elsewhere.
  const view = new DataView(new ArrayBuffer(column.byteLength));
  for (let i = 0; i < column.length; i++) view.setFloat64(i * 8, column[i] as number, true);
  return new Uint8Array(view.buffer);
}
