import { describeOutOfMoney, formatNumber, formatTimeMs, formatUnitValue } from '../../app/format-values.js';
import { resolve } from 'node:path';
import type { BarSeries } from '../../core/bars.js';
import { StoreError, UsageError } from '../../core/errors.js';
import type { FillTiming } from '../../core/config.js';
import type { Timeframe } from '../../core/timeframe.js';
import { runBacktest } from '../../app/run-backtest.js';
import { loadStoredBars } from '../../app/stored-bars.js';
import { checkBarRange, sliceBarsToRange } from '../../app/bar-range.js';
import { writeFileAtomically } from '../../app/write-file-atomically.js';
import type { BacktestConfig } from '../../core/config.js';
import { toJsonText } from '../../app/json-text.js';
import type { BacktestResult } from '../../app/backtest-result.js';
import { parseParamFlags, resolveStrategy } from '../../strategies/index.js';
import { describeDatabase } from '../../store/database-url.js';
import { resolveDatabasePath } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderTradeList } from '../format-trades.js';
import { loadBarsFile } from '../load-bars-file.js';
import { renderMetricsTable, renderSplitMetricsTable } from '../format.js';

/** Flags of `backtest run`, as commander parses them. */
export interface RunCommandOptions {
  readonly data?: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
  /** Scale the `--data` file's prices by `Adj Close / Close`. */
  readonly adjusted?: boolean;
  /** IANA zone of the `--data` file's times written without an offset. */
  readonly tz?: string;
  /** `--start`: first bar time to use, unix ms (inclusive). */
  readonly start?: number;
  /** `--end`: last bar time to use, unix ms (inclusive). */
  readonly end?: number;
  /** `--oos-from`: the out-of-sample part starts at the first bar at or after this time, unix ms. */
  readonly oosFrom?: number;
  /** `--oos-fraction`: the last fraction of the bars is out of sample. */
  readonly oosFraction?: number;
  readonly strategy: string;
  readonly param: readonly string[];
  readonly cash: number;
  readonly commission: number;
  readonly fixedFee: number;
  readonly slippageBps: number;
  readonly size: number;
  readonly fractional: boolean;
  readonly fillAt: FillTiming;
  readonly riskFreeRate: number;
  readonly saveToDb: boolean;
  readonly notes?: string;
  /** Seconds to wait for another process's write lock before giving up (and writing a recovery file). */
  readonly lockTimeout?: number;
  /** Add this project's tables to another program's SQLite file. */
  readonly init?: boolean;
  readonly db?: string;
  readonly trades: boolean;
  readonly equityCurve?: boolean;
  readonly json: boolean;
  readonly model?: string;
  readonly report?: string;
  readonly all: boolean;
  readonly modelsDir: string;
}

