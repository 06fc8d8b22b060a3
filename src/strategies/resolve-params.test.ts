import { describe, expect, it } from 'vitest';
import { ConfigError, StrategyError } from '../core/errors.js';
import type { StrategyDefinition } from '../core/strategy.js';
import { buyAndHold } from './buy-and-hold.js';
import { resolveParams } from './resolve-params.js';
import { smaCross } from './sma-cross.js';

const everyType: StrategyDefinition = {
  name: 'every-type',
  description: 'test fixture',
  params: [
    { name: 'count', type: 'integer', default: 3, min: 1, max: 10, description: '' },
    { name: 'ratio', type: 'number', default: 0.5, min: 0, max: 1, description: '' },
    { name: 'flag', type: 'boolean', default: false, description: '' },
    { name: 'label', type: 'string', default: 'x', description: '' },
  ],
  create: () => ({ onBar: () => undefined }),
};

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveParams', () => {
  it('fills defaults and converts strings, listing parameters in the definition order', () => {
    const params = resolveParams(everyType, { label: 'hello', ratio: '0.25', count: ' 7 ' });
    expect(params).toEqual({ count: 7, ratio: 0.25, flag: false, label: 'hello' });
    expect(Object.keys(params)).toEqual(['count', 'ratio', 'flag', 'label']);
    expect(Object.isFrozen(params)).toBe(true);
  });

  it('accepts already-typed JSON values', () => {
    expect(resolveParams(everyType, { count: 4, ratio: 1, flag: true, label: 12 })).toEqual({
      count: 4,
      ratio: 1,
      flag: true,
      label: '12',
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['0', false],
  ])('reads the boolean word %s as %s', (word, expected) => {
    expect(resolveParams(everyType, { flag: word }).flag).toBe(expected);
  });

  it('reads whole numbers written as decimals or exponents', () => {
    expect(resolveParams(everyType, { count: '10.0' }).count).toBe(10);
    expect(resolveParams(everyType, { count: '1e1' }).count).toBe(10);
  });

  it('names the strategy, the parameter and the bad value in one line', () => {
    expect(messageOf(() => resolveParams(smaCross, { fast: 'abc' }))).toBe(
      'strategy sma-cross: fast must be a whole number; "abc" is not',
    );
    expect(messageOf(() => resolveParams(everyType, { count: '2.5' }))).toBe(
      'strategy every-type: count must be a whole number; "2.5" is not',
    );
    expect(messageOf(() => resolveParams(everyType, { count: true }))).toBe(
      'strategy every-type: count must be a whole number; true is not',
    );
    expect(messageOf(() => resolveParams(everyType, { ratio: 'Infinity' }))).toBe(
      'strategy every-type: ratio must be a number; "Infinity" is not',
    );
    expect(messageOf(() => resolveParams(everyType, { ratio: '0x1' }))).toBe(
      'strategy every-type: ratio must be a number; "0x1" is not',
    );
    expect(messageOf(() => resolveParams(everyType, { ratio: '' }))).toBe(
      'strategy every-type: ratio must be a number; "" is not',
    );
    expect(messageOf(() => resolveParams(everyType, { flag: 'maybe' }))).toBe(
      'strategy every-type: flag must be true or false (yes/no and 1/0 work too); "maybe" is not',
    );
  });

  it('checks inclusive bounds', () => {
    expect(resolveParams(everyType, { count: '1', ratio: '1' })).toMatchObject({ count: 1, ratio: 1 });
    expect(messageOf(() => resolveParams(everyType, { count: '0' }))).toBe(
      'strategy every-type: count must be at least 1; 0 is not',
    );
    expect(messageOf(() => resolveParams(everyType, { ratio: 1.5 }))).toBe(
      'strategy every-type: ratio must be at most 1; 1.5 is not',
    );
  });

  it('lists the valid names for an unknown parameter, and puts the source first', () => {
    expect(messageOf(() => resolveParams(smaCross, { fsat: '3' }, '--param'))).toBe(
      '--param, strategy sma-cross: there is no parameter "fsat"; valid parameters are fast, slow, short',
    );
    expect(messageOf(() => resolveParams(buyAndHold, { fast: '3' }))).toBe(
      'strategy buy-and-hold: this strategy takes no parameters; remove "fast"',
    );
  });

  it('does not treat inherited names such as "constructor" as parameters', () => {
    expect(messageOf(() => resolveParams(everyType, { constructor: '1' }))).toMatch(/no parameter "constructor"/);
    expect(resolveParams(everyType, {}).count).toBe(3);
  });

  it("applies the definition's check and turns a throwing check into a StrategyError", () => {
    const throwing: StrategyDefinition = {
      ...everyType,
      check: () => {
        throw new TypeError('boom');
      },
    };
    expect(() => resolveParams(throwing, {})).toThrow(StrategyError);
    expect(() => resolveParams(throwing, {})).toThrow('strategy every-type: its parameter check failed: boom');
    const picky: StrategyDefinition = {
      ...everyType,
      check: (p) => (p.count === 3 ? 'count may not be 3' : undefined),
    };
    expect(messageOf(() => resolveParams(picky, {}))).toBe('strategy every-type: count may not be 3');
    expect(resolveParams(picky, { count: 4 }).count).toBe(4);
  });
});
