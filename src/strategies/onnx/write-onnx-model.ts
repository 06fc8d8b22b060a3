import { ConfigError } from '../../core/errors.js';
import { AttributeType, ONNX_FLOAT, onnxProto } from './onnx-proto.js';

/** One fully connected layer: `y = x · weightsᵀ + bias`, weights laid out `[out][in]` as in PyTorch. */
export interface DenseLayer {
  /** `weights[o][i]` multiplies input `i` into output `o`. */
  readonly weights: readonly (readonly number[])[];
  /** One bias per output. */
  readonly bias: readonly number[];
}

/** Everything {@link writeOnnxModel} needs to build a small policy network. */
export interface OnnxModelSpec {
  /** Features per row, `F`: the width of the `[batch, F]` input. */
  readonly inputSize: number;
  /**
   * Dense layers applied in order, with a ReLU between consecutive layers. The last layer's
   * width is the output width: 3 for `discrete`, 1 for `target` (not enforced here, so that
   * tests can write models that break the contract on purpose).
   */
  readonly layers: readonly DenseLayer[];
  /** Final activation: `discrete` ends in Softmax over axis 1, `target` in Tanh. */
  readonly output: 'discrete' | 'target';
  /** Key/value pairs stored in `ModelProto.metadata_props`, written as given (no defaults added). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Graph input name; default `obs`. */
  readonly inputName?: string;
  /** Graph output name; default `probs` (discrete) or `target` (target). */
  readonly outputName?: string;
  /** `ModelProto.producer_name`; default `backtest-ledger`. */
  readonly producerName?: string;
}

/** IR version 8 (ONNX 1.10+) with opset 13 covers Gemm, Relu, Softmax(axis) and Tanh as used here. */
const IR_VERSION = 8;
const OPSET_VERSION = 13;

/**
 * Encodes a small dense policy network as ONNX model bytes, in this project's own code.
 * The graph is `Gemm → Relu → … → Gemm → Softmax|Tanh` with a symbolic batch dimension;
 * weights are float32 initializers. The bytes are deterministic for a given spec.
 *
 * @throws ConfigError when layer shapes do not chain or a number is not finite
 *
 * @example
 * const bytes = writeOnnxModel({
 *   inputSize: 2, output: 'target',
 *   layers: [{ weights: [[1, -1]], bias: [0] }],
 *   metadata: { 'backtest.output': 'target', 'backtest.window': '2' },
 * });
 */
export function writeOnnxModel(spec: OnnxModelSpec): Uint8Array {
  const inputName = spec.inputName ?? 'obs';
  const outputName = spec.outputName ?? (spec.output === 'discrete' ? 'probs' : 'target');
  checkSpec(spec);

  const nodes: object[] = [];
  const initializers: object[] = [];
  let current = inputName;
  let width = spec.inputSize;
  spec.layers.forEach((layer, index) => {
    const outWidth = layer.bias.length;
    const weightName = `layer${index}.weight`;
    const biasName = `layer${index}.bias`;
    initializers.push(floatTensor(weightName, [outWidth, width], layer.weights.flat()));
    initializers.push(floatTensor(biasName, [outWidth], layer.bias));
    const linear = `layer${index}.linear`;
    nodes.push({
      input: [current, weightName, biasName],
      output: [linear],
      name: `layer${index}.gemm`,
      op_type: 'Gemm',
      attribute: [{ name: 'transB', type: AttributeType.Int, i: 1 }],
    });
    current = linear;
    if (index < spec.layers.length - 1) {
      const activated = `layer${index}.relu`;
      nodes.push({ input: [current], output: [activated], name: activated, op_type: 'Relu' });
      current = activated;
    }
    width = outWidth;
  });
  nodes.push(
    spec.output === 'discrete'
      ? {
          input: [current],
          output: [outputName],
          name: 'softmax',
          op_type: 'Softmax',
          attribute: [{ name: 'axis', type: AttributeType.Int, i: 1 }],
        }
      : { input: [current], output: [outputName], name: 'tanh', op_type: 'Tanh' },
  );

  const model = {
    ir_version: IR_VERSION,
    producer_name: spec.producerName ?? 'backtest-ledger',
    opset_import: [{ domain: '', version: OPSET_VERSION }],
    graph: {
      name: 'policy',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(inputName, spec.inputSize)],
      output: [valueInfo(outputName, width)],
    },
    // Sorted so that the bytes do not depend on the order the caller built the object in.
    metadata_props: Object.entries(spec.metadata ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value })),
  };
  const type = onnxProto.lookupType('onnx.ModelProto');
  // On Node, protobufjs hands out a Buffer view into a shared pool; a plain copy keeps callers
  // from sharing memory (Buffer#slice, unlike Uint8Array#slice, does not copy).
  return new Uint8Array(type.encode(type.fromObject(model)).finish());
}

function checkSpec(spec: OnnxModelSpec): void {
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 1) {
    throw new ConfigError(`ONNX model spec: inputSize must be a whole number ≥ 1, not ${spec.inputSize}`);
  }
  if (spec.layers.length === 0) throw new ConfigError('ONNX model spec: at least one layer is needed');
  let width = spec.inputSize;
  spec.layers.forEach((layer, index) => {
    if (layer.bias.length === 0) throw new ConfigError(`ONNX model spec: layer ${index} has no outputs`);
    if (layer.weights.length !== layer.bias.length) {
      throw new ConfigError(
        `ONNX model spec: layer ${index} has ${layer.weights.length} weight rows but ${layer.bias.length} biases`,
      );
    }
    layer.weights.forEach((row, o) => {
      if (row.length !== width) {
        throw new ConfigError(
          `ONNX model spec: layer ${index} weight row ${o} has ${row.length} entries, expected ${width}`,
        );
      }
    });
    if (![...layer.weights.flat(), ...layer.bias].every(Number.isFinite)) {
      throw new ConfigError(`ONNX model spec: layer ${index} has a weight or bias that is not a finite number`);
    }
    width = layer.bias.length;
  });
}

function floatTensor(name: string, dims: readonly number[], values: readonly number[]): object {
  // raw_data must be little-endian whatever the host is; DataView makes that explicit.
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return { name, dims, data_type: ONNX_FLOAT, raw_data: bytes };
}

function valueInfo(name: string, width: number): object {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: ONNX_FLOAT,
        shape: { dim: [{ dim_param: 'batch' }, { dim_value: width }] },
      },
    },
  };
}
