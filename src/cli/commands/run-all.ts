import { checkBarRange, isBarRangeSet } from '../../app/bar-range.js';
import { requireStoredBars } from '../../app/stored-bars.js';
import { formatMetricValue } from '../../app/format-values.js';
import { isAbsolute, relative, resolve } from 'node:path';
import { openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import { type ModelRunOutcome, requireModelFiles, runAllModels } from '../../app/run-all-models.js';
import { toJsonText } from '../../app/json-text.js';
import { toSaveInput } from '../../app/save-result.js';
import { withLockRetry } from '../../app/lock-retry.js';
import { writeRecoveryFile } from '../../app/recovery-file.js';
import { AppError, StoreError } from '../../core/errors.js';
import type { BacktestInput } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { startProgress } from '../progress.js';
import { lockTimeoutMs, type RunCommandOptions, runConfigFromFlags } from './run.js';

/** Exit code when at least one model failed while the others ran. */
const SOME_FAILED_EXIT_CODE = 1;

/** Raised after the summary when some models failed, so the process exits non-zero. */
class SomeModelsFailedError extends AppError {
  constructor(failed: number, total: number) {
    super(`${failed} of ${total} models failed (see above)`, {
      code: 'models-failed',
      exitCode: SOME_FAILED_EXIT_CODE,
    });
  }
}

/** Flags of `backtest run --all`: those of `run`, and how long one model may run. */
export type RunAllCommandOptions = RunCommandOptions & {
  /** Seconds one model may run before its process is killed and it counts as failed; default 600. */
  readonly runTimeout?: number;
};

/**
 * `backtest run --all`: every model under `--models-dir`, each on the bars stored for its
 * symbol and timeframe, in a child process that a hung or crashing model takes down alone.
 * Bars are read and results written through one database connection, here.
 */
export async function runAllCommand(options: RunAllCommandOptions, io: CliIO): Promise<void> {
  // Every model runs on its own bars from --start to --end (inclusive) when given.
  const range = { fromMs: options.start, toMs: options.end };
  checkBarRange(range);
  const modelsDir = resolve(io.cwd, options.modelsDir);
  // A folder without .onnx files stops here (exit 3), before a database is opened or created.
  await requireModelFiles(modelsDir, options.modelsDir);
  // Results the store refused (even after waiting out another process's lock) go to a recovery file.
  const unsaved: BacktestInput[] = [];
  let databasePath = '';
  const outcomes = await withDatabase(
    // The first save says where the new database file is, as `run --save-to-db` does.
    openHistoryForWriting({ db: options.db, cwd: io.cwd, env: io.env, onNotice: (message) => io.err(`${message}\n`) }),
    async (store) => {
      databasePath = store.location;
      let progress: ReturnType<typeof startProgress> | undefined;
      try {
        return await runAllModels({
          modelsDir,
          // A model whose set holds no bar in the range fails alone, saying what the set holds.
          loadBars: (symbol, timeframe) =>
            isBarRangeSet(range)
              ? requireStoredBars(store, symbol, timeframe, range)
              : store.loadBars(symbol, timeframe),
          config: runConfigFromFlags(options),
          ...(options.runTimeout === undefined ? {} : { runTimeoutSeconds: options.runTimeout }),
          ...(options.saveToDb
            ? {
                // Model paths are stored absolute, so list --model finds the model however it is typed.
                save: async (result) => {
                  const input = toSaveInput(result, {
                    ...(options.notes === undefined ? {} : { notes: options.notes }),
                  });
                  try {
                    return await withLockRetry('save the run', store.location, () => store.saveRun(input), {
                      timeoutMs: lockTimeoutMs(options),
                      onWait: (line) => io.err(`${line}\n`),
                    });
                  } catch (error) {
                    if (error instanceof StoreError) unsaved.push(input);
                    throw error;
                  }
                },
              }
            : {}),
          onProgress: (done, total, outcome) => {
            progress ??= startProgress(io, 'Models', total);
            progress.update(done, displayPath(io.cwd, outcome.modelPath));
            if (outcome.error !== undefined)
              io.err(`failed: ${displayPath(io.cwd, outcome.modelPath)}: ${outcome.error}\n`);
          },
        });
      } finally {
        progress?.stop();
      }
    },
  );

  if (unsaved.length > 0) {
    const recovery = writeRecoveryFile(unsaved, databasePath);
    io.err(
      `${unsaved.length} computed run${unsaved.length === 1 ? ' was' : 's were'} not saved; ${unsaved.length === 1 ? 'it is' : 'they are'} in ${recovery}. Save them later with: backtest import ${recovery}\n`,
    );
  }
  if (options.json) io.out(`${toJsonText(outcomes)}\n`);
  else io.out(renderOutcomes(outcomes, io.cwd));
  const failed = outcomes.filter((o) => o.error !== undefined).length;
  if (failed > 0) throw new SomeModelsFailedError(failed, outcomes.length);
}

function renderOutcomes(outcomes: readonly ModelRunOutcome[], cwd: string): string {
  if (outcomes.length === 0) return '';
  return renderTable(
    ['Model', 'Symbol', 'Timeframe', 'Status', 'Return [%]', 'Sharpe', 'Max DD [%]', 'Trades', 'Saved id'],
    outcomes.map((o) => [
      displayPath(cwd, o.modelPath),
      o.symbol ?? '',
      o.timeframe ?? '',
      o.error === undefined ? 'ok' : 'failed',
      o.metrics === undefined ? '' : formatMetricValue('total_return', o.metrics.total_return),
      o.metrics === undefined ? '' : formatMetricValue('sharpe_ratio', o.metrics.sharpe_ratio),
      o.metrics === undefined ? '' : formatMetricValue('max_drawdown', o.metrics.max_drawdown),
      o.metrics === undefined ? '' : String(o.metrics.total_trades),
      o.savedId === undefined ? '' : String(o.savedId),
    ]),
    4,
  );
}

/** A path as a user would type it: relative to the working folder when inside it, else absolute. */
function displayPath(cwd: string, path: string): string {
  const inside = relative(cwd, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}