/** `backtest run`: one backtest, printed as tables or JSON, optionally saved. */
export async function runCommand(options: RunCommandOptions, io: CliIO): Promise<void> {
  if (options.all && (options.oosFrom !== undefined || options.oosFraction !== undefined)) {
    throw new UsageError('--oos-from and --oos-fraction apply to one run or sweep, not to run --all');
  }
  const outOfSample = { fromMs: options.oosFrom, fraction: options.oosFraction };
  if (options.all) {
    const { runAllCommand } = await import('./run-all.js');
    await runAllCommand(options, io);
    return;
  }
  const modelIdentity = options.model === undefined ? undefined : await identityFromModelName(options.model);
  const bars = await loadBarsForRun(
    {
      ...options,
      ...(options.symbol === undefined && modelIdentity !== undefined ? { symbol: modelIdentity.symbol } : {}),
      ...(options.timeframe === undefined && modelIdentity !== undefined ? { timeframe: modelIdentity.timeframe } : {}),
    },
    io,
  );
  const config = runConfigFromFlags(options);
  let result: BacktestResult;
  if (options.model !== undefined) {
    if (options.param.length > 0) throw new UsageError('--param applies to strategies, not to --model');
    const { runModelBacktest } = await import('../../app/run-model.js');
    // Absolute, so the stored config reruns from any folder (and in-process callers' `cwd` counts).
    result = await runModelBacktest({ bars, modelPath: resolve(io.cwd, options.model), config, outOfSample });
  } else {
    result = await runBacktest({
      bars,
      strategy: await resolveStrategy(options.strategy, io.cwd),
      params: parseParamFlags([...options.param]),
      config,
      outOfSample,
    });
  }

  // One line on standard error, so it shows even with --json (whose output carries `outOfMoney`).
  if (result.outOfMoney !== null) io.err(`warning: ${describeOutOfMoney(result.outOfMoney)}\n`);
  const oosOutOfMoney = result.outOfSample?.outOfMoney ?? null;
  if (oosOutOfMoney !== null) io.err(`warning: out of sample, ${describeOutOfMoney(oosOutOfMoney)}\n`);

  if (options.report !== undefined) {
    const { renderRunReport } = await import('../../web/run-report.js');
    const path = resolve(io.cwd, options.report);
    writeFileAtomically(path, renderRunReport(result, bars));
    io.err(`Wrote report ${path}\n`);
  }

  let savedId: number | undefined;
  if (options.saveToDb) savedId = await saveRun(result, options, io);

  if (options.json) {
    const json = result.toJSON({ includeEquityCurve: options.equityCurve === true });
    io.out(`${toJsonText({ ...(savedId === undefined ? {} : { id: savedId }), ...json })}\n`);
    return;
  }
  io.out(renderRunSummary(result));
  if (options.trades) {
    if (result.outOfSample !== undefined) io.out('In-sample trades:\n');
    io.out(renderTradeList(result.trades));
    if (result.outOfSample !== undefined)
      io.out(`Out-of-sample trades:\n${renderTradeList(result.outOfSample.trades)}`);
  }
  if (savedId !== undefined) io.out(`Saved backtest to database with id=${savedId}\n`);
}

/**
 * Saves the run, waiting out another process's write lock (up to `--lock-timeout`, or until
 * Ctrl-C); when the save fails anyway, the run goes to a recovery file whose path is printed,
 * so a computed result is never lost.
 */
