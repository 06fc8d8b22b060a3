import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import { DataError, UsageError } from '../../core/errors.js';
import { parseRuns } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';

/** Flags and arguments of `backtest import`. */
export interface ImportCommandOptions {
  readonly file: string;
  readonly format?: 'csv' | 'json' | 'jsonl';
  readonly db?: string;
  /** Add this project's tables to another program's SQLite file. */
  readonly init?: boolean;
}

/**
 * `backtest import FILE`: runs written by `backtest export` (or the older tool's CSV), every
 * record checked as a save is before anything is written, then saved in one transaction.
 * Runs already present (same UUID) are skipped, so importing a file twice changes nothing.
 */
export async function importCommand(options: ImportCommandOptions, io: CliIO): Promise<void> {
  const path = resolve(io.cwd, options.file);
  const format = options.format ?? formatFromExtension(path);
  const records = parseRuns(readImportFile(path), format, options.file);
  const summary = await withDatabase(
    openHistoryForWriting({
      db: options.db,
      cwd: io.cwd,
      env: io.env,
      init: options.init,
      onNotice: (line) => io.err(`${line}\n`),
    }),
    (store) => store.importRuns(records),
  );
  io.out(`${summary.imported} imported, ${summary.present} already present (from ${options.file}).\n`);
  if (summary.ids.length > 0) io.out(`New ids: ${describeIds(summary.ids)}\n`);
}

/** Ids as ranges where they run on (`12-40, 45`), so a large import prints one short line. */
function describeIds(ids: readonly number[]): string {
  const parts: string[] = [];
  let start = ids[0] as number;
  let previous = start;
  for (const id of [...ids.slice(1), Number.NaN]) {
    if (id === previous + 1) {
      previous = id;
      continue;
    }
    parts.push(start === previous ? String(start) : `${start}-${previous}`);
    start = id;
    previous = id;
  }
  return parts.join(', ');
}

function formatFromExtension(path: string): 'csv' | 'json' | 'jsonl' {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl';
  throw new UsageError(`cannot tell the format of ${path} from its extension; pass --format csv, json or jsonl`);
}

function readImportFile(path: string): string {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new DataError({ source: path, reason: 'file not found' });
  }
  if (!isFile) throw new DataError({ source: path, reason: 'is a directory, not a file' });
  return readFileSync(path, 'utf8');
}
