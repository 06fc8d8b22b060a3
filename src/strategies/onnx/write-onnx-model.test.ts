import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadOnnxPolicy } from './load-onnx-policy.js';
import { onnxProto } from './onnx-proto.js';
import { type OnnxModelSpec, writeOnnxModel } from './write-onnx-model.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-writer-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the model, runs it on `rows` with real ONNX Runtime, returns the flat output. */
async function run(name: string, spec: OnnxModelSpec, rows: number[][]): Promise<number[]> {
  const path = join(dir, name);
  await writeFile(path, writeOnnxModel(spec));
  const policy = await loadOnnxPolicy(path);
  try {
    return Array.from(await policy.evaluate(Float32Array.from(rows.flat()), rows.length));
  } finally {
    await policy.release();
  }
}

const twoLayer: OnnxModelSpec = {
  inputSize: 2,
  output: 'discrete',
  layers: [
    {
      weights: [
        [1, 0],
        [0, 1],
        [0.5, 0.5],
        [1, 1],
      ],
      bias: [0, 0, 0, 0],
    },
    {
      weights: [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 1, 1],
      ],
      bias: [0.1, 0.2, 0.3],
    },
  ],
  metadata: { 'backtest.window': '2' },
};

describe('writeOnnxModel', () => {
  it('builds Gemm → Relu → Gemm → Softmax that ONNX Runtime evaluates to hand-computed numbers', async () => {
    const output = await run('two-layer.onnx', twoLayer, [
      [1, 2],
      [-1, 0],
    ]);
    // Row (1, 2): hidden = relu(1, 2, 1.5, 3); logits = (1 + 0.1, 2 + 0.2, 1.5 + 3 + 0.3) = (1.1, 2.2, 4.8);
    // exp = (3.004166, 9.025013, 121.510418), sum 133.539597 → (0.022496, 0.067583, 0.909921).
    // Row (−1, 0): hidden = relu(−1, 0, −0.5, −1) = 0; logits = (0.1, 0.2, 0.3);
    // exp = (1.105171, 1.221403, 1.349859), sum 3.676433 → (0.300610, 0.332225, 0.367165).
    const expected = [0.022496, 0.067583, 0.909921, 0.30061, 0.332225, 0.367165];
    output.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 5));
  });

  it('builds Gemm → Tanh for target output', async () => {
    const spec: OnnxModelSpec = {
      inputSize: 2,
      output: 'target',
      layers: [{ weights: [[0.5, -0.25]], bias: [0.1] }],
      metadata: { 'backtest.window': '2', 'backtest.output': 'target' },
    };
    // (1, 2): 0.5 − 0.5 + 0.1 = 0.1 → tanh 0.099668; (4, 0): 2 + 0.1 = 2.1 → tanh 0.970452.
    const output = await run('tanh.onnx', spec, [
      [1, 2],
      [4, 0],
    ]);
    expect(output[0]).toBeCloseTo(0.099668, 5);
    expect(output[1]).toBeCloseTo(0.970452, 5);
  });

  it('writes the declared graph: IR 8, opset 13, named input and output, metadata', () => {
    const bytes = writeOnnxModel({ ...twoLayer, inputName: 'observation', outputName: 'action_probs' });
    const model = onnxProto
      .lookupType('onnx.ModelProto')
      .toObject(onnxProto.lookupType('onnx.ModelProto').decode(bytes), {
        longs: Number,
      }) as {
      ir_version: number;
      opset_import: { version: number }[];
      metadata_props: { key: string; value: string }[];
      graph: { node: { op_type: string }[]; input: { name: string }[]; output: { name: string }[] };
    };
    expect(model.ir_version).toBe(8);
    expect(model.opset_import.map((o) => o.version)).toEqual([13]);
    expect(model.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'Relu', 'Gemm', 'Softmax']);
    expect(model.graph.input.map((v) => v.name)).toEqual(['observation']);
    expect(model.graph.output.map((v) => v.name)).toEqual(['action_probs']);
    expect(model.metadata_props).toEqual([{ key: 'backtest.window', value: '2' }]);
  });

  it('is deterministic and does not depend on metadata key order', () => {
    const a = writeOnnxModel({ ...twoLayer, metadata: { b: '2', a: '1' } });
    const b = writeOnnxModel({ ...twoLayer, metadata: { a: '1', b: '2' } });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // A plain Uint8Array that owns its memory, not a view into a shared pool.
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(a.length);
  });

  it('keeps small policies small: a 16→32→3 network is under 3 KB', () => {
    // 16·32 + 32 + 32·3 + 3 = 643 floats = 2572 bytes of weights, plus the graph.
    const layers = [
      { weights: Array.from({ length: 32 }, () => Array<number>(16).fill(0.1)), bias: Array<number>(32).fill(0) },
      { weights: Array.from({ length: 3 }, () => Array<number>(32).fill(0.1)), bias: [0, 0, 0] },
    ];
    const size = writeOnnxModel({ inputSize: 16, output: 'discrete', layers }).length;
    expect(size).toBeGreaterThan(2572);
    expect(size).toBeLessThan(3072);
  });

  it.each([
    [{ ...twoLayer, inputSize: 3 }, 'layer 0 weight row 0 has 2 entries, expected 3'],
    [{ ...twoLayer, inputSize: 0 }, 'inputSize must be a whole number ≥ 1'],
    [{ ...twoLayer, layers: [] }, 'at least one layer is needed'],
    [{ ...twoLayer, layers: [{ weights: [[1, 1]], bias: [0, 0] }] }, 'layer 0 has 1 weight rows but 2 biases'],
    [{ ...twoLayer, layers: [{ weights: [[1, Number.NaN]], bias: [0] }] }, 'not a finite number'],
  ])('rejects an inconsistent spec (%#)', (spec, message) => {
    expect(() => writeOnnxModel(spec)).toThrow(ConfigError);
    expect(() => writeOnnxModel(spec)).toThrow(message);
  });
});
