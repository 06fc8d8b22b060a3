import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, StrategyError } from '../core/errors.js';
import type { StrategyContext } from '../core/strategy.js';
import {
  barsFromCloses,
  type Decisions,
  randomWalk,
  replayProgressively,
} from './replay-progressively.test-support.js';
import { resolveParams } from './resolve-params.js';
import { smaCross } from './sma-cross.js';

async function decide(closes: readonly number[], raw: Record<string, number | boolean>): Promise<Decisions> {
  return replayProgressively(smaCross.create(resolveParams(smaCross, raw)), barsFromCloses(closes));
}

describe('sma-cross', () => {
  // fast = 2, slow = 3:
  // i  close  fast(2)            slow(3)                 side   decision
  // 0  10     —                  —                              keep (warm-up)
  // 1  11     (10+11)/2 = 10.5   —                              keep (warm-up)
  // 2  12     (11+12)/2 = 11.5   (10+11+12)/3 = 11       above  keep (no previous bar with both)
  // 3  11     (12+11)/2 = 11.5   (11+12+11)/3 = 11.333   above  keep
  // 4  10     (11+10)/2 = 10.5   (12+11+10)/3 = 11       below  cross below → flat / short
  // 5  9      9.5                10                      below  keep
  // 6  10     9.5                9.667                   below  keep
  // 7  12     11                 10.333                  above  cross above → long
  // 8  13     12.5               11.667                  above  keep
  // 9  12     12.5               12.333                  above  keep
  // 10 10     11                 11.667                  below  cross below → flat / short
  const closes = [10, 11, 12, 11, 10, 9, 10, 12, 13, 12, 10];
  const u = undefined;

  it('pins decisions on a hand-made series, exiting to flat', async () => {
    expect(await decide(closes, { fast: 2, slow: 3 })).toEqual([u, u, u, u, 0, u, u, 1, u, u, 0]);
  });

  it('reverses to short on the cross below when short=true', async () => {
    expect(await decide(closes, { fast: 2, slow: 3, short: true })).toEqual([u, u, u, u, -1, u, u, 1, u, u, -1]);
  });

  it('treats equal averages as "not above" and "not below" on both sides of a cross', async () => {
    // fast = 1 (the close), slow = 2 (mean of two closes): fast > slow exactly when the close rose.
    // i=1: 5 vs 5 equal; i=2: equal; i=3: 6 > 5.5 after equal → long; i=4: 6 = 6 equal;
    // i=5: 4 < 5 after equal → flat.
    expect(await decide([5, 5, 5, 6, 6, 4], { fast: 1, slow: 2 })).toEqual([u, u, u, 1, u, 0]);
  });

  it('does not enter when fast starts above slow and never crosses', async () => {
    const rising = Array.from({ length: 50 }, (_, i) => 100 + i);
    expect((await decide(rising, { fast: 3, slow: 7 })).every((decision) => decision === undefined)).toBe(true);
  });

  it('ignores last-bit rounding on flat prices that are not exact in binary', async () => {
    // A decline (fast below slow) into a long flat stretch at 100.1. In doubles the 10-bar mean
    // of 100.1 is 100.10000000000001 and the 30-bar mean 100.09999999999995: without the tie
    // tolerance the flat stretch would read as a cross above.
    const falling = Array.from({ length: 40 }, (_, i) => 140 - i);
    const flat = [...falling, ...Array.from({ length: 100 }, () => 100.1)];
    const decisions = await decide(flat, { fast: 10, slow: 30 });
    expect(decisions.filter((decision) => decision !== undefined)).toEqual([]);
  });

  it('re-adds its sums when the ring wraps, so a huge close that left the window leaves no residue', async () => {
    // 1e17 + 100 rounds to 1e17 (one unit in the last place of 1e17 is 16), so add/subtract
    // sums alone would carry the loss for good. Once the spike is out of the window and the
    // ring has wrapped (index >= 2 × slow), decisions must match the series without the spike.
    const walk = randomWalk(200, 4, 3);
    const spiked = [1e17, ...walk.slice(1)];
    const clean = await decide(walk, { fast: 3, slow: 8 });
    const dirty = await decide(spiked, { fast: 3, slow: 8 });
    expect(dirty.slice(16)).toEqual(clean.slice(16));
    expect(clean.slice(16).filter((decision) => decision !== undefined).length).toBeGreaterThan(5);
  });

  it('matches a from-scratch reference on whole-number random walks', async () => {
    // Whole-number closes make every window sum exact, so the reference can compare averages
    // exactly by cross-multiplying sums: fastSum × slow vs slowSum × fast.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        async (seed, fast, extra, short) => {
          const slow = fast + extra;
          const walk = randomWalk(300, seed, 3, true);
          const side = (i: number): number => {
            let fastSum = 0;
            let slowSum = 0;
            for (let j = i - fast + 1; j <= i; j++) fastSum += walk[j]!;
            for (let j = i - slow + 1; j <= i; j++) slowSum += walk[j]!;
            return Math.sign(fastSum * slow - slowSum * fast);
          };
          const expected: Decisions = walk.map((_, i) => {
            if (i < slow) return undefined;
            const before = side(i - 1);
            const now = side(i);
            if (before <= 0 && now > 0) return 1;
            if (before >= 0 && now < 0) return short ? -1 : 0;
            return undefined;
          });
          expect(await decide(walk, { fast, slow, short })).toEqual(expected);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it('with short=true holds a position on every bar after the first cross', async () => {
    const walk = randomWalk(500, 11, 2);
    const decisions = await decide(walk, { fast: 5, slow: 20, short: true });
    const first = decisions.findIndex((decision) => decision !== undefined);
    expect(first).toBeGreaterThanOrEqual(20);
    let position = 0;
    for (let i = first; i < decisions.length; i++) {
      position = decisions[i] ?? position;
      expect(position).not.toBe(0);
    }
  });

  it('uses defaults 10 / 30 / false and rejects fast >= slow', () => {
    expect(resolveParams(smaCross, {})).toEqual({ fast: 10, slow: 30, short: false });
    expect(() => resolveParams(smaCross, { fast: '30', slow: '30' })).toThrow(
      new ConfigError('strategy sma-cross: fast (30) must be less than slow (30)'),
    );
    expect(() => smaCross.create({ fast: 5, slow: 1 })).toThrow(ConfigError);
  });

  it('throws a StrategyError when bars are skipped or an instance is reused', () => {
    const strategy = smaCross.create({ fast: 1, slow: 2 });
    const bars = barsFromCloses([1, 2, 3]);
    const at = (index: number): StrategyContext => ({ index, bars, position: 0, equity: 1 });
    strategy.onBar(at(0));
    strategy.onBar(at(1));
    expect(() => strategy.onBar(at(0))).toThrow(StrategyError);
    expect(() => strategy.onBar(at(1))).toThrow(/expected bar 2 next but was called for bar 1/);
  });
});
