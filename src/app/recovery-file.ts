/**
 * The last resort for computed results that could not be saved: a JSON Lines file that
 * `backtest import` reads, each run with the UUID it would have been saved under, so importing
 * the file once saves each run exactly once.
 */
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StoreError } from '../core/errors.js';
import { type BacktestInput, formatRuns, recordFromInput } from '../store/index.js';
import { writeFileAtomically } from './write-file-atomically.js';

/**
 * Writes `inputs` to a new recovery file beside the database (or in the temporary folder when
 * that folder cannot be written) and returns its path.
 *
 * @example
 * const path = writeRecoveryFile(unsaved, '/home/me/data/trading.db');
 * console.error(`the results were written to ${path}; import them with: backtest import ${path}`);
 */
export function writeRecoveryFile(inputs: readonly BacktestInput[], databasePath: string): string {
  const text = formatRuns(
    inputs.map((input, i) => recordFromInput(input, `unsaved result ${i + 1} of ${inputs.length}`)),
    'jsonl',
  );
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = `backtest-recovery-${stamp}-${process.pid}.jsonl`;
  const folder = writable(dirname(databasePath)) ? dirname(databasePath) : tmpdir();
  const path = join(folder, name);
  writeFileAtomically(path, text);
  return path;
}

function writable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `inputs` to a recovery file and returns the one-line error to end with: why the save
 * failed, then where the runs are and how to save them later.
 *
 * @example
 * throw errorWithRecoveryFile(unsaved, store.location, error);
 */
export function errorWithRecoveryFile(
  inputs: readonly BacktestInput[],
  databasePath: string,
  error: Error,
): StoreError {
  const path = writeRecoveryFile(inputs, databasePath);
  const where =
    inputs.length === 1
      ? `the run was not saved, it is in ${path}`
      : `${inputs.length} runs were not saved, they are in ${path}`;
  return new StoreError(
    `${error.message}; ${where}: save ${inputs.length === 1 ? 'it' : 'them'} later with backtest import ${path}`,
    {
      cause: error,
    },
  );
}
