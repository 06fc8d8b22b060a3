/**
 * A policy model that never finishes: a valid ONNX graph, accepted by the model contract, whose
 * observations pass through a `Loop` of 2^62 iterations before the output layer. ONNX Runtime
 * spins inside native code, so only stopping its process ends it: the real hang `run --all
 * --run-timeout` exists for.
 */
import protobuf from 'protobufjs/light.js';
import { ModelMetadataKey } from '../src/strategies/onnx/model-contract.js';
import { onnxProto } from '../src/strategies/onnx/onnx-proto.js';

const FLOAT = 1;
const INT64 = 7;
const BOOL = 9;
const ATTRIBUTE_GRAPH = 5;
const ATTRIBUTE_INT = 2;
const WINDOW = 4;

/** onnxProto plus `AttributeProto.g`, the subgraph field a `Loop` body needs. */
function protoWithSubgraphs(): protobuf.Root {
  const json = onnxProto.toJSON();
  const onnx = json.nested?.onnx as { nested: Record<string, { fields: Record<string, unknown> }> } | undefined;
  const attribute = onnx?.nested.AttributeProto;
  if (attribute === undefined) throw new Error('onnxProto has no AttributeProto');
  attribute.fields.g = { type: 'GraphProto', id: 6 };
  return protobuf.Root.fromJSON(json);
}

function tensorInfo(name: string, elemType: number, dims?: readonly (number | string)[]): object {
  const shape =
    dims === undefined
      ? {}
      : { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } };
  return { name, type: { tensor_type: { elem_type: elemType, ...shape } } };
}

/**
 * The bytes of a `target` policy over `WINDOW` returns that hangs on its first inference.
 *
 * @example
 * writeFileSync('models/GOOG_1Day.onnx', writeEndlessOnnxModel());
 */
export function writeEndlessOnnxModel(): Uint8Array {
  const tripCount = new Uint8Array(8);
  new DataView(tripCount.buffer).setBigInt64(0, 1n << 62n, true);
  const weights = new Uint8Array(WINDOW * 4);
  for (let i = 0; i < WINDOW; i++) new DataView(weights.buffer).setFloat32(i * 4, 1, true);
  const body = {
    name: 'spin',
    node: [
      { input: ['cond_in'], output: ['cond_out'], name: 'keep_going', op_type: 'Identity' },
      { input: ['carried_in'], output: ['carried_out'], name: 'carry', op_type: 'Identity' },
    ],
    input: [tensorInfo('iteration', INT64, []), tensorInfo('cond_in', BOOL, []), tensorInfo('carried_in', FLOAT)],
    output: [tensorInfo('cond_out', BOOL, []), tensorInfo('carried_out', FLOAT)],
  };
  const model = {
    ir_version: 8,
    producer_name: 'backtest-ledger tests',
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'endless',
      node: [
        {
          input: ['trips', 'always', 'obs'],
          output: ['spun'],
          name: 'loop',
          op_type: 'Loop',
          attribute: [{ name: 'body', type: ATTRIBUTE_GRAPH, g: body }],
        },
        {
          input: ['spun', 'weight', 'bias'],
          output: ['linear'],
          name: 'gemm',
          op_type: 'Gemm',
          attribute: [{ name: 'transB', type: ATTRIBUTE_INT, i: 1 }],
        },
        { input: ['linear'], output: ['target'], name: 'tanh', op_type: 'Tanh' },
      ],
      initializer: [
        { name: 'trips', dims: [], data_type: INT64, raw_data: tripCount },
        { name: 'always', dims: [], data_type: BOOL, raw_data: new Uint8Array([1]) },
        { name: 'weight', dims: [1, WINDOW], data_type: FLOAT, raw_data: weights },
        { name: 'bias', dims: [1], data_type: FLOAT, raw_data: new Uint8Array(4) },
      ],
      input: [tensorInfo('obs', FLOAT, ['batch', WINDOW])],
      output: [tensorInfo('target', FLOAT, ['batch', 1])],
    },
    metadata_props: [
      { key: ModelMetadataKey.Output, value: 'target' },
      { key: ModelMetadataKey.Window, value: String(WINDOW) },
    ],
  };
  const type = protoWithSubgraphs().lookupType('onnx.ModelProto');
  return new Uint8Array(type.encode(type.fromObject(model)).finish());
}