async function saveRun(result: BacktestResult, options: RunCommandOptions, io: CliIO): Promise<number> {
  const [{ toSaveInput }, { withLockRetry }, { errorWithRecoveryFile }, { openStore }] = await Promise.all([
    import('../../app/save-result.js'),
    import('../../app/lock-retry.js'),
    import('../../app/recovery-file.js'),
    import('../../store/index.js'),
  ]);
  const input = toSaveInput(result, options.notes === undefined ? {} : { notes: options.notes });
  const path = resolveDatabasePath(options.db, io.env, io.cwd);
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    return await withLockRetry(
      'save the run',
      describeDatabase(path),
      async () => {
        // The first save says where the new database file is, so the user can find it again.
        const store = await openStore({
          db: path,
          init: options.init,
          onNotice: (message) => io.err(`${message}\n`),
        });
        try {
          return await store.saveRun(input);
        } finally {
          await store.close();
        }
      },
      { timeoutMs: lockTimeoutMs(options), signal: stop.signal, onWait: (line) => io.err(`${line}\n`) },
    );
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    // One line: why it failed, then where the run is now.
    throw errorWithRecoveryFile([input], describeDatabase(path), error);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** `--lock-timeout` in milliseconds (seconds on the command line). */
export function lockTimeoutMs(options: { readonly lockTimeout?: number | undefined }): number | undefined {
  return options.lockTimeout === undefined ? undefined : options.lockTimeout * 1000;
}

/** The cash, cost, sizing and fill flags shared by `run` and `sweep`, as a config. */
export function runConfigFromFlags(options: RunConfigFlags): Partial<Omit<BacktestConfig, 'strategy'>> {
  return {
    initialCash: options.cash,
    commission: options.commission,
    fixedFee: options.fixedFee,
    slippageBps: options.slippageBps,
    size: options.size,
    fractional: options.fractional,
    fillAt: options.fillAt,
    riskFreeRate: options.riskFreeRate,
  };
}

/** The flags {@link runConfigFromFlags} reads. */
export type RunConfigFlags = Pick<
  RunCommandOptions,
  'cash' | 'commission' | 'fixedFee' | 'slippageBps' | 'size' | 'fractional' | 'fillAt' | 'riskFreeRate'
>;

async function identityFromModelName(modelPath: string) {
  const { assertNotExportableModel, parseModelFileName } = await import('../../strategies/onnx/index.js');
  // A .pt or .zip is refused with its export hint before any bars are looked up for it.
  assertNotExportableModel(modelPath);
  return parseModelFileName(modelPath);
}

/**
 * Bars from `--data FILE` (CSV or Parquet, read with `--adjusted` and `--tz`), or else from the
 * database's bar store for `--symbol` and `--timeframe` (see `backtest data import`); only those
 * from `--start` to `--end` (inclusive) when given. The store reads only the chunks of that range.
 */
export async function loadBarsForRun(
  options: Pick<RunCommandOptions, 'data' | 'symbol' | 'timeframe' | 'db' | 'adjusted' | 'tz' | 'start' | 'end'>,
  io: CliIO,
): Promise<BarSeries> {
  const range = { fromMs: options.start, toMs: options.end };
  checkBarRange(range);
  if (options.data === undefined) {
    if (options.adjusted === true || options.tz !== undefined) {
      throw new UsageError(
        `${options.adjusted === true ? '--adjusted' : '--tz'} applies to a --data file; stored bars were adjusted and zoned when imported`,
      );
    }
    if (options.symbol === undefined || options.timeframe === undefined) {
      throw new UsageError(
        'no bars given: pass --data FILE, or --symbol and --timeframe to use bars imported with backtest data import',
      );
    }
    return loadStoredBars(options.symbol, options.timeframe, { db: options.db, cwd: io.cwd, env: io.env }, range);
  }
  const bars = await loadBarsFile(resolve(io.cwd, options.data), options.data, options, (line) => io.err(`${line}\n`));
  return sliceBarsToRange(bars, range, options.data);
}

/** Header lines and the metrics table of one run. */
export function renderRunSummary(result: BacktestResult): string {
  const { config, bars } = result;
  const params = Object.entries(config.strategy.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lines = [
    `${result.symbol} ${result.timeframe}  ${formatTimeMs(bars.firstTimeMs)} → ${formatTimeMs(bars.lastTimeMs)}  (${bars.count} bars)`,
    `Strategy ${config.strategy.name}${params === '' ? '' : ` ${params}`}` +
      (result.model === undefined ? '' : `  model ${result.model.path}`),
    `Cash ${formatUnitValue(config.initialCash, 'money')}  commission ${formatNumber(config.commission * 100, 6)} %  ` +
      `fee ${formatNumber(config.fixedFee, 2)}  slippage ${formatNumber(config.slippageBps, 4)} bps  ` +
      `size ${formatNumber(config.size * 100, 4)} %  fill at ${config.fillAt}` +
      (config.fractional ? '  fractional' : ''),
  ];
  if (result.skippedOrders > 0) lines.push(`Skipped orders (could not afford one unit): ${result.skippedOrders}`);
  const oos = result.outOfSample;
  if (oos === undefined) return `${lines.join('\n')}\n${renderMetricsTable(result.metrics)}`;
  lines[0] = `${result.symbol} ${result.timeframe}  ${formatTimeMs(bars.firstTimeMs)} → ${formatTimeMs(oos.bars.lastTimeMs)}  (${bars.count + oos.bars.count} bars)`;
  lines.push(
    `In-sample ${formatTimeMs(bars.firstTimeMs)} → ${formatTimeMs(bars.lastTimeMs)} (${bars.count} bars); ` +
      `out-of-sample ${formatTimeMs(oos.bars.firstTimeMs)} → ${formatTimeMs(oos.bars.lastTimeMs)} (${oos.bars.count} bars), ` +
      `started flat with the cash after a warm-up over the ${bars.count} bars before it`,
  );
  if (oos.skippedOrders > 0) lines.push(`Skipped orders out of sample: ${oos.skippedOrders}`);
  return `${lines.join('\n')}\n${renderSplitMetricsTable(result.metrics, oos.metrics)}`;
}
