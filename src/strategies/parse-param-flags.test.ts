import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { parseParamFlags } from './parse-param-flags.js';

describe('parseParamFlags', () => {
  it('splits each flag at the first "=" and keeps values as strings', () => {
    expect(parseParamFlags(['fast=10', 'slow=30', 'expr=a=b', 'empty='])).toEqual({
      fast: '10',
      slow: '30',
      expr: 'a=b',
      empty: '',
    });
    expect(parseParamFlags([])).toEqual({});
  });

  it('rejects a flag without "=" or without a name', () => {
    expect(() => parseParamFlags(['fast10'])).toThrow(
      new UsageError('--param "fast10" needs the form name=value, e.g. --param fast=10'),
    );
    expect(() => parseParamFlags(['=10'])).toThrow(UsageError);
  });

  it('rejects a name given twice', () => {
    expect(() => parseParamFlags(['fast=10', 'fast=12'])).toThrow(
      new UsageError('--param fast is given more than once; give each parameter once'),
    );
  });

  it('keeps "__proto__" as an ordinary own name', () => {
    const record = parseParamFlags(['__proto__=1']);
    expect(Object.keys(record)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  });
});
