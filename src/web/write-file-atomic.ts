import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * Writes `text` to `path` through a temporary file in the same folder and a rename, so the
 * target is either the old file or the complete new one, never half-written. A failure removes
 * the temporary file and is a {@link UsageError} naming the path.
 *
 * @example
 * writeFileAtomic('reports/goog.html', renderRunReport(result, bars));
 */
export function writeFileAtomic(path: string, text: string): void {
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    mkdirSync(folder, { recursive: true });
    writeFileSync(temp, text, { encoding: 'utf8', flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}
