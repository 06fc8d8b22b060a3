import { describe, expect, it } from 'vitest';
import { type BarSeries, sliceBars } from '../core/bars.js';
import type { Direction, ParamValue, Strategy } from '../core/strategy.js';
import { findStrategy } from './builtin-strategies.js';
import { barsFromCloses, randomWalk, replayProgressively } from './replay-progressively.test-support.js';
import { resolveParams } from './resolve-params.js';

// A strategy that peeks at later bars decides differently once those bars are cut off or
// changed. Each case replays the full series and truncated copies through a driver that, like
// the engine, reveals bars one at a time, and requires identical decisions on the common bars.
const CASES: readonly [string, Record<string, ParamValue>][] = [
  ['buy-and-hold', {}],
  ['sma-cross', {}],
  ['sma-cross', { fast: 1, slow: 2 }],
  ['sma-cross', { fast: 5, slow: 20, short: true }],
  ['rsi', {}],
  ['rsi', { period: 2, lower: 20, upper: 80 }],
  ['rsi', { period: 5, lower: 40, upper: 60, short: true }],
];

const N = 400;
const CUTS = [1, 2, 3, 15, 20, 21, 31, 100, 250, N - 1];

describe.each(CASES)('look-ahead guard: %s %j', (name, raw) => {
  const definition = findStrategy(name)!;
  const params = resolveParams(definition, raw);

  it.each([
    ['a float random walk', randomWalk(N, 3, 2)],
    ['a whole-number random walk (many ties)', randomWalk(N, 9, 3, true)],
  ])('decides the same on the first k bars whether or not later bars exist, on %s', async (_, closes) => {
    const bars = barsFromCloses(closes);
    const full = await replayProgressively(definition.create(params), bars);
    expect(full).toHaveLength(N);
    for (const k of CUTS) {
      const truncated = await replayProgressively(definition.create(params), sliceBars(bars, 0, k));
      expect(truncated, `first ${k} bars`).toEqual(full.slice(0, k));
    }
  });

  it('decides the same on the first k bars when every later bar is changed', async () => {
    const closes = randomWalk(N, 21, 2);
    const full = await replayProgressively(definition.create(params), barsFromCloses(closes));
    for (const k of [25, 200]) {
      const altered = closes.map((close, i) => (i < k ? close : close * (i % 2 === 0 ? 3 : 0.3)));
      const decisions = await replayProgressively(definition.create(params), barsFromCloses(altered));
      expect(decisions.slice(0, k)).toEqual(full.slice(0, k));
      // The change must matter somewhere, or this case would prove nothing.
      if (name !== 'buy-and-hold') expect(decisions.slice(k)).not.toEqual(full.slice(k));
    }
  });
});

describe('look-ahead guard self-check', () => {
  it('catches a strategy that reads the future through prepare', async () => {
    // Peeks at the next close, which prepare() received with the whole series.
    const cheater = (): Strategy => {
      let closes: Float64Array = new Float64Array(0);
      return {
        prepare(bars: BarSeries) {
          closes = bars.close;
        },
        onBar({ index }): Direction | undefined {
          const next = closes[index + 1];
          return next === undefined ? undefined : next > closes[index]! ? 1 : 0;
        },
      };
    };
    const bars = barsFromCloses(randomWalk(50, 1, 2));
    const full = await replayProgressively(cheater(), bars);
    const truncated = await replayProgressively(cheater(), sliceBars(bars, 0, 30));
    expect(truncated).not.toEqual(full.slice(0, 30));
  });
});
