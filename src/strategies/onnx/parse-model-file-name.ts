import { basename } from 'node:path';
import { canonicalTimeframe, type Timeframe } from '../../core/timeframe.js';

const MODEL_FILE_NAME = /^([A-Za-z0-9.-]+)_([A-Za-z0-9]+)\.onnx$/;

/**
 * Reads the symbol and timeframe from a policy file named `SYMBOL_TIMEFRAME.onnx`, the layout
 * of `models/rl_symbols/`. The timeframe is any spelling `--timeframe` accepts (`30Min`, `1Hour`,
 * or an alias such as `1h`), returned as Alpaca spells it; the symbol may hold letters, digits,
 * dots and dashes. Folders in `path` are ignored; the symbol keeps its case.
 *
 * @returns `undefined` when the name does not follow the pattern
 *
 * @example
 * parseModelFileName('models/rl_symbols/BRK.B_1Day.onnx'); // { symbol: 'BRK.B', timeframe: '1Day' }
 * parseModelFileName('GOOGL_1h.onnx'); // { symbol: 'GOOGL', timeframe: '1Hour' }
 * parseModelFileName('GOOGL_2Day.onnx'); // undefined: not a timeframe Alpaca has
 */
export function parseModelFileName(path: string): { symbol: string; timeframe: Timeframe } | undefined {
  const match = MODEL_FILE_NAME.exec(basename(path));
  if (match === null) return undefined;
  const symbol = match[1]!;
  const timeframe = canonicalTimeframe(match[2]!);
  // A symbol of only dots would make `..`-style names look valid.
  if (!/[A-Za-z0-9]/.test(symbol) || timeframe === undefined) return undefined;
  return { symbol, timeframe };
}
