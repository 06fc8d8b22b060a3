import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BarSeries } from '../../core/bars.js';
import { StrategyError } from '../../core/errors.js';
import type { Direction, Strategy, StrategyContext } from '../../core/strategy.js';
import {
  decisionFromOutput,
  fillObservations,
  type ModelContract,
  ModelMetadataKey,
  readModelContract,
  scaledReturns,
} from './model-contract.js';
import { assertNotExportableModel } from './non-onnx-model.js';
import { onnxProto } from './onnx-proto.js';

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
  /** Observation rows per inference call; default 8192. */
  readonly batchRows?: number;
  /**
   * ONNX Runtime intra-op threads; default 1. Policies this small run faster on one thread
   * (measured: 100k rows of a 16→64→64→3 network in ~75 ms on 1 thread, ~150 ms on 2), and
   * it leaves other cores to parallel backtests.
   */
  readonly threads?: number;
}

/**
 * A policy's decisions for every bar of one series, computed in bulk.
 *
 * @example
 * const next = decisions.at(bar, position); // undefined = keep the position
 */
export interface PolicyDecisions {
  /** Number of bars decided. */
  readonly length: number;
  /** Whether the decision depends on the position held (the model observes it). */
  readonly positionAware: boolean;
  /** The decision after bar `index` closes while holding `position`; `undefined` keeps it. */
  at(index: number, position: Direction): Direction | undefined;
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
  /**
   * Runs the model on `rows` observation rows (row-major, `contract.featureCount` each) and
   * returns the output rows (`contract.outputWidth` each). One call, no batching.
   */
  evaluate(observations: Float32Array, rows: number): Promise<Float32Array>;
  /** Decides every bar of `bars`; bar i's decisions use bars 0..i only. */
  decide(bars: BarSeries): Promise<PolicyDecisions>;
  /**
   * A {@link Strategy} whose `prepare` runs {@link OnnxPolicy.decide} and whose `onBar`
   * looks the decision up. The strategy does not release the policy.
   */
  createStrategy(): Strategy;
  /** Frees the runtime session; the policy cannot evaluate afterwards. */
  release(): Promise<void>;
}

const DEFAULT_BATCH_ROWS = 8192;
/** Stored for "no decision": keep the position. Real decisions are −1, 0 and 1. */
const KEEP = 2;
const POSITIONS: readonly Direction[] = [-1, 0, 1];

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
  return new LoadedPolicy({ modelPath, sha256, metadata }, contract, names, { session, ort, batchRows });
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
  const features = `${contract.window} returns (${ModelMetadataKey.Window}=${contract.window})${
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
  private readonly session: OrtSession;
  private readonly ort: OrtModule;
  private readonly batchRows: number;
  private released = false;

  constructor(
    identity: { modelPath: string; sha256: string; metadata: Readonly<Record<string, string>> },
    contract: ModelContract,
    names: { inputName: string; outputName: string },
    runtime: { session: OrtSession; ort: OrtModule; batchRows: number },
  ) {
    this.modelPath = identity.modelPath;
    this.sha256 = identity.sha256;
    this.metadata = identity.metadata;
    this.contract = contract;
    this.inputName = names.inputName;
    this.outputName = names.outputName;
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
    const length = bars.length;
    const variants = contract.positionInput ? POSITIONS : ([0] as const);
    // One Int8Array per position variant, laid out [-1 | 0 | 1] when the position is observed.
    const decisions = new Int8Array(length * variants.length).fill(KEEP);
    const returns = scaledReturns(bars.close, contract.scale);
    const first = contract.window;
    const rowsMax = Math.min(this.batchRows, Math.max(0, length - first));
    const features = new Float32Array(rowsMax * contract.featureCount);
    const valid = new Uint8Array(rowsMax);
    for (let variant = 0; variant < variants.length; variant++) {
      const position = variants[variant]!;
      const base = variant * length;
      for (let start = first; start < length; start += rowsMax) {
        const rows = Math.min(rowsMax, length - start);
        const view = features.subarray(0, rows * contract.featureCount);
        fillObservations(returns, contract, start, rows, position, view, valid);
        // Awaited before the buffer is refilled, so one buffer serves every batch.
        const output = await this.evaluate(view, rows);
        const width = contract.outputWidth;
        for (let row = 0; row < rows; row++) {
          if (valid[row] === 0) continue;
          const decision = decisionFromOutput(contract, output, row * width);
          if (decision !== undefined) decisions[base + start + row] = decision;
        }
      }
    }
    return new StoredDecisions(decisions, length, contract.positionInput);
  }

  createStrategy(): Strategy {
    return new PreparedPolicyStrategy((bars) => this.decide(bars), this.modelPath);
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
  private readonly decisions: Int8Array;

  constructor(decisions: Int8Array, length: number, positionAware: boolean) {
    this.decisions = decisions;
    this.length = length;
    this.positionAware = positionAware;
  }

  at(index: number, position: Direction): Direction | undefined {
    const slot = this.positionAware ? (position + 1) * this.length + index : index;
    const value = this.decisions[slot];
    return value === undefined || value === KEEP ? undefined : (value as Direction);
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

  constructor(compute: (bars: BarSeries) => Promise<PolicyDecisions>, source: string) {
    this.compute = compute;
    this.source = source;
  }

  async prepare(bars: BarSeries): Promise<void> {
    this.decisions = await this.compute(bars);
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
    return decisions.at(context.index, context.position);
  }
}
