/**
 * A synchronous ONNX Runtime session, for models whose observation holds the account's P&L or
 * cash: those rows are known only as the engine steps, and `Strategy.onBar` is synchronous.
 *
 * onnxruntime-node's public `InferenceSession.run` is a promise around a native `run` that is
 * itself synchronous (the promise only defers it with `setImmediate`). This module calls that
 * native session directly, through the package's `dist/binding.js`. It is not part of the
 * package's documented API, so the shape is checked on load and a missing piece is one clear
 * error rather than a crash; only stepped models ever load this module.
 */
import { StrategyError } from '../../core/errors.js';

interface NativeTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, unknown>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, NativeTensor | undefined>;
  dispose(): void;
}
interface BindingModule {
  readonly binding: { readonly InferenceSession: new () => NativeSession };
  readonly initOrt: () => void;
}
interface TensorModule {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

/**
 * Runs one model synchronously on row-major float32 rows.
 *
 * @example
 * const session = await createSyncSession(bytes, { input: 'obs', output: 'probs', width: 16, outputWidth: 3, source });
 * const out = session.run(rows, 4); // 4 × 3 values
 * session.release();
 */
export interface SyncSession {
  /** Evaluates `rows` rows of `width` values; returns `rows × outputWidth` values. */
  run(observations: Float32Array, rows: number): Float32Array;
  /** Frees the native session; later runs throw. Safe to call twice. */
  release(): void;
}

/** What {@link createSyncSession} needs to know about the model. */
export interface SyncSessionSpec {
  readonly input: string;
  readonly output: string;
  readonly width: number;
  readonly outputWidth: number;
  /** The model file, at the start of error messages. */
  readonly source: string;
}

/**
 * Loads `bytes` into a native ONNX Runtime session that runs synchronously (see the module
 * comment). One intra-op thread, like the batched session.
 *
 * @throws StrategyError when the runtime cannot be loaded, lacks the synchronous session, or
 *   rejects the model
 */
export async function createSyncSession(bytes: Uint8Array, spec: SyncSessionSpec): Promise<SyncSession> {
  let native: NativeSession;
  let tensors: TensorModule;
  try {
    const ort = (await import('onnxruntime-node')) as unknown as TensorModule & { default?: TensorModule };
    tensors = ort.default ?? ort;
    const imported = (await import('onnxruntime-node/dist/binding.js')) as unknown as BindingModule & {
      default?: BindingModule;
    };
    const binding = imported.default ?? imported;
    if (typeof binding.initOrt !== 'function' || typeof binding.binding?.InferenceSession !== 'function') {
      throw new Error('its native binding has no InferenceSession');
    }
    binding.initOrt();
    native = new binding.binding.InferenceSession();
    if (typeof native.run !== 'function' || typeof native.loadModel !== 'function') {
      throw new Error('its native session has no synchronous run');
    }
  } catch (error) {
    throw new StrategyError(
      `${spec.source}: this model observes the account (P&L or cash), which needs ONNX Runtime's synchronous session; ` +
        `onnxruntime-node could not provide it: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    native.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
      logSeverityLevel: 3,
      graphOptimizationLevel: 'all',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
  } catch (error) {
    throw new StrategyError(`${spec.source}: ONNX Runtime cannot load the model: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let released = false;
  const fetches = { [spec.output]: null };
  return {
    run(observations: Float32Array, rows: number): Float32Array {
      if (released) throw new StrategyError(`${spec.source}: the policy's session was released`);
      let result: Record<string, NativeTensor | undefined>;
      try {
        const tensor = new tensors.Tensor('float32', observations, [rows, spec.width]);
        result = native.run({ [spec.input]: tensor }, fetches, {});
      } catch (error) {
        throw new StrategyError(`${spec.source}: inference failed: ${(error as Error).message}`, { cause: error });
      }
      const data = result[spec.output]?.data;
      if (!(data instanceof Float32Array || data instanceof Float64Array) || data.length !== rows * spec.outputWidth) {
        throw new StrategyError(
          `${spec.source}: output '${spec.output}' did not come back as ${rows} rows of ${spec.outputWidth} numbers`,
        );
      }
      return data instanceof Float32Array ? data : Float32Array.from(data);
    },
    release(): void {
      if (released) return;
      released = true;
      native.dispose();
    },
  };
}
