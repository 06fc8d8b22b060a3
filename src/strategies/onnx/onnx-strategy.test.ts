import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../core/bars.js';
import { ConfigError, StrategyError } from '../../core/errors.js';
import type { Direction, Strategy, StrategyContext } from '../../core/strategy.js';
import { loadOnnxPolicy } from './load-onnx-policy.js';
import { barsFromCloses, randomLayers, randomWalk } from './onnx-test-support.js';
import { createOnnxStrategy, onnxStrategy } from './onnx-strategy.js';
import { writeOnnxModel } from './write-onnx-model.js';

let dir: string;
let modelPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-strategy-'));
  modelPath = join(dir, 'TEST_1Hour.onnx');
  await writeFile(
    modelPath,
    writeOnnxModel({
      inputSize: 7,
      output: 'target',
      layers: randomLayers([7, 5, 1], 41),
      metadata: {
        'backtest.window': '6',
        'backtest.position': 'true',
        'backtest.output': 'target',
        'backtest.allow_short': 'true',
        'backtest.threshold': '0.1',
      },
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A minimal stand-in for the engine's loop: one reused context, the position changes as soon
 * as a decision is made. Returns the decision of every bar.
 */
async function replay(strategy: Strategy, bars: BarSeries): Promise<(Direction | undefined)[]> {
  await strategy.prepare?.(bars);
  const context = { index: 0, bars, position: 0 as Direction, equity: 10_000 };
  const out: (Direction | undefined)[] = [];
  for (let i = 0; i < bars.length; i++) {
    context.index = i;
    const decision = strategy.onBar(context as StrategyContext);
    out.push(decision);
    if (decision !== undefined) context.position = decision;
  }
  return out;
}

describe('onnx strategy definition', () => {
  it('is named onnx with one string parameter, model', () => {
    expect(onnxStrategy.name).toBe('onnx');
    expect(onnxStrategy.params.map((p) => [p.name, p.type])).toEqual([['model', 'string']]);
    expect(onnxStrategy.check?.({ model: '' })).toBe('model is required: the path to an .onnx policy file');
    expect(onnxStrategy.check?.({ model: modelPath })).toBeUndefined();
    expect(() => onnxStrategy.create({})).toThrow(ConfigError);
  });

  it('decides like the policy itself, picking the variant for the position held', async () => {
    const bars = barsFromCloses(randomWalk(300, 42));
    const strategy = onnxStrategy.create({ model: modelPath });
    const decided = await replay(strategy, bars);

    const policy = await loadOnnxPolicy(modelPath);
    const decisions = await policy.decide(bars);
    await policy.release();
    let position: Direction = 0;
    const expected = decided.map((_, i) => {
      const decision = decisions.at(i, position);
      if (decision !== undefined) position = decision;
      return decision;
    });
    expect(decided).toEqual(expected);
    // The run went long, flat and short, so the position variants were all used.
    expect(new Set(decided.filter((d) => d !== undefined))).toEqual(new Set([-1, 0, 1]));
  });

  it('records the model identity once prepared', async () => {
    const strategy = createOnnxStrategy(modelPath);
    expect(strategy.model).toBeUndefined();
    await strategy.prepare(barsFromCloses(randomWalk(20, 43)));
    expect(strategy.model).toEqual({
      path: modelPath,
      sha256: createHash('sha256')
        .update(await readFile(modelPath))
        .digest('hex'),
    });
  });

  it('create does not touch the file; prepare reports a missing model as a StrategyError', async () => {
    const missing = join(dir, 'missing_1Day.onnx');
    const strategy = onnxStrategy.create({ model: missing });
    await expect(strategy.prepare?.(barsFromCloses([1, 2, 3]))).rejects.toThrow(
      new StrategyError(`${missing}: model file not found`),
    );
  });

  it('onBar before prepare, or past the prepared bars, is a StrategyError', async () => {
    const strategy = createOnnxStrategy(modelPath);
    const bars = barsFromCloses(randomWalk(10, 44));
    const context: StrategyContext = { index: 0, bars, position: 0, equity: 1 };
    expect(() => strategy.onBar(context)).toThrow('onBar was called before prepare(bars) finished');
    await strategy.prepare(bars);
    expect(() => strategy.onBar({ ...context, index: 10 })).toThrow('bar 10 is beyond the 10 bars given to prepare');
  });

  it('a policy can serve several strategies and stays usable until released', async () => {
    const policy = await loadOnnxPolicy(modelPath);
    const bars = barsFromCloses(randomWalk(100, 45));
    const first = await replay(policy.createStrategy(), bars);
    const second = await replay(policy.createStrategy(), bars);
    expect(second).toEqual(first);
    await policy.release();
    await expect(policy.decide(bars)).rejects.toThrow('the policy was released');
  });
});
