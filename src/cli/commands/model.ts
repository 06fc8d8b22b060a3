import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { formatNumber, formatTimeMs } from '../../app/format-values.js';
import { runPrepared } from '../../app/run-backtest.js';
import type { BarSeries } from '../../core/bars.js';
import { resolveConfig } from '../../core/config.js';
import { DataError, UsageError } from '../../core/errors.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { PolicyDecisions } from '../../strategies/onnx/index.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { loadBarsForRun } from './run.js';

/** Flags and argument of `backtest model inspect`. */
export interface ModelInspectOptions {
  readonly file: string;
  readonly json: boolean;
}

/** Flags and argument of `backtest model check`. */
export interface ModelCheckOptions {
  readonly file: string;
  readonly data?: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
  readonly db?: string;
  readonly json: boolean;
}

/** Flags and argument of `backtest model evaluate`. */
export interface ModelEvaluateOptions {
  readonly file: string;
  /** JSON file `{"rows": [[...], ...]}`: one array of F numbers per observation row. */
  readonly observations: string;
}

const loadOnnx = () => import('../../strategies/onnx/index.js');

/**
 * `backtest model inspect FILE`: loads a model, checks it against the contract (inputs,
 * outputs, metadata, feature catalogue) and prints its contract: inputs and outputs, output kind,
 * observation features with their columns, warm-up and decision mode. An invalid model is the
 * usual one-line error (exit 4).
 *
 * @example
 * await modelInspectCommand({ file: 'models/rl_symbols/GOOG_1Day.onnx', json: false }, io);
 */
export async function modelInspectCommand(options: ModelInspectOptions, io: CliIO): Promise<void> {
  const onnx = await loadOnnx();
  const path = resolve(io.cwd, options.file);
  onnx.assertNotExportableModel(options.file);
  const policy = await onnx.loadOnnxPolicy(path);
  try {
    const contract = policy.contract;
    const identity = onnx.parseModelFileName(path);
    let column = 0;
    const features = contract.features.map((spec) => {
      const columns = { first: column, last: column + spec.width - 1 };
      column += spec.width;
      return { ...onnx.featureSpecToJson(spec), columns, warmUp: spec.warmUp, state: spec.state };
    });
    const other = Object.fromEntries(Object.entries(policy.metadata).filter(([key]) => !key.startsWith('backtest.')));
    const description = {
      file: options.file,
      sha256: policy.sha256,
      symbol: identity?.symbol ?? null,
      timeframe: identity?.timeframe ?? null,
      inputs: policy.inputs,
      outputs: policy.outputs,
      inputName: policy.inputName,
      outputName: policy.outputName,
      output: contract.output,
      allowShort: contract.allowShort,
      threshold: contract.threshold,
      observationWidth: contract.featureCount,
      firstObservationBar: contract.window,
      declaresFeatures: contract.declaresFeatures,
      ...(contract.declaresFeatures ? {} : { window: contract.window, scale: contract.scale }),
      features,
      decisionMode: contract.decisionMode,
      metadata: other,
      valid: true,
    };
    if (options.json) {
      io.out(`${JSON.stringify(description, null, 2)}\n`);
      return;
    }
    const shape = (value: { type: string | undefined; shape: readonly (number | string)[] }) =>
      `${value.type ?? 'not a tensor'} [${value.shape.join(', ')}]`;
    const exit = contract.allowShort ? 'short' : 'flat';
    const lines = [
      `Model      ${options.file}`,
      `SHA-256    ${policy.sha256}`,
      identity === undefined
        ? 'Symbol     unknown: the file name is not SYMBOL_TIMEFRAME.onnx (run --model needs --symbol and --timeframe)'
        : `Symbol     ${identity.symbol}  timeframe ${identity.timeframe}  (from the file name)`,
      ...policy.inputs.map(
        (input) => `Input      ${input.name}  ${shape(input)}${input.name === policy.inputName ? '  ← fed' : ''}`,
      ),
      ...policy.outputs.map(
        (output) => `Output     ${output.name}  ${shape(output)}${output.name === policy.outputName ? '  ← read' : ''}`,
      ),
      contract.output === 'discrete'
        ? `Decisions  discrete: argmax of (hold, buy, sell); sell goes ${exit}`
        : `Decisions  target: above ${contract.threshold} long, below −${contract.threshold} ${exit}, else flat`,
      `Observation ${contract.featureCount} columns; the first observation is at bar ${contract.window}` +
        (contract.declaresFeatures
          ? ' (backtest.features)'
          : ` (backtest.window=${contract.window}, scale ${contract.scale}${contract.positionInput ? ', position last' : ''})`),
      `Batching   ${describeMode(contract.decisionMode)}`,
    ];
    io.out(`${lines.join('\n')}\n`);
    io.out(
      renderTable(
        ['Columns', 'Feature', 'Warm-up bars'],
        contract.features.map((spec, i) => [
          features[i]!.columns.first === features[i]!.columns.last
            ? String(features[i]!.columns.first)
            : `${features[i]!.columns.first}–${features[i]!.columns.last}`,
          onnx.describeFeatureSpec(spec),
          spec.state ? 'state' : String(spec.warmUp + spec.lags - 1),
        ]),
        2,
      ),
    );
    if (Object.keys(other).length > 0) {
      io.out(
        `Other metadata: ${Object.entries(other)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}\n`,
      );
    }
    io.out('Contract: valid\n');
  } finally {
    await policy.release();
  }
}

