import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceBars } from '../../core/bars.js';
import { StrategyError } from '../../core/errors.js';
import type { Direction } from '../../core/strategy.js';
import { loadOnnxPolicy, type PolicyDecisions } from './load-onnx-policy.js';
import {
  barsFromCloses,
  createRandom,
  expectedDecisions,
  forwardPass,
  randomLayers,
  randomWalk,
} from './onnx-test-support.js';
import { type OnnxModelSpec, writeOnnxModel } from './write-onnx-model.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-policy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeModel(name: string, spec: OnnxModelSpec): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, writeOnnxModel(spec));
  return path;
}

/** Loads, decides, releases. */
async function decide(path: string, closes: readonly number[], batchRows?: number): Promise<PolicyDecisions> {
  const policy = await loadOnnxPolicy(path, batchRows === undefined ? {} : { batchRows });
  try {
    return await policy.decide(barsFromCloses(closes));
  } finally {
    await policy.release();
  }
}

/**
 * Compares adapter decisions with the plain TS reading of the contract. Bars whose deciding
 * value is within 1e-4 of a tie or threshold are float32-vs-float64 coin flips and skipped;
 * the count of compared bars is returned so the caller can check the comparison was real.
 */
function compare(
  decisions: PolicyDecisions,
  expected: ReturnType<typeof expectedDecisions>,
  position: Direction,
): number {
  let compared = 0;
  expected.forEach((want, i) => {
    if (want.margin < 1e-4) return;
    expect(decisions.at(i, position), `bar ${i}, position ${position}`).toBe(want.decision);
    compared++;
  });
  return compared;
}

