import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BarSeries } from '../core/bars.js';
import type { BacktestConfigInput } from '../core/config.js';
import { AppError, DataError } from '../core/errors.js';
import type { Metrics } from '../core/result.js';
import type { Timeframe } from '../core/timeframe.js';
import type { BacktestResult } from './backtest-result.js';
import { runModelBacktest } from './run-model.js';

/** How one model of `run --all` went. */
export interface ModelRunOutcome {
  readonly modelPath: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
  readonly metrics?: Metrics;
  /** Row id when the result was saved. */
  readonly savedId?: number;
  /** One-line reason when the model failed; absent on success. */
  readonly error?: string;
}

/** What {@link runAllModels} needs: where the models are and how to get bars and save results. */
export interface RunAllModelsOptions {
  readonly modelsDir: string;
  /** Bars for a model's symbol and timeframe, or undefined when there are none. */
  readonly loadBars: (symbol: string, timeframe: Timeframe) => BarSeries | undefined;
  readonly config?: Partial<Omit<BacktestConfigInput, 'strategy'>>;
  /** Saves a result and returns its id; omitted when results are not saved. */
  readonly save?: (result: BacktestResult) => number;
  readonly onProgress?: (done: number, total: number, outcome: ModelRunOutcome) => void;
  readonly signal?: AbortSignal;
}

/**
 * Every `.onnx` file under `dir`, recursively, in a stable (sorted) order.
 *
 * @example
 * findModelFiles('models'); // ['models/rl_symbols/EURUSD_1Hour.onnx', 'models/rl_symbols/GOOG_1Day.onnx']
 */
export function findModelFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new DataError({ source: dir, reason: 'is not a folder of models' });
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new DataError({ source: dir, reason: 'folder not found' }, { cause: error });
  }
  return entries
    .filter((entry) => entry.toLowerCase().endsWith('.onnx'))
    .map((entry) => join(dir, entry))
    .sort();
}

/**
 * Backtests every model in a folder on its own symbol and timeframe (from its file name,
 * `SYMBOL_TIMEFRAME.onnx`). A model that fails is reported and the rest go on. Saving goes
 * through the one `save` callback, so all writes come from a single connection.
 *
 * @example
 * const outcomes = await runAllModels({ modelsDir: 'models', loadBars: (s, tf) => db.loadBars(s, tf) });
 */
export async function runAllModels(options: RunAllModelsOptions): Promise<ModelRunOutcome[]> {
  const { parseModelFileName } = await import('../strategies/onnx/index.js');
  const files = findModelFiles(options.modelsDir);
  const outcomes: ModelRunOutcome[] = [];
  for (const modelPath of files) {
    if (options.signal?.aborted === true) break;
    const outcome = await runOne(modelPath, parseModelFileName(modelPath), options);
    outcomes.push(outcome);
    options.onProgress?.(outcomes.length, files.length, outcome);
  }
  return outcomes;
}

async function runOne(
  modelPath: string,
  identity: { symbol: string; timeframe: Timeframe } | undefined,
  options: RunAllModelsOptions,
): Promise<ModelRunOutcome> {
  if (identity === undefined) {
    return { modelPath, error: 'file name must be SYMBOL_TIMEFRAME.onnx (e.g. GOOG_1Day.onnx)' };
  }
  const { symbol, timeframe } = identity;
  try {
    const bars = options.loadBars(symbol, timeframe);
    if (bars === undefined) return { modelPath, symbol, timeframe, error: `no bars for ${symbol} ${timeframe}` };
    const result = await runModelBacktest({
      bars,
      modelPath,
      ...(options.config === undefined ? {} : { config: options.config }),
    });
    const savedId = options.save?.(result);
    return { modelPath, symbol, timeframe, metrics: result.metrics, ...(savedId === undefined ? {} : { savedId }) };
  } catch (error) {
    // A store failure is not the model's fault: stop instead of reporting every model as failed.
    if (error instanceof AppError && error.code === 'store') throw error;
    return { modelPath, symbol, timeframe, error: error instanceof Error ? error.message : String(error) };
  }
}