function describeMode(mode: string): string {
  if (mode === 'stepped') {
    return 'stepped: P&L or cash observed, rows evaluated as the engine steps in speculative batches';
  }
  if (mode === 'position') return 'position: every bar evaluated for positions −1, 0 and 1, in batches before the run';
  return 'batched: every bar evaluated in batches before the run';
}

/**
 * `backtest model check FILE --data BARS`: runs a model on bars through the engine (default
 * settings: 10 000 cash, no costs, next-open fills) and reports how many bars got each action
 * (hold, buy, sell; or long, flat, short), how many had no observation, the runtime calls and
 * the run's trades and return. Bars come from `--data`, or from the database for the symbol
 * and timeframe in the model's name (or `--symbol` and `--timeframe`).
 *
 * @example
 * await modelCheckCommand({ file: 'models/rl_symbols/GOOG_1Day.onnx', data: 'data/bars/GOOG.csv', json: false }, io);
 */
export async function modelCheckCommand(options: ModelCheckOptions, io: CliIO): Promise<void> {
  const onnx = await loadOnnx();
  onnx.assertNotExportableModel(options.file);
  const identity = onnx.parseModelFileName(options.file);
  const bars: BarSeries = await loadBarsForRun(
    {
      ...(options.data === undefined ? {} : { data: options.data }),
      ...(options.db === undefined ? {} : { db: options.db }),
      ...((options.symbol ?? identity?.symbol) === undefined ? {} : { symbol: (options.symbol ?? identity?.symbol)! }),
      ...((options.timeframe ?? identity?.timeframe) === undefined
        ? {}
        : { timeframe: (options.timeframe ?? identity?.timeframe)! }),
    },
    io,
  );
  if (bars.length === 0)
    throw new DataError({ source: options.data ?? bars.symbol, reason: 'no bars to check the model on' });
  const path = resolve(io.cwd, options.file);
  const policy = await onnx.loadOnnxPolicy(path);
  try {
    const counts = new Map<string, number>();
    let decisions: PolicyDecisions | undefined;
    const strategy = policy.createStrategy({
      onAction: (_index, action) => counts.set(action, (counts.get(action) ?? 0) + 1),
      onPrepared: (prepared) => {
        decisions = prepared;
      },
    });
    const config = resolveConfig({ strategy: { name: 'onnx', params: { model: path } } });
    const result = await runPrepared(bars, strategy, config, { model: { path, sha256: policy.sha256 } });
    const runtimeCalls = decisions?.runtimeCalls ?? 0;

    const actions = policy.contract.output === 'discrete' ? ['hold', 'buy', 'sell'] : ['long', 'flat', 'short'];
    const decided = [...counts.entries()].filter(([a]) => a !== 'none').reduce((sum, [, n]) => sum + n, 0);
    const perAction = Object.fromEntries([...actions, 'nan', 'none'].map((a) => [a, counts.get(a) ?? 0]));
    const summary = {
      file: options.file,
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      bars: bars.length,
      firstTimeMs: bars.timeMs[0]!,
      lastTimeMs: bars.timeMs[bars.length - 1]!,
      output: policy.contract.output,
      allowShort: policy.contract.allowShort,
      decisionMode: policy.contract.decisionMode,
      actions: perAction,
      observedBars: decided,
      runtimeCalls,
      trades: result.trades.length,
      skippedOrders: result.skippedOrders,
      totalReturnPct: result.metrics.total_return,
    };
    if (options.json) {
      io.out(`${JSON.stringify(summary, null, 2)}\n`);
      return;
    }
    const pct = (n: number, of: number) => (of === 0 ? '' : `${formatNumber((100 * n) / of, 1)} %`);
    io.out(
      `${options.file} on ${bars.symbol} ${bars.timeframe}: ${bars.length} bars, ` +
        `${formatTimeMs(summary.firstTimeMs)} → ${formatTimeMs(summary.lastTimeMs)}\n`,
    );
    const exit = policy.contract.allowShort ? 'short' : 'flat';
    const meaning: Record<string, string> = {
      hold: 'keep the position',
      buy: 'go long',
      sell: `go ${exit}`,
      long: 'go long',
      flat: 'go flat',
      short: `go ${exit}`,
      nan: 'output was NaN: keep the position',
      none: 'no observation (warm-up or a value that is not finite): keep the position',
    };
    io.out(
      renderTable(
        ['Action', 'Meaning', 'Bars', 'Share of observed'],
        [...actions, 'nan', 'none']
          .filter((a) => a !== 'nan' || perAction.nan! > 0)
          .map((a) => [a, meaning[a]!, String(perAction[a]), a === 'none' ? '' : pct(perAction[a]!, decided)]),
        2,
      ),
    );
    io.out(
      `Runtime calls ${runtimeCalls} (${policy.contract.decisionMode}); ` +
        `run with default settings: ${result.trades.length} trades, total return ${formatNumber(result.metrics.total_return, 2)} %` +
        (result.skippedOrders > 0 ? `, ${result.skippedOrders} skipped orders` : '') +
        '\n',
    );
  } finally {
    await policy.release();
  }
}

