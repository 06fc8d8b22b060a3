import { statSync } from 'node:fs';
import { DataError } from '../core/errors.js';

/** The default largest bar file read: 4 GiB, far above any real series (1,000,000 rows of CSV are about 50 MB). */
export const DEFAULT_MAX_BAR_FILE_BYTES = 4 * 1024 ** 3;

/**
 * Refuses, before reading a byte, a bar file that is not a regular file (a folder, a device such
 * as `/dev/zero`, a FIFO that would block) or that is larger than `maxBytes`, with one line
 * naming the file.
 *
 * @example
 * checkBarFile('data/GOOG.csv', 'GOOG.csv');
 */
export function checkBarFile(path: string, shownAs: string, maxBytes: number = DEFAULT_MAX_BAR_FILE_BYTES): void {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    throw new DataError({ source: shownAs, reason: 'file not found' });
  }
  if (stats.isDirectory()) throw new DataError({ source: shownAs, reason: 'is a folder, not a file of bars' });
  if (!stats.isFile()) {
    const kind = stats.isFIFO()
      ? 'a FIFO (named pipe)'
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? 'a device'
        : 'a socket or other special file';
    throw new DataError({ source: shownAs, reason: `is ${kind}, not a regular file of bars` });
  }
  if (stats.size > maxBytes) {
    const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2).toLocaleString('en-US')} MB`;
    throw new DataError({
      source: shownAs,
      reason: `is ${mb(stats.size)}, more than the ${mb(maxBytes)} limit for a bar file; set BACKTEST_MAX_DATA_MB to read larger files`,
    });
  }
}
