import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from './csv/parse-bars-csv.js';
import { inferTimeframe } from './infer-timeframe.js';

const load = (url: URL) => parseBarsCsv(readFileSync(url, 'utf8'), url.pathname, { symbol: 'X', timeframe: '1Day' });

describe('inferTimeframe', () => {
  it('reads trading-day data as 1Day despite weekend gaps', () => {
    expect(inferTimeframe(load(new URL('../../data/bars/GOOG.csv', import.meta.url)))).toBe('1Day');
  });

  it('reads hourly forex as 1Hour', () => {
    expect(inferTimeframe(load(new URL('../../data/bars/EURUSD.csv', import.meta.url)))).toBe('1Hour');
  });

  it('reads month-end bars as 1Month', () => {
    expect(inferTimeframe(load(new URL('./fixtures/BTCUSD.csv', import.meta.url)))).toBe('1Month');
  });

  it('gives up on irregular spacing and on a single bar', () => {
    expect(inferTimeframe({ timeMs: Float64Array.of(0, 7_000, 14_000) })).toBeUndefined();
    expect(inferTimeframe({ timeMs: Float64Array.of(0) })).toBeUndefined();
  });
});