/**
 * `backtest model evaluate FILE --observations ROWS.json`: runs the model through the project's
 * ONNX runtime on the given rows and prints `{"outputs": [[...], ...], "actions": [...]}` (NaN as
 * null). The exporter uses it to check an export against PyTorch.
 *
 * @example
 * await modelEvaluateCommand({ file: 'GOOG_1Day.onnx', observations: 'rows.json' }, io);
 */
export async function modelEvaluateCommand(options: ModelEvaluateOptions, io: CliIO): Promise<void> {
  const onnx = await loadOnnx();
  const source = relative(io.cwd, resolve(io.cwd, options.observations)) || options.observations;
  let rows: unknown;
  try {
    rows = (JSON.parse(await readFile(resolve(io.cwd, options.observations), 'utf8')) as { rows?: unknown }).rows;
  } catch (error) {
    throw new DataError(
      { source, reason: `cannot read observation rows: ${(error as Error).message}` },
      { cause: error },
    );
  }
  const policy = await onnx.loadOnnxPolicy(resolve(io.cwd, options.file));
  try {
    const width = policy.contract.featureCount;
    if (
      !Array.isArray(rows) ||
      rows.length === 0 ||
      !rows.every((row) => Array.isArray(row) && row.length === width && row.every((v) => typeof v === 'number'))
    ) {
      throw new UsageError(
        `${source}: "rows" must be a non-empty array of arrays of ${width} numbers (the model's observation width)`,
      );
    }
    const flat = Float32Array.from((rows as number[][]).flat());
    const output = await policy.evaluate(flat, rows.length);
    const outputWidth = policy.contract.outputWidth;
    const outputs: (number | null)[][] = [];
    const actions: string[] = [];
    for (let r = 0; r < rows.length; r++) {
      outputs.push(
        Array.from(output.subarray(r * outputWidth, (r + 1) * outputWidth), (v) => (Number.isNaN(v) ? null : v)),
      );
      actions.push(onnx.actionFromOutput(policy.contract, output, r * outputWidth));
    }
    const identity = onnx.parseModelFileName(options.file);
    io.out(
      `${JSON.stringify({
        symbol: identity?.symbol ?? null,
        timeframe: identity?.timeframe ?? null,
        width,
        output: policy.contract.output,
        decisionMode: policy.contract.decisionMode,
        outputs,
        actions,
      })}\n`,
    );
  } finally {
    await policy.release();
  }
}

/**
 * `backtest model features`: the observation feature catalogue, one feature per line.
 *
 * @example
 * await modelFeaturesCommand(io);
 */
export async function modelFeaturesCommand(io: CliIO): Promise<void> {
  const onnx = await loadOnnx();
  io.out(`${onnx.describeCatalogue().join('\n')}\n`);
  io.out(
    'Every feature also takes lags (default 1), scale (default 1) and norm: "none", {"kind":"zscore","mean":M,"std":S,"clip"?:C} or {"kind":"clip","min":A,"max":B}.\n' +
      'Declare them in the model metadata as backtest.features (see src/strategies/onnx/MODEL-CONTRACT.md).\n',
  );
}
