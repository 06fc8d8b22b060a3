import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { StoreError } from '../core/errors.js';

/**
 * Writes `text` to `path` through a temporary file in the same folder and a rename, so a
 * reader never sees half a file and a failure leaves the old file (or nothing) in place.
 *
 * @example
 * writeFileAtomically('report.html', html);
 */
export function writeFileAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const reason = error instanceof Error ? error.message.replace(/^[A-Z]+: /, '') : String(error);
    throw new StoreError(`cannot write ${path}: ${reason}`, { cause: error });
  }
}
