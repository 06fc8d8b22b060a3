import { describeOutOfMoney, formatNumber, formatTimeMs, formatUnitValue } from '../../app/format-values.js';
import { resolve } from 'node:path';
import type { BarSeries } from '../../core/bars.js';
import { UsageError } from '../../core/errors.js';
import type { FillTiming } from '../../core/config.js';
import type { Timeframe } from '../../core/timeframe.js';
import { runBacktest } from '../../app/run-backtest.js';
import { loadStoredBars } from '../../app/stored-bars.js';
import { writeFileAtomically } from '../../app/write-file-atomically.js';
import type { BacktestConfig } from '../../core/config.js';
import { toJsonText } from '../../app/json-text.js';
import type { BacktestResult } from '../../app/backtest-result.js';
import { parseParamFlags, resolveStrategy } from '../../strategies/index.js';
import { resolveDatabasePath } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderTradeList } from '../format-trades.js';
import { loadBarsFile } from '../load-bars-file.js';
import { renderMetricsTable } from '../format.js';

/** Flags of `backtest run`, as commander parses them. */
export interface RunCommandOptions {
  readonly data?: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
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
    result = await runModelBacktest({ bars, modelPath: resolve(io.cwd, options.model), config });
  } else {
    result = await runBacktest({
      bars,
      strategy: await resolveStrategy(options.strategy, io.cwd),
      params: parseParamFlags([...options.param]),
      config,
    });
  }

  // One line on standard error, so it shows even with --json (whose output carries `outOfMoney`).
  if (result.outOfMoney !== null) io.err(`warning: ${describeOutOfMoney(result.outOfMoney)}\n`);

  if (options.report !== undefined) {
    const { renderRunReport } = await import('../../web/run-report.js');
    const path = resolve(io.cwd, options.report);
    writeFileAtomically(path, renderRunReport(result, bars));
    io.err(`Wrote report ${path}\n`);
  }

  let savedId: number | undefined;
  if (options.saveToDb) {
    const { saveResultToDb } = await import('../../app/save-result.js');
    savedId = await saveResultToDb(result, {
      db: resolveDatabasePath(options.db, io.env, io.cwd),
      ...(options.notes === undefined ? {} : { notes: options.notes }),
      // The first save says where the new database file is, so the user can find it again.
      onNotice: (message) => io.err(`${message}\n`),
    });
  }

  if (options.json) {
    const json = result.toJSON({ includeEquityCurve: options.equityCurve === true });
    io.out(`${toJsonText({ ...(savedId === undefined ? {} : { id: savedId }), ...json })}\n`);
    return;
  }
  io.out(renderRunSummary(result));
  if (options.trades) io.out(renderTradeList(result.trades));
  if (savedId !== undefined) io.out(`Saved backtest to database with id=${savedId}\n`);
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
 * Bars from `--data FILE`, or else from the database's bar store for `--symbol` and
 * `--timeframe` (see `backtest data import`).
 */
export async function loadBarsForRun(
  options: Pick<RunCommandOptions, 'data' | 'symbol' | 'timeframe' | 'db'>,
  io: CliIO,
): Promise<BarSeries> {
  if (options.data === undefined) {
    if (options.symbol === undefined || options.timeframe === undefined) {
      throw new UsageError(
        'no bars given: pass --data FILE, or --symbol and --timeframe to use bars imported with backtest data import',
      );
    }
    return loadStoredBars(options.symbol, options.timeframe, { db: options.db, cwd: io.cwd, env: io.env });
  }
  return loadBarsFile(resolve(io.cwd, options.data), options.data, options);
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
  return `${lines.join('\n')}\n${renderMetricsTable(result.metrics)}`;
}

