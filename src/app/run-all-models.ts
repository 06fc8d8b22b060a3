import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { BarSeries } from '../core/bars.js';
import type { BacktestConfigInput } from '../core/config.js';
import { AppError, ConfigError, DataError } from '../core/errors.js';
import type { Metrics } from '../core/result.js';
import type { Timeframe } from '../core/timeframe.js';
import type { BacktestResult } from './backtest-result.js';
import { ModelProcess } from './model-process/model-process.js';

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
  readonly loadBars: (symbol: string, timeframe: Timeframe) => Promise<BarSeries | undefined> | BarSeries | undefined;
  readonly config?: Partial<Omit<BacktestConfigInput, 'strategy'>>;
  /** Saves a result and returns its id; omitted when results are not saved. */
  readonly save?: (result: BacktestResult) => Promise<number> | number;
  readonly onProgress?: (done: number, total: number, outcome: ModelRunOutcome) => void;
  /** Stops at once: the model running is killed and left out of the outcomes. */
  readonly signal?: AbortSignal;
  /**
   * Seconds one model may run; default 600. One still running then is killed with its process
   * and reported as failed, "timed out after N s", and the rest go on.
   */
  readonly runTimeoutSeconds?: number;
}

/** Default of `runTimeoutSeconds` (`run --all --run-timeout`). */
export const DEFAULT_MODEL_TIMEOUT_SECONDS = 600;

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

/** Files named in a "found instead" message before it says how many more there are. */
const NAMED_FILES = 3;

/**
 * Every `.onnx` file under `dir`, as {@link findModelFiles} finds them, or an error saying what
 * the folder holds instead: `.pt`, `.pth` and `.zip` files get a hint to export them to ONNX.
 * `shownAs` is how the message names the folder (the CLI shows it as the user typed it).
 *
 * @throws DataError (exit 3) when the folder is missing, not a folder, or holds no `.onnx` file
 *
 * @example
 * await requireModelFiles('models'); // DataError: models: no .onnx model in this folder or below; found 3 .pt files (a.pt, b.pt, c.pt): export the .pt files to ONNX (see src/strategies/onnx/MODEL-CONTRACT.md)
 */
export async function requireModelFiles(dir: string, shownAs: string = dir): Promise<string[]> {
  const models = findModelFiles(dir);
  if (models.length > 0) return models;
  const { describeExportableModel, MODEL_CONTRACT_PATH } = await import('../strategies/onnx/index.js');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => statSync(join(dir, entry)).isFile())
    .sort();
  const none = 'no .onnx model in this folder or below';
  if (files.length === 0) throw new DataError({ source: shownAs, reason: `${none}; it holds no files` });

  const byExtension = new Map<string, string[]>();
  for (const file of files) {
    const extension = extname(file).toLowerCase() || '(no extension)';
    byExtension.set(extension, [...(byExtension.get(extension) ?? []), file]);
  }
  const groups = [...byExtension.entries()]
    .sort(([, a], [, b]) => b.length - a.length)
    .map(([extension, names]) => {
      const shown = names.slice(0, NAMED_FILES).join(', ') + (names.length > NAMED_FILES ? ', …' : '');
      const kind = extension.startsWith('.') ? `${extension} file` : 'file without extension';
      return `${names.length} ${kind}${names.length === 1 ? '' : 's'} (${shown})`;
    });
  const exportable = files.filter((file) => describeExportableModel(file) !== undefined);
  const exportableKinds = [...new Set(exportable.map((file) => extname(file).toLowerCase()))].join(', ');
  const hint =
    exportable.length === 0
      ? `; put SYMBOL_TIMEFRAME.onnx policies there (see ${MODEL_CONTRACT_PATH})`
      : `: export ${exportable.length === 1 ? exportable[0] : `the ${exportableKinds} files`} to ONNX (see ${MODEL_CONTRACT_PATH})`;
  const found = groups.length === 1 ? groups[0] : `${groups.slice(0, -1).join(', ')} and ${groups.at(-1)}`;
  throw new DataError({ source: shownAs, reason: `${none}; found ${found}${hint}` });
}

/**
 * Backtests every model in a folder on its own symbol and timeframe (from its file name,
 * `SYMBOL_TIMEFRAME.onnx`). A model that fails is reported and the rest go on. Saving goes
 * through the one `save` callback, so all writes come from a single connection.
 *
 * Models run one at a time in a child process, which loads ONNX Runtime (this process never
 * does): a model that runs past `runTimeoutSeconds` is killed with its process, and one that
 * crashes the runtime takes only its process down; either fails alone, and a fresh process
 * runs the next model. Bars are loaded and results saved here.
 *
 * @throws DataError when the folder holds no `.onnx` file, naming what it holds instead
 *   (see {@link requireModelFiles})
 *
 * @example
 * const outcomes = await runAllModels({ modelsDir: 'models', loadBars: (s, tf) => db.loadBars(s, tf) });
 */
export async function runAllModels(options: RunAllModelsOptions): Promise<ModelRunOutcome[]> {
  const runTimeoutSeconds = options.runTimeoutSeconds ?? DEFAULT_MODEL_TIMEOUT_SECONDS;
  if (!(Number.isFinite(runTimeoutSeconds) && runTimeoutSeconds > 0)) {
    throw new ConfigError(`runTimeoutSeconds is ${runTimeoutSeconds}; it must be a number of seconds above 0`);
  }
  const { parseModelFileName } = await import('../strategies/onnx/index.js');
  const files = await requireModelFiles(options.modelsDir);
  const outcomes: ModelRunOutcome[] = [];
  const models = new ModelProcess({ runTimeoutSeconds });
  try {
    for (const modelPath of files) {
      if (options.signal?.aborted === true) break;
      const outcome = await runOne(modelPath, parseModelFileName(modelPath), options, models);
      if (outcome === undefined) break;
      outcomes.push(outcome);
      options.onProgress?.(outcomes.length, files.length, outcome);
    }
  } finally {
    models.close();
  }
  return outcomes;
}

/** How one model went; undefined when `signal` stopped it. */
async function runOne(
  modelPath: string,
  identity: { symbol: string; timeframe: Timeframe } | undefined,
  options: RunAllModelsOptions,
  models: ModelProcess,
): Promise<ModelRunOutcome | undefined> {
  if (identity === undefined) {
    return { modelPath, error: 'file name must be SYMBOL_TIMEFRAME.onnx (e.g. GOOG_1Day.onnx)' };
  }
  const { symbol, timeframe } = identity;
  try {
    const bars = await options.loadBars(symbol, timeframe);
    if (bars === undefined) return { modelPath, symbol, timeframe, error: `no bars for ${symbol} ${timeframe}` };
    const run = await models.run({ bars, modelPath, config: options.config }, options.signal);
    if (run.aborted === true) return undefined;
    if (run.error !== undefined) return { modelPath, symbol, timeframe, error: run.error };
    const savedId = await options.save?.(run.result);
    return { modelPath, symbol, timeframe, metrics: run.result.metrics, ...(savedId === undefined ? {} : { savedId }) };
  } catch (error) {
    // A store failure is not the model's fault: stop instead of reporting every model as failed.
    if (error instanceof AppError && error.code === 'store') throw error;
    return { modelPath, symbol, timeframe, error: error instanceof Error ? error.message : String(error) };
  }
}
