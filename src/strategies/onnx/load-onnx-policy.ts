import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BarSeries } from '../../core/bars.js';
import { StrategyError } from '../../core/errors.js';
import type { Direction, Strategy, StrategyContext } from '../../core/strategy.js';
import type { AccountState } from '../features/feature-series.js';
import { describeFeatureSpec } from '../features/feature-spec.js';
import { ObservationRows } from '../features/observation-rows.js';
import {
  actionFromOutput,
  DecisionMode,
  decisionOfAction,
  type ModelContract,
  ModelMetadataKey,
  PolicyAction,
  readModelContract,
} from './model-contract.js';
import { assertNotExportableModel } from './non-onnx-model.js';
import { onnxProto } from './onnx-proto.js';
import type { SyncSession } from './sync-session.js';

// The slice of onnxruntime-node this module uses, declared here so that the package is only
// ever loaded by the `await import` in loadOnnxPolicy (a type import would be erased anyway,
// but this keeps the dependency surface visible and small).
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}
interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly OrtValueMetadata[];
  readonly outputMetadata: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches: readonly string[]): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  readonly InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** Options for {@link loadOnnxPolicy}. */
export interface LoadOnnxPolicyOptions {
  /**
   * Observation rows per inference call; default 8192. A stepped model's speculative batches are
   * at most this or 4096 rows, whichever is smaller.
   */
  readonly batchRows?: number;
  /**
   * ONNX Runtime intra-op threads; default 1. Policies this small run faster on one thread
   * (measured: 100k rows of a 16→64→64→3 network in ~75 ms on 1 thread, ~150 ms on 2), and
   * it leaves other cores to parallel backtests.
   */
  readonly threads?: number;
}

/**
 * A policy's decisions for every bar of one series: computed in bulk before the run, or, when
 * the model observes the account's P&L or cash (`stepped`), as the engine steps.
 *
 * @example
 * const next = decisions.at(bar, position); // undefined = keep the position
 */
export interface PolicyDecisions {
  /** Number of bars decided. */
  readonly length: number;
  /** Whether the decision depends on the account (the model observes position, P&L or cash). */
  readonly positionAware: boolean;
  /**
   * Whether the model observes P&L or cash, so a decision needs the engine's account at that bar:
   * use {@link PolicyDecisions.actionFor}; {@link PolicyDecisions.at} throws.
   */
  readonly stepped: boolean;
  /** Whether a sell or a low target means short (true) or flat (false). */
  readonly allowShort: boolean;
  /** Calls to ONNX Runtime so far: the batches before the run, plus the speculative batches of a stepped model. */
  readonly runtimeCalls: number;
  /** The decision after bar `index` closes while holding `position`; `undefined` keeps it. */
  at(index: number, position: Direction): Direction | undefined;
  /**
   * What the model says after the context's bar closes, given the account in the context.
   * Bars must come in order for a stepped model, as the engine gives them.
   */
  actionFor(context: StrategyContext): PolicyAction;
}

/** One graph input or output, as ONNX Runtime reports it. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Element type, such as `float32`; `undefined` when it is not a tensor. */
  readonly type: string | undefined;
  /** Dimensions: numbers, or names for symbolic ones (`batch`). */
  readonly shape: readonly (number | string)[];
}

/** Options for {@link OnnxPolicy.createStrategy}. */
export interface PolicyStrategyOptions {
  /** Called with every bar's action as the engine asks, for reporting (`backtest model check`). */
  readonly onAction?: (index: number, action: PolicyAction) => void;
  /** Called with the decisions once `prepare` has them (a stepped model's `runtimeCalls` grow during the run). */
  readonly onPrepared?: (decisions: PolicyDecisions) => void;
}

/**
 * A loaded ONNX policy: its identity, its contract, and batched inference over bar series.
 * Holds an ONNX Runtime session until {@link OnnxPolicy.release}.
 *
 * @example
 * const policy = await loadOnnxPolicy('models/rl_symbols/GOOG_1Day.onnx');
 * const strategy = policy.createStrategy();
 */
