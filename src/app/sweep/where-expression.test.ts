import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { compileWhere } from './where-expression.js';

const NAMES = ['fast', 'slow', 'short', 'mode'];
const params = { fast: 10, slow: 30, short: false, mode: 'trend' };

describe('compileWhere', () => {
  it.each([
    ['fast < slow', true],
    ['fast >= slow', false],
    ['slow - fast >= 20', true], // 30 - 10 = 20
    ['slow - fast > 20', false],
    ['slow / fast == 3', true], // 30 / 10 = 3
    ['slow = 3 * fast', true], // single = is equality
    ['fast * 2 + 1 == 21', true], // precedence: (10 * 2) + 1
    ['fast * (2 + 1) == 30', true],
    ['-fast + slow == 20', true],
    ['fast < slow and not short', true],
    ['fast < slow && !short', true],
    ['fast > slow or short', false],
    ['fast > slow || short == false', true],
    ['not (fast < slow)', false],
    ['short == true', false],
    ["mode == 'trend'", true],
    ['mode != "trend"', false],
    ['fast < slow AND NOT short', true], // word operators in any case
    ['fast', true], // a non-zero number counts as true
    ['fast - 10', false], // and zero as false
  ])('%s → %s', (expression, expected) => {
    expect(compileWhere(expression, NAMES)(params)).toBe(expected);
  });

  it('evaluates against each parameter set it is given', () => {
    const keep = compileWhere('slow - fast >= 10', NAMES);
    expect(keep({ fast: 5, slow: 15 })).toBe(true);
    expect(keep({ fast: 5, slow: 14 })).toBe(false);
  });

  it.each([
    ['process.exit()', /unexpected character "\."|"process" is not a parameter/],
    ['process', /"process" is not a parameter; use one of fast, slow, short, mode/],
    ['constructor', /"constructor" is not a parameter/],
    ['__proto__ == 1', /"__proto__" is not a parameter/],
    ['fast < slow; rm', /unexpected character ";"/],
    ['fast <', /ends too early/],
    ['(fast < slow', /expected "\)"/],
    ['fast < slow)', /unexpected "\)"/],
    ['fast < slow < 100', /comparisons cannot be chained/],
    ['', /the expression is empty/],
    ['`fast`', /unexpected character "`"/],
    ["mode == 'open", /unclosed string/],
    ['fast[0]', /unexpected character "\["/],
  ])('rejects %s', (expression, message) => {
    expect(() => compileWhere(expression, NAMES)).toThrow(UsageError);
    expect(() => compileWhere(expression, NAMES)).toThrow(message);
  });

  it('names the position of a syntax error', () => {
    // "fast < < slow": the second "<" is the 8th character.
    expect(() => compileWhere('fast < < slow', NAMES)).toThrow(/unexpected "<" at character 8/);
  });

  it('reports arithmetic on a non-number when it runs', () => {
    const keep = compileWhere('short + 1 > 0', NAMES);
    expect(() => keep(params)).toThrow(UsageError);
    expect(() => keep(params)).toThrow(/"\+" needs numbers, but one side is false/);
  });

  it('never runs code: a global function name is just an unknown parameter', () => {
    let called = false;
    (globalThis as Record<string, unknown>).sweepTestHook = () => {
      called = true;
    };
    try {
      expect(() => compileWhere('sweepTestHook()', NAMES)).toThrow(UsageError);
      expect(called).toBe(false);
    } finally {
      delete (globalThis as Record<string, unknown>).sweepTestHook;
    }
  });
});
