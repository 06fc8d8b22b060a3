import { describe, expect, it } from 'vitest';
import { parseModelFileName } from './parse-model-file-name.js';

describe('parseModelFileName', () => {
  it.each([
    ['models/rl_symbols/GOOGL_1Hour.onnx', 'GOOGL', '1Hour'],
    ['BRK.B_1Day.onnx', 'BRK.B', '1Day'],
    ['/abs/path/EURUSD_15Min.onnx', 'EURUSD', '15Min'],
    ['BTC-USD_4Hour.onnx', 'BTC-USD', '4Hour'],
    ['spy_1Week.onnx', 'spy', '1Week'],
    ['X1_1Min.onnx', 'X1', '1Min'],
    ['AAPL_5Min.onnx', 'AAPL', '5Min'],
    ['GOOGL_30Min.onnx', 'GOOGL', '30Min'],
    ['GOOGL_1h.onnx', 'GOOGL', '1Hour'],
    ['GOOGL_60Min.onnx', 'GOOGL', '1Hour'],
    ['ETH-USD_1d.onnx', 'ETH-USD', '1Day'],
  ])('%s → %s, %s', (path, symbol, timeframe) => {
    expect(parseModelFileName(path)).toEqual({ symbol, timeframe });
  });

  it('reads only the file name: folders, even symbol-like ones, are ignored', () => {
    expect(parseModelFileName('BTC/USD_1Day.onnx')).toEqual({ symbol: 'USD', timeframe: '1Day' });
  });

  it.each([
    ['GOOGL_2Day.onnx', 'not a timeframe Alpaca has'],
    ['GOOGL_90Min.onnx', 'minutes that make no whole hour count are out of range'],
    ['GOOGL_1Hour.onx', 'wrong extension'],
    ['GOOGL_1Hour.onnx.bak', 'extra suffix'],
    ['GOOGL.onnx', 'no timeframe'],
    ['_1Day.onnx', 'empty symbol'],
    ['.._1Day.onnx', 'symbol of dots only'],
    ['BRK_B_1Day.onnx', 'underscore in the symbol'],
    ['GOOGL_1Hour.ONNX', 'the extension is lower case'],
    ['GOOG 1Day.onnx', 'space instead of underscore'],
    ['', 'empty path'],
  ])('%s → undefined (%s)', (path) => {
    expect(parseModelFileName(path)).toBeUndefined();
  });
});
