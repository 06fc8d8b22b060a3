import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { BUILTIN_STRATEGIES, findStrategy, getStrategy } from './builtin-strategies.js';
import { buyAndHold } from './buy-and-hold.js';
import { barsFromCloses, replayProgressively } from './replay-progressively.test-support.js';
import { resolveParams } from './resolve-params.js';

describe('built-in strategy registry', () => {
  it('lists buy-and-hold, sma-cross and rsi with unique names and valid defaults', () => {
    expect(BUILTIN_STRATEGIES.map((definition) => definition.name)).toEqual(['buy-and-hold', 'sma-cross', 'rsi']);
    for (const definition of BUILTIN_STRATEGIES) {
      // Defaults must pass their own validation, or `backtest run --strategy X` alone would fail.
      const params = resolveParams(definition, {});
      expect(typeof definition.create(params).onBar).toBe('function');
      expect(definition.description).not.toBe('');
    }
  });

  it('finds by exact name and returns undefined otherwise', () => {
    expect(findStrategy('rsi')?.name).toBe('rsi');
    expect(findStrategy('RSI')).toBeUndefined();
    expect(findStrategy('nope')).toBeUndefined();
  });

  it('getStrategy throws a ConfigError listing the valid names', () => {
    expect(getStrategy('sma-cross').name).toBe('sma-cross');
    expect(() => getStrategy('sma')).toThrow(
      new ConfigError('unknown strategy "sma"; built-in strategies are buy-and-hold, sma-cross, rsi'),
    );
  });
});

describe('buy-and-hold', () => {
  it('asks for long on every bar from the first', async () => {
    const decisions = await replayProgressively(buyAndHold.create({}), barsFromCloses([5, 4, 3, 9]));
    expect(decisions).toEqual([1, 1, 1, 1]);
  });

  it('takes no parameters', () => {
    expect(() => buyAndHold.create({ size: 1 })).toThrow(ConfigError);
  });
});
