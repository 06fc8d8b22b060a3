import { extname } from 'node:path';
import { StrategyError } from '../../core/errors.js';

/** Where a user reads how to export a policy to ONNX (the file ships in the package). */
export const MODEL_CONTRACT_PATH = 'src/strategies/onnx/MODEL-CONTRACT.md';

/**
 * Model files that are not ONNX but that users commonly have next to their policies, and what
 * each one is; lowercase extension with its dot. Such a file can be exported to ONNX.
 */
const EXPORTABLE_FORMATS: Readonly<Record<string, string>> = {
  '.pt': 'a PyTorch model',
  '.pth': 'a PyTorch model',
  '.zip': 'a .zip archive (how stable-baselines3 saves a model)',
};

/**
 * What a model file is when its extension says it is a training format that must be exported
 * to ONNX first (`.pt`, `.pth`, `.zip`); `undefined` for any other file.
 *
 * @example
 * describeExportableModel('models/GOOG_1Day.pt'); // 'a PyTorch model'
 * describeExportableModel('models/GOOG_1Day.onnx'); // undefined
 */
export function describeExportableModel(path: string): string | undefined {
  return EXPORTABLE_FORMATS[extname(path).toLowerCase()];
}

/**
 * Refuses a model file in a training format (`.pt`, `.pth`, `.zip`) before anything reads it,
 * with a hint to export it to ONNX. Other files pass; whether they really are ONNX is checked
 * when they load.
 *
 * @throws StrategyError (exit 4) naming the file and {@link MODEL_CONTRACT_PATH}
 *
 * @example
 * assertNotExportableModel('models/GOOG_1Day.pt'); // throws: ... export it to ONNX ...
 */
export function assertNotExportableModel(path: string): void {
  const kind = describeExportableModel(path);
  if (kind === undefined) return;
  throw new StrategyError(
    `${path} is ${kind}, not an ONNX model: export it to ONNX and pass the .onnx file (how: ${MODEL_CONTRACT_PATH}, "Exporting a policy")`,
  );
}