export interface OnnxPolicy {
  /** The path the policy was loaded from, as given. */
  readonly modelPath: string;
  /** SHA-256 of the model file's bytes, lowercase hex. */
  readonly sha256: string;
  /** Every `metadata_props` entry of the model. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly contract: ModelContract;
  /** The graph input that is fed. */
  readonly inputName: string;
  /** The graph output that is read. */
  readonly outputName: string;
  /** Every graph input. */
  readonly inputs: readonly OnnxValueInfo[];
  /** Every graph output. */
  readonly outputs: readonly OnnxValueInfo[];
  /**
   * Runs the model on `rows` observation rows (row-major, `contract.featureCount` each) and
   * returns the output rows (`contract.outputWidth` each). One call, no batching.
   */
  evaluate(observations: Float32Array, rows: number): Promise<Float32Array>;
  /**
   * Decides every bar of `bars`; bar i's decisions use bars 0..i only. A stepped model (one that
   * observes P&L or cash) gets its bar features computed here and its rows evaluated as the
   * engine steps, on a session of its own that stays open after {@link OnnxPolicy.release}.
   */
  decide(bars: BarSeries): Promise<PolicyDecisions>;
  /**
   * A {@link Strategy} whose `prepare` runs {@link OnnxPolicy.decide} and whose `onBar`
   * looks the decision up. The strategy does not release the policy.
   */
  createStrategy(options?: PolicyStrategyOptions): Strategy;
  /** Frees the runtime session; the policy cannot evaluate afterwards. */
  release(): Promise<void>;
}

const DEFAULT_BATCH_ROWS = 8192;
const POSITIONS: readonly Direction[] = [-1, 0, 1];
/** Actions are stored as their index in this list; index 0, `none`, is "no observation". */
const ACTIONS: readonly PolicyAction[] = Object.values(PolicyAction);
const ACTION_CODE: Readonly<Record<PolicyAction, number>> = Object.fromEntries(
  ACTIONS.map((action, code) => [action, code]),
) as Record<PolicyAction, number>;
/** A flat account, for rows whose only state feature is the (assumed) position. */
const FLAT_ACCOUNT: AccountState = { position: 0, equity: 1, cash: 1, entryPrice: Number.NaN, close: Number.NaN };

/**
 * Loads an ONNX policy, checks it against the model contract (see `MODEL-CONTRACT.md`) and
 * gets it ready for batched inference. onnxruntime-node is imported here, on first use, so
 * that nothing pays for it when no model is used.
 *
 * @throws StrategyError naming the file when it is a `.pt`, `.pth` or `.zip` training file (with a
 *   hint to export it), missing, unreadable, not an ONNX model,
 *   rejected by ONNX Runtime, or does not match its declared contract (input or output
 *   names, element types, widths)
 *
 * @example
 * const policy = await loadOnnxPolicy('models/rl_symbols/GOOGL_1Hour.onnx');
 * try { await policy.decide(bars); } finally { await policy.release(); }
 */
export async function loadOnnxPolicy(modelPath: string, options: LoadOnnxPolicyOptions = {}): Promise<OnnxPolicy> {
  assertNotExportableModel(modelPath);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new StrategyError(`${modelPath}: threads must be a whole number ≥ 1, not ${threads}`);
  }
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new StrategyError(`${modelPath}: batchRows must be a whole number ≥ 1, not ${batchRows}`);
  }

  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'model file not found'
        : code === 'EISDIR'
          ? 'is a folder, not a model file'
          : `cannot read the model file (${(error as Error).message})`;
    throw new StrategyError(`${modelPath}: ${reason}`, { cause: error });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const metadata = readMetadata(bytes, modelPath);
  const contract = readModelContract(metadata, modelPath);

  let ort: OrtModule;
  try {
    const imported = (await import('onnxruntime-node')) as unknown as OrtModule & { default?: OrtModule };
    ort = imported.default ?? imported;
  } catch (error) {
    throw new StrategyError(`onnxruntime-node could not be loaded: ${(error as Error).message}`, { cause: error });
  }

  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      logSeverityLevel: 3,
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new StrategyError(`${modelPath}: ONNX Runtime cannot load the model: ${firstLine(error)}`, { cause: error });
  }

  let names: { inputName: string; outputName: string };
  try {
    names = checkSession(session, contract, modelPath);
  } catch (error) {
    await session.release();
    throw error;
  }
  return new LoadedPolicy({ modelPath, sha256, metadata, bytes }, contract, names, { session, ort, batchRows });
}

