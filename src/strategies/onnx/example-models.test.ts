import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODEL_SPECS, writeExampleModels } from './example-models.js';
import { loadOnnxPolicy, type OnnxPolicy } from './load-onnx-policy.js';
import { barsFromCloses, expectedDecisions, randomWalk } from './onnx-test-support.js';
import { parseModelFileName } from './parse-model-file-name.js';

let dir: string;
let written: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-examples-'));
  written = await writeExampleModels(join(dir, 'rl_symbols'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withPolicy<T>(fileName: string, use: (policy: OnnxPolicy) => Promise<T>): Promise<T> {
  const policy = await loadOnnxPolicy(join(dir, 'rl_symbols', fileName));
  try {
    return await use(policy);
  } finally {
    await policy.release();
  }
}

describe('writeExampleModels', () => {
  it('writes GOOG_1Day.onnx and EURUSD_1Hour.onnx with parseable names, a few hundred bytes each', async () => {
    expect(written.map((path) => basename(path))).toEqual(['GOOG_1Day.onnx', 'EURUSD_1Hour.onnx']);
    expect(written.map((path) => parseModelFileName(path))).toEqual([
      { symbol: 'GOOG', timeframe: '1Day' },
      { symbol: 'EURUSD', timeframe: '1Hour' },
    ]);
    for (const path of written) {
      const size = (await readFile(path)).length;
      expect(size).toBeGreaterThan(200);
      expect(size).toBeLessThan(4096);
    }
  });

  it('matches the committed models in models/rl_symbols (re-run scripts/make-example-models.ts if not)', async () => {
    const committed = fileURLToPath(new URL('../../../models/rl_symbols/', import.meta.url));
    for (const path of written) {
      const fresh = await readFile(path);
      expect(fresh.equals(await readFile(join(committed, basename(path)))), basename(path)).toBe(true);
    }
  });

  it('GOOG_1Day: momentum, buys after steady gains and goes flat after steady losses', async () => {
    await withPolicy('GOOG_1Day.onnx', async (policy) => {
      expect(policy.contract).toMatchObject({
        window: 16,
        output: 'discrete',
        positionInput: false,
        allowShort: false,
      });
      // 17 closes rising 1 % a bar, then 17 falling 1 % a bar.
      const closes = [100];
      for (let i = 1; i <= 16; i++) closes.push(closes[i - 1]! * 1.01);
      for (let i = 17; i <= 33; i++) closes.push(closes[i - 1]! * 0.99);
      const decisions = await policy.decide(barsFromCloses(closes));
      // bar 16: all 16 returns +1 % → s = 1 (weights sum to 1) → logits (0.2, 4, 0) → buy.
      expect(decisions.at(16, 0)).toBe(1);
      // bar 33: all 16 returns −1 % → s = −1 → logits (0.2, 0, 4) → sell → flat.
      expect(decisions.at(33, 0)).toBe(0);
      // bar 24: returns k = 0..7 are −1 %, k = 8..15 are +1 %; newest weigh more:
      // s = (−(16+…+9) + (8+…+1)) / 136 = (−100 + 36) / 136 = −0.47 → sell → flat.
      expect(decisions.at(24, 0)).toBe(0);
    });
  });

  it('GOOG_1Day: holds when the weighted mean return is within ±0.05 %', async () => {
    await withPolicy('GOOG_1Day.onnx', async (policy) => {
      // Flat prices: s = 0 → logits (0.2, 0, 0) → hold.
      const decisions = await policy.decide(barsFromCloses(Array<number>(20).fill(100)));
      for (let i = 16; i < 20; i++) expect(decisions.at(i, 0)).toBeUndefined();
    });
  });

  it('EURUSD_1Hour: mean reversion with hysteresis on the position, short allowed', async () => {
    await withPolicy('EURUSD_1Hour.onnx', async (policy) => {
      expect(policy.contract).toMatchObject({
        window: 8,
        output: 'target',
        positionInput: true,
        allowShort: true,
        threshold: 0.5,
      });
      // 9 closes up 0.1 % a bar, then 8 flat ones.
      const closes = [1];
      for (let i = 1; i <= 8; i++) closes.push(closes[i - 1]! * 1.001);
      for (let i = 9; i <= 16; i++) closes.push(closes[8]!);
      const decisions = await policy.decide(barsFromCloses(closes));
      // bar 8: sum of returns 0.8 % → z = −3.2 + 0.6·position ≤ −2.6 → tanh < −0.98 → short whatever the position.
      expect([-1, 0, 1].map((p) => decisions.at(8, p as -1 | 0 | 1))).toEqual([-1, -1, -1]);
      // bar 16: no move in the window → z = 0.6·position: long stays long (tanh 0.6 = 0.537 > 0.5),
      // flat stays flat (0), short stays short (−0.537).
      expect([-1, 0, 1].map((p) => decisions.at(16, p as -1 | 0 | 1))).toEqual([-1, 0, 1]);
    });
  });

  it('example decisions agree with the TypeScript forward pass on a random walk', async () => {
    const closes = randomWalk(300, 31, 0.3);
    await withPolicy('EURUSD_1Hour.onnx', async (policy) => {
      const decisions = await policy.decide(barsFromCloses(closes));
      const spec = EXAMPLE_MODEL_SPECS['EURUSD_1Hour.onnx']!;
      for (const position of [-1, 0, 1] as const) {
        const expected = expectedDecisions(spec, closes, {
          window: 8,
          scale: 100,
          position,
          allowShort: true,
          threshold: 0.5,
        });
        expected.forEach((want, i) => {
          if (want.margin >= 1e-4) expect(decisions.at(i, position)).toBe(want.decision);
        });
      }
    });
  });
});
