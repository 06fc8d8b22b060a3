import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import {
  barsFromCloses,
  type Decisions,
  randomWalk,
  replayProgressively,
} from './replay-progressively.test-support.js';
import { resolveParams } from './resolve-params.js';
import { rsi } from './rsi.js';
import { WilderRsi } from './wilder-rsi.js';

async function decide(closes: readonly number[], raw: Record<string, number | boolean>): Promise<Decisions> {
  return replayProgressively(rsi.create(resolveParams(rsi, raw)), barsFromCloses(closes));
}

describe('rsi strategy', () => {
  // Same closes as wilder-rsi.test.ts; its period-2 RSI, rounded, by index:
  // 2: 66.67  3: 88.89  4: 88.89  5: 47.06  6: 86.15  7: 57.73  8: 19.38  9: 13.43  10: 61.14
  // 11: 87.87 12: 87.87 13: 52.06 14: 19.79 15: 50.48 16: 84.98 17: 58.03 18: 58.03 19: 91.27
  // With lower 30 / upper 70: below 30 → long (1), above 70 → flat (0) or short (−1), else keep.
  const closes = [20, 22, 21, 24, 24, 23, 26, 25, 22, 21, 23, 27, 27, 26, 24, 25, 28, 27, 27, 30];
  const u = undefined;

  it('pins level decisions on the hand-computed series', async () => {
    expect(await decide(closes, { period: 2, lower: 30, upper: 70 })).toEqual([
      u,
      u,
      u,
      0,
      0,
      u,
      0,
      u,
      1,
      1,
      u,
      0,
      0,
      u,
      1,
      u,
      0,
      u,
      u,
      0,
    ]);
  });

  it('goes short above the upper level when short=true', async () => {
    expect(await decide(closes, { period: 2, lower: 30, upper: 70, short: true })).toEqual([
      u,
      u,
      u,
      -1,
      -1,
      u,
      -1,
      u,
      1,
      1,
      u,
      -1,
      -1,
      u,
      1,
      u,
      -1,
      u,
      u,
      -1,
    ]);
  });

  it('keeps the position when RSI sits exactly on a level', async () => {
    // RSI at index 2 is 100 − 100/3 = 66.666…; as upper, the same double is not "above".
    const level = new WilderRsi(2);
    const atTwo = closes.slice(0, 3).map((close) => level.push(close))[2]!;
    const decisions = await decide(closes.slice(0, 3), { period: 2, lower: 10, upper: atTwo });
    expect(decisions).toEqual([u, u, u]);
  });

  it('agrees with WilderRsi on a long random walk with the default parameters', async () => {
    const walk = randomWalk(2000, 5, 2);
    const indicator = new WilderRsi(14);
    const expected: Decisions = walk.map((close) => {
      const value = indicator.push(close);
      return value < 30 ? 1 : value > 70 ? 0 : undefined;
    });
    const decisions = await decide(walk, {});
    expect(decisions).toEqual(expected);
    expect(decisions.slice(0, 14).every((decision) => decision === undefined)).toBe(true);
    // The walk must actually exercise both levels for this test to mean anything.
    expect(decisions).toContain(1);
    expect(decisions).toContain(0);
  });

  it('uses defaults 14 / 30 / 70 / false and checks the levels', () => {
    expect(resolveParams(rsi, {})).toEqual({ period: 14, lower: 30, upper: 70, short: false });
    expect(() => resolveParams(rsi, { lower: '70', upper: '30' })).toThrow(
      new ConfigError('strategy rsi: lower (70) must be less than upper (30)'),
    );
    expect(() => resolveParams(rsi, { lower: '0' })).toThrow(
      new ConfigError('strategy rsi: lower must be strictly between 0 and 100; 0 is not'),
    );
    expect(() => resolveParams(rsi, { upper: '100' })).toThrow(/upper must be strictly between 0 and 100; 100 is not/);
    expect(() => resolveParams(rsi, { period: '1' })).toThrow(
      new ConfigError('strategy rsi: period must be at least 2; 1 is not'),
    );
  });
});
