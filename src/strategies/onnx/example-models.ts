import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelMetadataKey } from './model-contract.js';
import { type OnnxModelSpec, writeOnnxModel } from './write-onnx-model.js';

const MOMENTUM_WINDOW = 16;
/** 16 + 15 + … + 1: makes the momentum weights sum to 1, so `s` is a weighted mean return. */
const MOMENTUM_WEIGHT_SUM = (MOMENTUM_WINDOW * (MOMENTUM_WINDOW + 1)) / 2;
const REVERSION_WINDOW = 8;

/**
 * Momentum on daily bars. `s` = weighted mean of the last 16 returns in percent, the newest
 * weighted 16/136 and the oldest 1/136. Hidden layer: relu(s), relu(−s). Logits: hold 0.2,
 * buy 4·relu(s), sell 4·relu(−s); so buy when s > 0.05 %, sell (go flat) when s < −0.05 %,
 * hold in between.
 */
const momentumSpec: OnnxModelSpec = {
  inputSize: MOMENTUM_WINDOW,
  output: 'discrete',
  layers: [
    {
      weights: [1, -1].map((sign) =>
        Array.from({ length: MOMENTUM_WINDOW }, (_, k) => (sign * (MOMENTUM_WINDOW - k)) / MOMENTUM_WEIGHT_SUM),
      ),
      bias: [0, 0],
    },
    {
      weights: [
        [0, 0],
        [4, 0],
        [0, 4],
      ],
      bias: [0.2, 0, 0],
    },
  ],
  metadata: {
    [ModelMetadataKey.Window]: String(MOMENTUM_WINDOW),
    [ModelMetadataKey.Scale]: '100',
    [ModelMetadataKey.Output]: 'discrete',
    description: 'Example momentum policy: buy when the weighted mean of the last 16 daily returns is above 0.05 %',
  },
};

/**
 * Mean reversion on hourly bars, short allowed. `z = −4 · (sum of the last 8 returns in
 * percent) + 0.6 · position`, output tanh(z), threshold 0.5. The position term is hysteresis:
 * with no move, a long stays long (tanh 0.6 ≈ 0.537 > 0.5) and a flat stays flat.
 */
const reversionSpec: OnnxModelSpec = {
  inputSize: REVERSION_WINDOW + 1,
  output: 'target',
  layers: [{ weights: [[...Array<number>(REVERSION_WINDOW).fill(-4), 0.6]], bias: [0] }],
  metadata: {
    [ModelMetadataKey.Window]: String(REVERSION_WINDOW),
    [ModelMetadataKey.Scale]: '100',
    [ModelMetadataKey.Position]: 'true',
    [ModelMetadataKey.Output]: 'target',
    [ModelMetadataKey.AllowShort]: 'true',
    [ModelMetadataKey.Threshold]: '0.5',
    description: 'Example mean-reversion policy: fades the last 8 hourly returns, long or short',
  },
};

/**
 * The example policies by file name, as written by {@link writeExampleModels}.
 *
 * @example
 * writeOnnxModel(EXAMPLE_MODEL_SPECS['GOOG_1Day.onnx']!);
 */
export const EXAMPLE_MODEL_SPECS: Readonly<Record<string, OnnxModelSpec>> = {
  'GOOG_1Day.onnx': momentumSpec,
  'EURUSD_1Hour.onnx': reversionSpec,
};

/**
 * Writes the example policies into `dir` (created if needed), overwriting files of the same
 * name; the bytes are the same on every run.
 *
 * @returns the paths written
 *
 * @example
 * await writeExampleModels('models/rl_symbols'); // [.../GOOG_1Day.onnx, .../EURUSD_1Hour.onnx]
 */
export async function writeExampleModels(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [fileName, spec] of Object.entries(EXAMPLE_MODEL_SPECS)) {
    const path = join(dir, fileName);
    await writeFile(path, writeOnnxModel(spec));
    written.push(path);
  }
  return written;
}
