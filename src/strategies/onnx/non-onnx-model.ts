import { basename, dirname, extname, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StrategyError } from '../../core/errors.js';
import { parseModelFileName } from './parse-model-file-name.js';

/** Where a user reads how to export a policy to ONNX (the file ships in the package). */
export const MODEL_CONTRACT_PATH = 'src/strategies/onnx/MODEL-CONTRACT.md';

/**
 * The exporter shipped with the project, as a path from the package root: it turns a PyTorch or
 * Stable-Baselines3 policy into an ONNX model that follows the contract.
 */
export const EXPORTER_PATH = 'scripts/export_policy.py';

/**
 * The command that exports `modelPath` with the shipped exporter: the exporter's path as seen
 * from `cwd` (absolute when it lies outside), and an output named like the input with `.onnx`
 * when that name is `SYMBOL_TIMEFRAME`, else `SYMBOL_TIMEFRAME.onnx` for the user to fill in.
 *
 * @example
 * exportCommand('models/GOOG_1Day.zip', '/repo'); // 'python3 scripts/export_policy.py models/GOOG_1Day.zip --out models/GOOG_1Day.onnx'
 */
export function exportCommand(modelPath: string, cwd: string = process.cwd()): string {
  // src/strategies/onnx/ and dist/strategies/onnx/ both sit three folders below the package root.
  const exporter = join(fileURLToPath(new URL('../../../', import.meta.url)), EXPORTER_PATH);
  const fromCwd = relative(cwd, exporter);
  const shown = fromCwd.startsWith('..') || isAbsolute(fromCwd) ? exporter : fromCwd;
  // The exporter takes symbol and timeframe from the output name, so only a name that has them is reused.
  const named = `${basename(modelPath, extname(modelPath))}.onnx`;
  const out = join(dirname(modelPath), parseModelFileName(named) === undefined ? 'SYMBOL_TIMEFRAME.onnx' : named);
  return `python3 ${quote(shown)} ${quote(modelPath)} --out ${quote(out)}`;
}

function quote(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

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
 * @throws StrategyError (exit 4) naming the file, the exporter command that converts it and
 *   {@link MODEL_CONTRACT_PATH}
 *
 * @example
 * assertNotExportableModel('models/GOOG_1Day.pt'); // throws: ... export it to ONNX with the exporter, `python3 scripts/export_policy.py models/GOOG_1Day.pt --out models/GOOG_1Day.onnx` ...
 */
export function assertNotExportableModel(path: string): void {
  const kind = describeExportableModel(path);
  if (kind === undefined) return;
  throw new StrategyError(
    `${path} is ${kind}, not an ONNX model: export it to ONNX with the exporter, \`${exportCommand(path)}\` (add --window or --features, see ${MODEL_CONTRACT_PATH}), and pass the .onnx file`,
  );
}
