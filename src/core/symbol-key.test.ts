import { describe, expect, it } from 'vitest';
import { symbolKey } from './symbol-key.js';

describe('symbolKey', () => {
  it('matches a pair written with a slash, a dash or nothing, in any case', () => {
    for (const spelling of ['BTC/USD', 'btc/usd', 'BTC-USD', 'BTCUSD', ' btcusd ']) {
      expect(symbolKey(spelling)).toBe('BTCUSD');
    }
  });

  it('keeps the share-class dot, so BRK.B and BRKB stay apart', () => {
    expect(symbolKey('brk.b')).toBe('BRK.B');
    expect(symbolKey('BRKB')).not.toBe(symbolKey('BRK.B'));
  });
});
