import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trade } from '../core/result.js';
import { decodeTrades, encodeTrades, TRADE_BYTES } from './trade-codec.js';

const trade = (overrides: Partial<Trade> = {}): Trade => ({
  side: 'long',
  quantity: 10,
  entryIndex: 3,
  exitIndex: 9,
  entryTimeMs: 1_600_000_000_000,
  exitTimeMs: 1_600_500_000_000,
  entryPrice: 101.25,
  exitPrice: 99.5,
  pnl: -19.5,
  returnPct: -1.925925925925926,
  costs: 2,
  ...overrides,
});

describe('trade codec', () => {
  it('stores 73 bytes per trade plus a 5-byte header', () => {
    expect(TRADE_BYTES).toBe(73);
    expect(encodeTrades([]).length).toBe(5);
    expect(encodeTrades([trade(), trade({ side: 'short' })]).length).toBe(5 + 2 * 73);
  });

  it('round-trips every field bit for bit', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    const arbitraryTrade = fc.record({
      side: fc.constantFrom<Trade['side']>('long', 'short'),
      quantity: finite,
      entryIndex: fc.nat({ max: 2 ** 32 - 1 }),
      exitIndex: fc.nat({ max: 2 ** 32 - 1 }),
      entryTimeMs: finite,
      exitTimeMs: finite,
      entryPrice: finite,
      exitPrice: finite,
      pnl: finite,
      returnPct: finite,
      costs: finite,
    });
    fc.assert(
      fc.property(fc.array(arbitraryTrade, { maxLength: 20 }), (trades) => {
        const decoded = decodeTrades(encodeTrades(trades));
        expect(decoded).toHaveLength(trades.length);
        decoded?.forEach((t, i) => {
          for (const key of Object.keys(t) as (keyof Trade)[]) expect(Object.is(t[key], trades[i]?.[key])).toBe(true);
        });
      }),
    );
  });

  it('refuses bytes that are not in the layout', () => {
    const good = encodeTrades([trade()]);
    expect(decodeTrades(good.subarray(0, good.length - 1))).toBeUndefined();
    const wrongVersion = Buffer.from(good);
    wrongVersion[0] = 9;
    expect(decodeTrades(wrongVersion)).toBeUndefined();
    expect(decodeTrades(Buffer.from('hello'))).toBeUndefined();
  });
});
