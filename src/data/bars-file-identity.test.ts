import { describe, expect, it } from 'vitest';
import { barsFileIdentity } from './bars-file-identity.js';

describe('barsFileIdentity', () => {
  it.each([
    ['data/GOOGL_1Hour.csv', { symbol: 'GOOGL', timeframe: '1Hour' }],
    ['GOOGL_30Min.csv', { symbol: 'GOOGL', timeframe: '30Min' }],
    ['spy_1d.csv', { symbol: 'SPY', timeframe: '1Day' }],
    ['btc-usd_1h.csv', { symbol: 'BTC-USD', timeframe: '1Hour' }],
    ['BRK.B_1Day.csv', { symbol: 'BRK.B', timeframe: '1Day' }],
    ['my_prices_1Week.csv', { symbol: 'MY_PRICES', timeframe: '1Week' }],
    ['data/GOOG.csv', { symbol: 'GOOG' }],
    ['data/goog', { symbol: 'GOOG' }],
    ['EURUSD_2017.csv', { symbol: 'EURUSD_2017' }],
    ['AAPL_2Day.csv', { symbol: 'AAPL_2DAY' }],
    ['_1Hour.csv', { symbol: '_1HOUR' }],
  ])('reads %s', (path, identity) => {
    expect(barsFileIdentity(path)).toEqual(identity);
  });
});
