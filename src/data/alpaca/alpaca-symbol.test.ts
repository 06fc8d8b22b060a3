import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { parseAlpacaSymbol, parseAlpacaSymbols } from './alpaca-symbol.js';

describe('parseAlpacaSymbol', () => {
  it('spells crypto pairs as Alpaca does, whichever way they are typed', () => {
    for (const text of ['BTC/USD', 'btc/usd', 'BTCUSD', 'BTC-USD', ' btc-usd ']) {
      expect(parseAlpacaSymbol(text)).toEqual({ symbol: 'BTC/USD', assetClass: 'crypto' });
    }
    expect(parseAlpacaSymbol('ETHUSDT').symbol).toBe('ETH/USDT');
    expect(parseAlpacaSymbol('SOL-USDC').symbol).toBe('SOL/USDC');
    expect(parseAlpacaSymbol('ETHBTC').symbol).toBe('ETH/BTC');
    expect(parseAlpacaSymbol('DOGE/EUR').symbol).toBe('DOGE/EUR');
  });

  it('keeps stock tickers as they are, upper case', () => {
    expect(parseAlpacaSymbol('aapl')).toEqual({ symbol: 'AAPL', assetClass: 'stock' });
    expect(parseAlpacaSymbol('BRK.B')).toEqual({ symbol: 'BRK.B', assetClass: 'stock' });
    // Five letters ending in a quote currency are still a ticker.
    expect(parseAlpacaSymbol('XUSD').assetClass).toBe('stock');
    // A dash before something that is not a quote currency is not a pair.
    expect(() => parseAlpacaSymbol('BRK-B')).toThrow(UsageError);
  });

  it('refuses what cannot be a symbol, naming it', () => {
    for (const text of ['', 'AA PL', '$AAPL', 'A/B/C', 'TOOLONGTICKER1']) {
      expect(() => parseAlpacaSymbol(text)).toThrow(UsageError);
    }
    expect(() => parseAlpacaSymbol('AA PL')).toThrow('"AA PL" is not a symbol Alpaca has');
  });
});

describe('parseAlpacaSymbols', () => {
  it('splits a comma list, keeping each symbol once in the order given', () => {
    expect(parseAlpacaSymbols('msft, AAPL,BTCUSD,btc/usd,aapl').map((s) => s.symbol)).toEqual([
      'MSFT',
      'AAPL',
      'BTC/USD',
    ]);
  });

  it('refuses a list without symbols', () => {
    expect(() => parseAlpacaSymbols(' , ')).toThrow('--symbol names no symbol');
  });
});
