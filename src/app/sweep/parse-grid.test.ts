import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import type { StrategyDefinition } from '../../core/strategy.js';
import { getStrategy } from '../../strategies/index.js';
import { gridCombinations, gridSize, parseGridFlag, parseGridFlags } from './parse-grid.js';

const smaCross = getStrategy('sma-cross');
const rsi = getStrategy('rsi');

/** A strategy with one parameter of each type, for list parsing. */
const allTypes: StrategyDefinition = {
  name: 'all-types',
  description: 'test only',
  params: [
    { name: 'n', type: 'integer', default: 1, min: 1, description: 'count' },
    { name: 'x', type: 'number', default: 0.5, description: 'level' },
    { name: 'flag', type: 'boolean', default: false, description: 'switch' },
    { name: 'mode', type: 'string', default: 'a', description: 'mode' },
  ],
  create: () => ({ onBar: () => 0 }),
};

describe('parseGridFlag', () => {
  it('expands an inclusive integer range', () => {
    // 5, 10, …, 50: (50 - 5) / 5 + 1 = 10 values
    const axis = parseGridFlag('fast=5..50:5', smaCross);
    expect(axis).toEqual({ name: 'fast', values: [5, 10, 15, 20, 25, 30, 35, 40, 45, 50] });
  });

  it('defaults the step to 1 and stops before a value past the end', () => {
    expect(parseGridFlag('fast=3..6', smaCross).values).toEqual([3, 4, 5, 6]);
    // 20, 30, 40: 45 is not reached by a step of 10
    expect(parseGridFlag('slow=20..45:10', smaCross).values).toEqual([20, 30, 40]);
  });

  it('computes decimal ranges without float drift', () => {
    // Repeated addition would give 0.30000000000000004 and could drop 0.7; start + k * step, rounded, does not.
    expect(parseGridFlag('lower=0.1..0.7:0.1', rsi).values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(parseGridFlag('x=1..1.5:0.25', allTypes).values).toEqual([1, 1.25, 1.5]);
  });

  it('parses lists of numbers, booleans and strings, and single values', () => {
    expect(parseGridFlag('n=1,2,5', allTypes).values).toEqual([1, 2, 5]);
    expect(parseGridFlag('flag=true,false', allTypes).values).toEqual([true, false]);
    expect(parseGridFlag('mode=fast, slow', allTypes).values).toEqual(['fast', 'slow']);
    expect(parseGridFlag('x=2.5', allTypes).values).toEqual([2.5]);
    // Repeats are run once.
    expect(parseGridFlag('n=2,2,3', allTypes).values).toEqual([2, 3]);
  });

  it.each([
    ['fast', /expected name=start\.\.end:step/],
    ['=5', /expected name=start\.\.end:step/],
    ['fast=', /no value after "fast="/],
    ['speed=1..3', /strategy sma-cross has no parameter "speed"; valid parameters are fast, slow, short/],
    ['fast=a..10', /"a" in the range is not a number/],
    ['fast=1..10:0', /step 0 must be greater than 0/],
    ['fast=10..1', /the range ends \(1\) before it starts \(10\)/],
    ['fast=1,,3', /empty value in the list/],
    ['fast=2.5', /fast/],
    ['fast=0..3', /fast/],
    ['short=maybe', /short/],
  ])('rejects %s with a UsageError naming the flag', (flag, message) => {
    let caught: unknown;
    try {
      parseGridFlag(flag, smaCross);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(new RegExp(`^--grid ${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect((caught as Error).message).toMatch(message);
  });

  it('does not apply relations between parameters (those are skipped per combination)', () => {
    // fast=50 with the default slow=30 breaks fast < slow, but slow is swept too.
    expect(parseGridFlag('fast=50', smaCross).values).toEqual([50]);
  });
});

describe('parseGridFlags', () => {
  it('refuses the same parameter twice', () => {
    expect(() => parseGridFlags(['fast=1..3', 'fast=5'], smaCross)).toThrow(
      /--grid fast=5: parameter "fast" is already swept/,
    );
  });
});

describe('gridCombinations', () => {
  it('yields the product with the last axis varying fastest', () => {
    const axes = [
      { name: 'a', values: [1, 2] },
      { name: 'b', values: [true, false] },
      { name: 'c', values: ['x'] },
    ];
    expect(gridSize(axes)).toBe(4); // 2 × 2 × 1
    expect([...gridCombinations(axes)]).toEqual([
      { a: 1, b: true, c: 'x' },
      { a: 1, b: false, c: 'x' },
      { a: 2, b: true, c: 'x' },
      { a: 2, b: false, c: 'x' },
    ]);
  });

  it('yields one empty set for no axes and nothing when an axis is empty', () => {
    expect([...gridCombinations([])]).toEqual([{}]);
    expect([...gridCombinations([{ name: 'a', values: [] }])]).toEqual([]);
  });
});
