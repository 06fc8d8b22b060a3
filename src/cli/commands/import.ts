import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import { DataError, UsageError } from '../../core/errors.js';
import type { CliIO } from '../cli-io.js';

/** Flags and arguments of `backtest import`. */
export interface ImportCommandOptions {
  readonly file: string;
  readonly format?: 'csv' | 'json';
  readonly db?: string;
}

/** `backtest import FILE`: runs written by `backtest export`, checked first, then saved in one transaction. */
export async function importCommand(options: ImportCommandOptions, io: CliIO): Promise<void> {
  const path = resolve(io.cwd, options.file);
  const format = options.format ?? formatFromExtension(path);
  const text = readImportFile(path);
  const { imported } = await withDatabase(openHistoryForWriting({ db: options.db, cwd: io.cwd, env: io.env }), (db) =>
    db.importBacktests(text, format, options.file),
  );
  io.out(`Imported ${imported} run${imported === 1 ? '' : 's'} from ${options.file}.\n`);
}

function formatFromExtension(path: string): 'csv' | 'json' {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json') return 'json';
  throw new UsageError(`cannot tell the format of ${path} from its extension; pass --format csv or --format json`);
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