describe('loadOnnxPolicy: inference matches a TypeScript forward pass', () => {
  it('discrete output with a hidden ReLU layer, default window 16 and scale 100', async () => {
    const spec: OnnxModelSpec = { inputSize: 16, output: 'discrete', layers: randomLayers([16, 8, 3], 1) };
    const path = await writeModel('discrete.onnx', spec);
    const closes = randomWalk(600, 11);
    const decisions = await decide(path, closes);
    const expected = expectedDecisions(spec, closes, { window: 16, scale: 100, allowShort: false, threshold: 0.5 });
    expect(decisions.positionAware).toBe(false);
    expect(decisions.length).toBe(600);
    expect(compare(decisions, expected, 0)).toBeGreaterThan(550);
    // Without the position in the observation, the decision ignores the position held.
    for (let i = 0; i < 600; i++) expect(decisions.at(i, 1)).toBe(decisions.at(i, 0));
    // All three actions occur, so the check above exercised hold, buy and sell.
    const seen = new Set(expected.slice(16).map((e) => e.decision));
    expect(seen).toEqual(new Set([undefined, 1, 0]));
  });

  it('raw outputs equal the forward pass to float32 precision', async () => {
    const spec: OnnxModelSpec = { inputSize: 4, output: 'discrete', layers: randomLayers([4, 5, 3], 2) };
    const policy = await loadOnnxPolicy(
      await writeModel('raw.onnx', { ...spec, metadata: { 'backtest.window': '4' } }),
    );
    try {
      const random = createRandom(3);
      const rows = 50;
      const observations = Float32Array.from({ length: rows * 4 }, () => random() * 4 - 2);
      const output = await policy.evaluate(observations, rows);
      expect(output.length).toBe(rows * 3);
      for (let r = 0; r < rows; r++) {
        const want = forwardPass(spec, observations.subarray(r * 4, r * 4 + 4));
        for (let c = 0; c < 3; c++) expect(output[r * 3 + c]).toBeCloseTo(want[c]!, 5);
      }
    } finally {
      await policy.release();
    }
  });

  it('target output with the position observed and short allowed: one decision per position', async () => {
    const spec: OnnxModelSpec = {
      inputSize: 9,
      output: 'target',
      layers: randomLayers([9, 6, 1], 4),
      metadata: {
        'backtest.window': '8',
        'backtest.scale': '50',
        'backtest.position': 'true',
        'backtest.output': 'target',
        'backtest.allow_short': 'true',
        'backtest.threshold': '0.2',
      },
    };
    const path = await writeModel('target.onnx', spec);
    const closes = randomWalk(500, 5);
    const decisions = await decide(path, closes);
    expect(decisions.positionAware).toBe(true);
    const differing = new Set<number>();
    const outcomes = new Set<Direction | undefined>();
    for (const position of [-1, 0, 1] as const) {
      const expected = expectedDecisions(spec, closes, {
        window: 8,
        scale: 50,
        position,
        allowShort: true,
        threshold: 0.2,
      });
      expect(compare(decisions, expected, position)).toBeGreaterThan(450);
      for (const e of expected.slice(8)) outcomes.add(e.decision);
      for (let i = 8; i < 500; i++) if (decisions.at(i, position) !== decisions.at(i, 0)) differing.add(i);
    }
    // Long, flat and short all occur, and the position feature changes some decisions, so the
    // comparison above covered every branch and every variant really differs.
    expect(outcomes).toEqual(new Set([-1, 0, 1]));
    expect(differing.size).toBeGreaterThan(0);
  });

  it('target output without short: a low target goes flat', async () => {
    // tanh(−2 · r₀): with window 1 and r₀ = +1 % → tanh(−2) ≈ −0.964 < −0.5 → flat (0), not short.
    const spec: OnnxModelSpec = {
      inputSize: 1,
      output: 'target',
      layers: [{ weights: [[-2]], bias: [0] }],
      metadata: { 'backtest.window': '1', 'backtest.output': 'target' },
    };
    const decisions = await decide(await writeModel('no-short.onnx', spec), [100, 101, 99.99, 100]);
    // bar 1: r = +1 % → −0.964 → flat; bar 2: r = −1 % → +0.964 → long;
    // bar 3: r = 100/99.99 − 1 = +0.0100 % → tanh(−0.0200) ≈ −0.02 → inside ±0.5 → flat.
    expect([0, 1, 2, 3].map((i) => decisions.at(i, 0))).toEqual([undefined, 0, 1, 0]);
  });

  it('metadata defaults: no metadata means window 16, scale 100, discrete, no position, no short', async () => {
    // One layer: logits = (0, 10·r₀, −10·r₀) on the newest return only.
    const weights = [
      Array<number>(16).fill(0),
      [10, ...Array<number>(15).fill(0)],
      [-10, ...Array<number>(15).fill(0)],
    ];
    const policy = await loadOnnxPolicy(
      await writeModel('defaults.onnx', { inputSize: 16, output: 'discrete', layers: [{ weights, bias: [0, 0, 0] }] }),
    );
    try {
      expect(policy.contract).toMatchObject({
        window: 16,
        scale: 100,
        positionInput: false,
        output: 'discrete',
        allowShort: false,
        threshold: 0.5,
        featureCount: 16,
      });
      expect(policy.metadata).toEqual({});
      expect(policy.inputName).toBe('obs');
      expect(policy.outputName).toBe('probs');
      // 17 rising closes, then a fall: bars 0..15 have fewer than 16 returns → keep.
      const closes = [...Array.from({ length: 17 }, (_, i) => 100 + i), 110];
      const decisions = await policy.decide(barsFromCloses(closes));
      for (let i = 0; i < 16; i++) expect(decisions.at(i, 0)).toBeUndefined();
      // bar 16: r₀ = 116/115 − 1 > 0 → buy → long; bar 17: r₀ < 0 → sell → flat (no short by default).
      expect(decisions.at(16, 0)).toBe(1);
      expect(decisions.at(17, 0)).toBe(0);
    } finally {
      await policy.release();
    }
  });

  it('batching does not change decisions (batches of 7 rows vs one batch)', async () => {
    const spec: OnnxModelSpec = {
      inputSize: 6,
      output: 'target',
      layers: randomLayers([6, 1], 8),
      metadata: { 'backtest.window': '5', 'backtest.position': 'true', 'backtest.output': 'target' },
    };
    const path = await writeModel('batching.onnx', spec);
    const closes = randomWalk(103, 9);
    const small = await decide(path, closes, 7);
    const large = await decide(path, closes);
    for (const position of [-1, 0, 1] as const) {
      for (let i = 0; i < closes.length; i++) expect(small.at(i, position)).toBe(large.at(i, position));
    }
  });

  it('a close of 0 gives no observation while the infinite return is in the window', async () => {
    // tanh(r₀) with window 2: the return into bar 3 is 5/0 − 1 = ∞ and stays in the window for bars 3 and 4.
    const spec: OnnxModelSpec = {
      inputSize: 2,
      output: 'target',
      layers: [{ weights: [[1, 1]], bias: [0] }],
      metadata: { 'backtest.window': '2', 'backtest.output': 'target', 'backtest.scale': '1' },
    };
    const decisions = await decide(await writeModel('zero-close.onnx', spec), [1, 2, 4, 0, 5, 10, 20]);
    // bar 2: r = (1, 1) → tanh(2) ≈ 0.96 → long. bar 3: (−1, 1) → tanh(0) → flat.
    // bars 4 (5/0 = ∞) and 5 (∞ still in the window) → keep. bar 6: (1, 1) → long.
    expect([2, 3, 4, 5, 6].map((i) => decisions.at(i, 0))).toEqual([1, 0, undefined, undefined, 1]);
  });

  it('a series shorter than the window decides nothing', async () => {
    const path = await writeModel('short-series.onnx', {
      inputSize: 16,
      output: 'discrete',
      layers: randomLayers([16, 3], 10),
    });
    const decisions = await decide(path, [100, 101, 102]);
    expect([0, 1, 2].map((i) => decisions.at(i, 0))).toEqual([undefined, undefined, undefined]);
  });

  it('reports the SHA-256 of the file bytes', async () => {
    const path = await writeModel('hash.onnx', {
      inputSize: 16,
      output: 'discrete',
      layers: randomLayers([16, 3], 12),
    });
    const policy = await loadOnnxPolicy(path);
    await policy.release();
    expect(policy.sha256).toBe(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
    expect(policy.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('loadOnnxPolicy: no look-ahead', () => {
  it('decisions on truncated series equal those on the full series over the common prefix', async () => {
    const spec: OnnxModelSpec = {
      inputSize: 11,
      output: 'target',
      layers: randomLayers([11, 4, 1], 13),
      metadata: {
        'backtest.window': '10',
        'backtest.position': 'true',
        'backtest.output': 'target',
        'backtest.allow_short': 'true',
        'backtest.threshold': '0.1',
      },
    };
    const policy = await loadOnnxPolicy(await writeModel('causal.onnx', spec), { batchRows: 64 });
    try {
      const bars = barsFromCloses(randomWalk(400, 14));
      const full = await policy.decide(bars);
      for (const end of [0, 5, 10, 11, 63, 64, 65, 200, 399]) {
        const truncated = await policy.decide(sliceBars(bars, 0, end));
        expect(truncated.length).toBe(end);
        for (const position of [-1, 0, 1] as const) {
          for (let i = 0; i < end; i++)
            expect(truncated.at(i, position), `end ${end} bar ${i}`).toBe(full.at(i, position));
        }
      }
    } finally {
      await policy.release();
    }
  });
});

describe('loadOnnxPolicy: errors name the file', () => {
  async function loadError(path: string): Promise<StrategyError> {
    const error = await loadOnnxPolicy(path).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StrategyError);
    const strategyError = error as StrategyError;
    expect(strategyError.message.startsWith(path)).toBe(true);
    expect(strategyError.message).not.toContain('\n');
    expect(strategyError.exitCode).toBe(4);
    return strategyError;
  }

  it('input width differs from the contract: model takes 10 features, defaults say 16', async () => {
    const path = await writeModel('ten.onnx', { inputSize: 10, output: 'discrete', layers: randomLayers([10, 3], 15) });
    const error = await loadError(path);
    expect(error.message).toContain("model input 'obs' is 10 wide but the contract expects 16");
    expect(error.message).toContain('backtest.window=16');
  });

  it('input width misses the position feature', async () => {
    const path = await writeModel('no-position-column.onnx', {
      inputSize: 8,
      output: 'target',
      layers: randomLayers([8, 1], 16),
      metadata: { 'backtest.window': '8', 'backtest.position': 'true', 'backtest.output': 'target' },
    });
    expect((await loadError(path)).message).toContain('is 8 wide but the contract expects 9');
  });

  it('discrete output not 3 wide', async () => {
    const path = await writeModel('two-actions.onnx', {
      inputSize: 16,
      output: 'discrete',
      layers: randomLayers([16, 2], 17),
    });
    expect((await loadError(path)).message).toContain("model output 'probs' is 2 wide but the contract expects 3");
  });

  it('target model without metadata is read as discrete and rejected', async () => {
    const path = await writeModel('undeclared-target.onnx', {
      inputSize: 16,
      output: 'target',
      layers: randomLayers([16, 1], 18),
    });
    expect((await loadError(path)).message).toContain("model output 'target' is 1 wide but the contract expects 3");
  });

  it('declared input name that the graph does not have', async () => {
    const path = await writeModel('wrong-name.onnx', {
      inputSize: 16,
      output: 'discrete',
      layers: randomLayers([16, 3], 19),
      metadata: { 'backtest.input_name': 'observation' },
    });
    expect((await loadError(path)).message).toContain("backtest.input_name='observation' names no graph input");
  });

  it('invalid metadata value', async () => {
    const path = await writeModel('bad-window.onnx', {
      inputSize: 16,
      output: 'discrete',
      layers: randomLayers([16, 3], 20),
      metadata: { 'backtest.window': 'sixteen' },
    });
    expect((await loadError(path)).message).toContain('backtest.window="sixteen" is invalid');
  });

  it('corrupt file: a valid model cut in half', async () => {
    const bytes = writeOnnxModel({ inputSize: 16, output: 'discrete', layers: randomLayers([16, 8, 3], 21) });
    const path = join(dir, 'truncated.onnx');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await loadError(path)).message).toContain('not a valid ONNX model');
  });

  it('corrupt file: a few bytes flipped in the graph are caught by ONNX Runtime or the checks', async () => {
    const bytes = writeOnnxModel({ inputSize: 16, output: 'discrete', layers: randomLayers([16, 3], 22) });
    const damaged = bytes.slice();
    // Overwrite the start of the model (ir_version and the graph's tag) with 0xff bytes.
    damaged.fill(0xff, 0, 6);
    const path = join(dir, 'damaged.onnx');
    await writeFile(path, damaged);
    await loadError(path);
  });

  it('not an ONNX file: a CSV', async () => {
    const path = join(dir, 'bars.onnx');
    await writeFile(path, ',Open,High,Low,Close,Volume\n2004-08-19,100,104.06,95.96,100.34,22351900\n');
    expect((await loadError(path)).message).toContain('not a valid ONNX model');
  });

  it('empty file', async () => {
    const path = join(dir, 'empty.onnx');
    await writeFile(path, new Uint8Array(0));
    expect((await loadError(path)).message).toContain('not a valid ONNX model');
  });

  it('missing file', async () => {
    const path = join(dir, 'nowhere', 'GOOG_1Day.onnx');
    expect((await loadError(path)).message).toBe(`${path}: model file not found`);
  });

  it('a folder instead of a file', async () => {
    expect((await loadError(dir)).message).toBe(`${dir}: is a folder, not a model file`);
  });
});

describe('loadOnnxPolicy: speed', () => {
  it('decides 100,000 bars (window 16, no position) in well under a second', async () => {
    const spec: OnnxModelSpec = { inputSize: 16, output: 'discrete', layers: randomLayers([16, 32, 3], 23) };
    const policy = await loadOnnxPolicy(await writeModel('speed.onnx', spec));
    try {
      const bars = barsFromCloses(randomWalk(100_000, 24));
      await policy.decide(sliceBars(bars, 0, 1000)); // warm-up: first run allocates the runtime's buffers
      const started = performance.now();
      const decisions = await policy.decide(bars);
      const elapsedMs = performance.now() - started;
      expect(decisions.length).toBe(100_000);
      // Typically ~100 ms on one core; the bound leaves room for a loaded CI machine.
      expect(elapsedMs).toBeLessThan(1000);
    } finally {
      await policy.release();
    }
  });
});
