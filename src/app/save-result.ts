import type { BacktestResultData } from '../core/result.js';
import { backtestInputFromResult, type BacktestInput, resolveDatabasePath, TradingDatabase } from '../store/index.js';
import type { SaveToDbOptions } from './backtest-result.js';
import { packageVersion } from './package-version.js';

/** The store's input for a result, with the model, notes, sweep and package version filled in. */
export function toSaveInput(result: BacktestResultData, options: Omit<SaveToDbOptions, 'db'> = {}): BacktestInput {
  const input = backtestInputFromResult(result, {
    modelPath: options.modelPath ?? result.model?.path,
    modelSha256: result.model?.sha256,
    notes: options.notes,
    sweepId: options.sweepId,
    packageVersion: packageVersion(),
  });
  return options.timeframe === undefined ? input : { ...input, timeframe: options.timeframe };
}

/** Saves one result, opening (and closing) the database when given a path or nothing. */
export function saveResultToDb(result: BacktestResultData, options: SaveToDbOptions = {}): number {
  const { db, ...rest } = options;
  if (db instanceof TradingDatabase) return db.saveBacktestResult(toSaveInput(result, rest));
  const opened = TradingDatabase.open(resolveDatabasePath(db));
  try {
    return opened.saveBacktestResult(toSaveInput(result, rest));
  } finally {
    opened.close();
  }
}
