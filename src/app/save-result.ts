import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StrategyError } from '../core/errors.js';
import { findStrategy } from '../strategies/index.js';
import type { BacktestResultData } from '../core/result.js';
import { type BacktestInput, backtestInputFromResult, openStore, type RunStore } from '../store/index.js';
import type { SaveToDbOptions } from './backtest-result.js';
import { packageVersion } from './package-version.js';

/** SHA-256 of module files already hashed in this process: a sweep saves thousands of runs of one module. */
const moduleHashes = new Map<string, string>();

/**
 * The SHA-256 of a strategy module file, so a saved run names the exact code that produced it.
 *
 * @example
 * moduleSha256('/home/me/strategies/breakout.ts'); // '9f2c…'
 */
export function moduleSha256(path: string): string {
  try {
    // Keyed by size and modification time too, so a long-running process sees an edited module.
    const { size, mtimeMs } = statSync(path);
    const key = `${path}\0${size}\0${mtimeMs}`;
    let hash = moduleHashes.get(key);
    if (hash === undefined) {
      hash = createHash('sha256').update(readFileSync(path)).digest('hex');
      moduleHashes.set(key, hash);
    }
    return hash;
  } catch (error) {
    throw new StrategyError(`cannot read strategy module ${path} to record its SHA-256: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const warnedStrategies = new Set<string>();

/**
 * A strategy passed as an object, without its file, is saved by name only: a later rerun cannot
 * rebuild it. Say so once per strategy, with the fix.
 */
function warnIfNotRebuildable(name: string): void {
  if (findStrategy(name) !== undefined || warnedStrategies.has(name)) return;
  warnedStrategies.add(name);
  process.emitWarning(
    `strategy "${name}" was passed as an object without its file, so saved runs cannot be run again; wrap it in defineStrategy(definition, import.meta.url) or pass its path`,
    { code: 'BACKTEST_STRATEGY_NOT_REBUILDABLE' },
  );
}

/**
 * The store's input for a result: every metric, trades, curve, and what is needed to run it
 * again: the model's absolute path and SHA-256, or the strategy module's, and the package version.
 */
export function toSaveInput(result: BacktestResultData, options: Omit<SaveToDbOptions, 'db'> = {}): BacktestInput {
  const modelPath = options.modelPath ?? result.model?.path;
  const module = result.config.strategy.module;
  if (module === undefined && result.model === undefined) warnIfNotRebuildable(result.config.strategy.name);
  const input = backtestInputFromResult(result, {
    modelPath: modelPath === undefined ? undefined : resolve(modelPath),
    modelSha256: result.model?.sha256,
    notes: options.notes,
    sweepId: options.sweepId,
    packageVersion: packageVersion(),
    strategyModule: module === undefined ? undefined : { path: module, sha256: moduleSha256(module) },
  });
  return options.timeframe === undefined ? input : { ...input, timeframe: options.timeframe };
}

/**
 * Saves one result into an open store, or opens (and closes) the store at a path, or the
 * default one; `onNotice` hears when the database file is created or upgraded.
 */
export async function saveResultToDb(
  result: BacktestResultData,
  options: SaveToDbOptions & { readonly onNotice?: (message: string) => void } = {},
): Promise<number> {
  const { db, onNotice, ...rest } = options;
  const input = toSaveInput(result, rest);
  if (db !== undefined && typeof db !== 'string') {
    return 'saveRun' in db ? db.saveRun(input) : db.saveBacktestResult(input);
  }
  const store: RunStore = await openStore({ db, onNotice });
  try {
    return await store.saveRun(input);
  } finally {
    await store.close();
  }
}