function valueInfo(value: OrtValueMetadata): OnnxValueInfo {
  return { name: value.name, type: value.isTensor ? value.type : undefined, shape: value.shape ?? [] };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

function readMetadata(bytes: Uint8Array, source: string): Record<string, string> {
  const notOnnx = (reason: string, cause?: unknown): StrategyError =>
    new StrategyError(`${source}: not a valid ONNX model (${reason})`, cause === undefined ? {} : { cause });
  let header: { ir_version?: unknown; metadata_props?: { key?: string; value?: string }[] };
  try {
    header = onnxProto.lookupType('onnx.ModelHeader').decode(bytes) as typeof header;
  } catch (error) {
    throw notOnnx(`the protobuf is damaged or truncated: ${firstLine(error)}`, error);
  }
  // A text file can parse as a few stray protobuf fields; a real model always has an IR version.
  const irVersion = toNumber(header.ir_version);
  if (!(irVersion >= 1)) throw notOnnx('no ir_version');
  const metadata: Record<string, string> = {};
  for (const entry of header.metadata_props ?? []) {
    const key = entry.key ?? '';
    if (Object.hasOwn(metadata, key)) throw new StrategyError(`${source}: metadata key ${key} appears twice`);
    metadata[key] = entry.value ?? '';
  }
  return metadata;
}

/** int64 fields decode as a Long when the `long` package is present, as a number otherwise. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return 0;
}

function checkSession(
  session: OrtSession,
  contract: ModelContract,
  source: string,
): { inputName: string; outputName: string } {
  const input = pickValue('input', session.inputMetadata, contract.inputName, ModelMetadataKey.InputName, source);
  const output = pickValue('output', session.outputMetadata, contract.outputName, ModelMetadataKey.OutputName, source);
  const features = contract.declaresFeatures
    ? `${contract.features.map((spec) => `${describeFeatureSpec(spec)} (${spec.width})`).join(' + ')} (${ModelMetadataKey.Features})`
    : `${contract.window} returns (${ModelMetadataKey.Window}=${contract.window})${
        contract.positionInput ? ' + the position' : ''
      }`;
  checkTensor(input, 'input', contract.featureCount, features, source);
  checkTensor(output, 'output', contract.outputWidth, `${contract.output} output`, source);
  return { inputName: input.name, outputName: output.name };
}

function pickValue(
  role: 'input' | 'output',
  values: readonly OrtValueMetadata[],
  declared: string | undefined,
  key: string,
  source: string,
): OrtValueMetadata {
  const names = values.map((value) => `'${value.name}'`).join(', ');
  if (declared !== undefined) {
    const found = values.find((value) => value.name === declared);
    if (found === undefined) {
      throw new StrategyError(
        `${source}: metadata ${key}='${declared}' names no graph ${role}; the model has ${names}`,
      );
    }
    return found;
  }
  if (values.length !== 1) {
    throw new StrategyError(
      `${source}: the model has ${values.length} ${role}s (${names}); name one in metadata ${key}`,
    );
  }
  return values[0]!;
}

function checkTensor(
  value: OrtValueMetadata,
  role: 'input' | 'output',
  width: number,
  why: string,
  source: string,
): void {
  const where = `${source}: model ${role} '${value.name}'`;
  if (!value.isTensor) throw new StrategyError(`${where} is not a tensor`);
  const allowed = role === 'input' ? ['float32'] : ['float32', 'float64'];
  if (value.type !== undefined && !allowed.includes(value.type)) {
    throw new StrategyError(`${where} has element type ${value.type}; the contract needs ${allowed.join(' or ')}`);
  }
  const shape = value.shape ?? [];
  // An empty shape means the model does not declare one; the run itself checks the result.
  if (shape.length === 0) return;
  if (shape.length !== 2) {
    throw new StrategyError(`${where} has shape [${shape.join(', ')}]; the contract needs [batch, ${width}]`);
  }
  const [batch, columns] = shape;
  if (typeof batch === 'number' && batch >= 0) {
    throw new StrategyError(
      `${where} has a fixed batch size of ${batch}; export it with a dynamic first axis (shape [batch, ${width}])`,
    );
  }
  if (typeof columns === 'number' && columns >= 0 && columns !== width) {
    throw new StrategyError(`${where} is ${columns} wide but the contract expects ${width}: ${why}`);
  }
}

class LoadedPolicy implements OnnxPolicy {
  readonly modelPath: string;
  readonly sha256: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly contract: ModelContract;
  readonly inputName: string;
  readonly outputName: string;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  private readonly session: OrtSession;
  private readonly ort: OrtModule;
  private readonly batchRows: number;
  /** Kept for the synchronous session a stepped model opens per run. */
  private readonly bytes: Uint8Array;
  private released = false;

  constructor(
    identity: { modelPath: string; sha256: string; metadata: Readonly<Record<string, string>>; bytes: Uint8Array },
    contract: ModelContract,
    names: { inputName: string; outputName: string },
    runtime: { session: OrtSession; ort: OrtModule; batchRows: number },
  ) {
    this.modelPath = identity.modelPath;
    this.sha256 = identity.sha256;
    this.metadata = identity.metadata;
    this.bytes = identity.bytes;
    this.contract = contract;
    this.inputName = names.inputName;
    this.outputName = names.outputName;
    this.inputs = runtime.session.inputMetadata.map(valueInfo);
    this.outputs = runtime.session.outputMetadata.map(valueInfo);
    this.session = runtime.session;
    this.ort = runtime.ort;
    this.batchRows = runtime.batchRows;
  }

  async evaluate(observations: Float32Array, rows: number): Promise<Float32Array> {
    if (this.released) throw new StrategyError(`${this.modelPath}: the policy was released`);
    const width = this.contract.featureCount;
    if (observations.length !== rows * width) {
      throw new StrategyError(
        `${this.modelPath}: ${observations.length} observation values for ${rows} rows of ${width} features`,
      );
    }
    let result: Record<string, OrtTensor>;
    try {
      const tensor = new this.ort.Tensor('float32', observations, [rows, width]);
      result = await this.session.run({ [this.inputName]: tensor }, [this.outputName]);
    } catch (error) {
      throw new StrategyError(`${this.modelPath}: inference failed: ${firstLine(error)}`, { cause: error });
    }
    const output = result[this.outputName]!;
    const expected = rows * this.contract.outputWidth;
    const data = output.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array) || data.length !== expected) {
      throw new StrategyError(
        `${this.modelPath}: output '${this.outputName}' came back as ${output.type} [${output.dims.join(', ')}]; ` +
          `the contract needs float32 [${rows}, ${this.contract.outputWidth}]`,
      );
    }
    return data instanceof Float32Array ? data : Float32Array.from(data);
  }

  async decide(bars: BarSeries): Promise<PolicyDecisions> {
    if (this.released) throw new StrategyError(`${this.modelPath}: the policy was released`);
    const contract = this.contract;
    const rows = new ObservationRows(contract.features, bars);
    if (contract.decisionMode === DecisionMode.Stepped) {
      const { createSyncSession } = await import('./sync-session.js');
      const session = await createSyncSession(this.bytes, {
        input: this.inputName,
        output: this.outputName,
        width: contract.featureCount,
        outputWidth: contract.outputWidth,
        source: this.modelPath,
      });
      return new SteppedDecisions(rows, bars, session, contract, this.modelPath, this.batchRows);
    }

    const length = bars.length;
    const positionAware = contract.decisionMode === DecisionMode.Position;
    const variants = positionAware ? POSITIONS : ([0] as const);
    // One block of action codes per position variant, laid out [-1 | 0 | 1] when the position is observed.
    const actions = new Int8Array(length * variants.length);
    const first = rows.firstRow;
    const width = contract.featureCount;
    const rowsMax = Math.min(this.batchRows, Math.max(0, length - first));
    const features = new Float32Array(rowsMax * width);
    const valid = new Uint8Array(rowsMax);
    let calls = 0;
    for (let variant = 0; variant < variants.length; variant++) {
      const account: AccountState = { ...FLAT_ACCOUNT, position: variants[variant]! };
      const base = variant * length;
      for (let start = first; start < length; start += rowsMax) {
        const count = Math.min(rowsMax, length - start);
        const view = features.subarray(0, count * width);
        for (let row = 0; row < count; row++) {
          valid[row] = rows.fill(start + row, account, view, row * width) ? 1 : 0;
        }
        // Awaited before the buffer is refilled, so one buffer serves every batch.
        const output = await this.evaluate(view, count);
        calls++;
        const outputWidth = contract.outputWidth;
        for (let row = 0; row < count; row++) {
          if (valid[row] === 0) continue;
          actions[base + start + row] = ACTION_CODE[actionFromOutput(contract, output, row * outputWidth)];
        }
      }
    }
    return new StoredDecisions(actions, length, positionAware, contract.allowShort, calls);
  }

  createStrategy(options: PolicyStrategyOptions = {}): Strategy {
    return new PreparedPolicyStrategy((bars) => this.decide(bars), this.modelPath, options);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

class StoredDecisions implements PolicyDecisions {
  readonly length: number;
  readonly positionAware: boolean;
  readonly stepped = false;
  readonly allowShort: boolean;
  readonly runtimeCalls: number;
  private readonly actions: Int8Array;

  constructor(actions: Int8Array, length: number, positionAware: boolean, allowShort: boolean, calls: number) {
    this.runtimeCalls = calls;
    this.actions = actions;
    this.length = length;
    this.positionAware = positionAware;
    this.allowShort = allowShort;
  }

  at(index: number, position: Direction): Direction | undefined {
    return decisionOfAction(this.action(index, position), this.allowShort);
  }

  actionFor(context: StrategyContext): PolicyAction {
    return this.action(context.index, context.position);
  }

  private action(index: number, position: Direction): PolicyAction {
    const slot = this.positionAware ? (position + 1) * this.length + index : index;
    return ACTIONS[this.actions[slot] ?? 0]!;
  }
}

/** Speculative batches start at this many rows and grow to at most {@link MAX_SPECULATION} while they are used up. */
const MIN_SPECULATION = 4;
const MAX_SPECULATION = 4096;

/**
 * Decisions of a model that observes the account's P&L or cash, made as the engine steps.
 *
 * Batching: the bar features were computed for the whole series up front; only the account is
 * unknown. At bar i the account is read from the engine's context, and the rows of bars
 * i, i+1, … are built assuming the position is still held then (cash and entry price unchanged,
 * the position's value following close) and evaluated in one synchronous call. At each later
 * bar the real row is built from the engine's account and compared with the speculated one,
 * value for value after float32 rounding; the speculated answer is used only when they are
 * identical, and any difference (a fill, a skipped order, rounding) starts a new batch from that
 * bar. So every decision is exactly the model's output for the real row, and the number of
 * runtime calls is about the number of position changes. The batch doubles each time it is
 * used up and shrinks to twice what was used when it is cut short.
 */
class SteppedDecisions implements PolicyDecisions {
  readonly length: number;
  readonly positionAware = true;
  readonly stepped = true;
  readonly allowShort: boolean;
  runtimeCalls = 0;
  private readonly rows: ObservationRows;
  private readonly close: Float64Array;
  private readonly session: SyncSession;
  private readonly contract: ModelContract;
  private readonly source: string;
  private readonly width: number;
  private readonly speculated: Float32Array;
  private readonly valid: Uint8Array;
  private readonly actions: Int8Array;
  private readonly actual: Float32Array;
  /** Bars `start .. start + count − 1` are speculated. */
  private start = 0;
  private count = 0;
  private readonly maxRows: number;
  private readonly minRows: number;
  private nextBatch: number;

  constructor(
    rows: ObservationRows,
    bars: BarSeries,
    session: SyncSession,
    contract: ModelContract,
    source: string,
    batchRows: number,
  ) {
    this.rows = rows;
    this.length = bars.length;
    this.close = bars.close;
    this.session = session;
    this.contract = contract;
    this.source = source;
    this.allowShort = contract.allowShort;
    this.width = rows.width;
    this.maxRows = Math.min(batchRows, MAX_SPECULATION);
    this.minRows = Math.min(MIN_SPECULATION, this.maxRows);
    this.nextBatch = this.minRows;
    this.speculated = new Float32Array(this.maxRows * this.width);
    this.valid = new Uint8Array(this.maxRows);
    this.actions = new Int8Array(this.maxRows);
    this.actual = new Float32Array(this.width);
    if (this.length <= rows.firstRow) session.release();
  }

  at(): Direction | undefined {
    throw new StrategyError(
      `${this.source}: this model observes the account's P&L or cash, so its decisions exist only as the engine steps (use actionFor)`,
    );
  }

  actionFor(context: StrategyContext): PolicyAction {
    const index = context.index;
    if (index < this.rows.firstRow) return PolicyAction.None;
    const account = this.account(context);
    const action = this.lookUp(index, account) ?? this.speculate(index, account);
    if (index === this.length - 1) this.session.release();
    return action;
  }

  private account(context: StrategyContext): AccountState {
    const { cash, entryPrice } = context;
    if (cash === undefined || entryPrice === undefined) {
      throw new StrategyError(
        `${this.source}: this model observes the account's P&L or cash, but the context gives no cash or entry price; run it through the engine (backtest run, runBacktest)`,
      );
    }
    return {
      position: context.position,
      equity: context.equity,
      cash,
      entryPrice,
      close: this.close[context.index]!,
    };
  }

  /** The speculated action for `index` when its row is exactly the real one; `undefined` otherwise. */
  private lookUp(index: number, account: AccountState): PolicyAction | undefined {
    const row = index - this.start;
    if (row < 0 || row >= this.count) {
      if (row === this.count) this.nextBatch = Math.min(this.maxRows, 2 * this.count);
      return undefined;
    }
    const width = this.width;
    const exists = this.rows.fill(index, account, this.actual, 0);
    let same = exists === (this.valid[row] === 1);
    for (let k = 0, at = row * width; same && k < width; k++, at++) same = this.actual[k] === this.speculated[at];
    if (same) return ACTIONS[this.actions[row]!]!;
    this.nextBatch = Math.min(this.maxRows, Math.max(this.minRows, 2 * row));
    return undefined;
  }

  private speculate(index: number, account: AccountState): PolicyAction {
    const count = Math.min(this.nextBatch, this.length - index);
    const width = this.width;
    const close = this.close;
    const held = account.equity - account.cash;
    let any = false;
    for (let row = 0; row < count; row++) {
      const bar = index + row;
      const assumed: AccountState =
        row === 0
          ? account
          : { ...account, close: close[bar]!, equity: account.cash + held * (close[bar]! / account.close) };
      const exists = this.rows.fill(bar, assumed, this.speculated, row * width);
      this.valid[row] = exists ? 1 : 0;
      any ||= exists;
    }
    const none = ACTION_CODE[PolicyAction.None];
    if (any) {
      const output = this.session.run(this.speculated.subarray(0, count * width), count);
      this.runtimeCalls++;
      const outputWidth = this.contract.outputWidth;
      for (let row = 0; row < count; row++) {
        this.actions[row] =
          this.valid[row] === 1 ? ACTION_CODE[actionFromOutput(this.contract, output, row * outputWidth)] : none;
      }
    } else {
      this.actions.fill(none, 0, count);
    }
    this.start = index;
    this.count = count;
    return ACTIONS[this.actions[0]!]!;
  }
}

/**
 * A strategy backed by decisions computed in `prepare`. Shared by {@link OnnxPolicy.createStrategy}
 * and the `onnx` strategy definition, which differ only in how they get the decisions.
 *
 * @example
 * const strategy = new PreparedPolicyStrategy((bars) => policy.decide(bars), policy.modelPath);
 */
export class PreparedPolicyStrategy implements Strategy {
  private decisions: PolicyDecisions | undefined;
  private readonly compute: (bars: BarSeries) => Promise<PolicyDecisions>;
  private readonly source: string;
  private readonly onAction: ((index: number, action: PolicyAction) => void) | undefined;
  private readonly onPrepared: ((decisions: PolicyDecisions) => void) | undefined;

  constructor(
    compute: (bars: BarSeries) => Promise<PolicyDecisions>,
    source: string,
    options: PolicyStrategyOptions = {},
  ) {
    this.compute = compute;
    this.source = source;
    this.onAction = options.onAction;
    this.onPrepared = options.onPrepared;
  }

  async prepare(bars: BarSeries): Promise<void> {
    this.decisions = await this.compute(bars);
    this.onPrepared?.(this.decisions);
  }

  onBar(context: StrategyContext): Direction | undefined {
    const decisions = this.decisions;
    if (decisions === undefined) {
      throw new StrategyError(`${this.source}: onBar was called before prepare(bars) finished`);
    }
    if (context.index >= decisions.length) {
      throw new StrategyError(
        `${this.source}: bar ${context.index} is beyond the ${decisions.length} bars given to prepare`,
      );
    }
    const action = decisions.actionFor(context);
    this.onAction?.(context.index, action);
    return decisionOfAction(action, decisions.allowShort);
  }
}
