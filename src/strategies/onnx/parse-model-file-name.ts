import { basename } from 'node:path';
import { isTimeframe, type Timeframe } from '../../core/timeframe.js';

const MODEL_FILE_NAME = /^([A-Za-z0-9.-]+)_([A-Za-z0-9]+)\.onnx$/;

/**
 * Reads the symbol and timeframe from a policy file named `SYMBOL_TIMEFRAME.onnx`, the layout
 * of `models/rl_symbols/`. The timeframe must be spelled as Alpaca spells it (`1Min`, `5Min`,
 * `15Min`, `1Hour`, `4Hour`, `1Day`, `1Week`, `1Month`); the symbol may hold letters, digits, dots and
 * dashes. Folders in `path` are ignored; the symbol keeps its case.
 *
 * @returns `undefined` when the name does not follow the pattern
 *
 * @example
 * parseModelFileName('models/rl_symbols/BRK.B_1Day.onnx'); // { symbol: 'BRK.B', timeframe: '1Day' }
 * parseModelFileName('GOOGL_1h.onnx'); // undefined: not an Alpaca timeframe
 */
export function parseModelFileName(path: string): { symbol: string; timeframe: Timeframe } | undefined {
  const match = MODEL_FILE_NAME.exec(basename(path));
  if (match === null) return undefined;
  const symbol = match[1]!;
  const timeframe = match[2]!;
  // A symbol of only dots would make `..`-style names look valid.
  if (!/[A-Za-z0-9]/.test(symbol) || !isTimeframe(timeframe)) return undefined;
  return { symbol, timeframe };
}
