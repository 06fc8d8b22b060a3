import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalStop, parseDecimalBytes, scanDecimalBytes } from './parse-decimal.js';
import { parseNumberCell } from './read-cell.js';

const bytesOf = (text: string): Buffer => Buffer.from(text, 'latin1');

/** What the CSV reader makes of a number cell: the byte fast path, else `Number` through parseNumberCell. */
function readCell(text: string): number | string {
  const bytes = bytesOf(text);
  const fast = parseDecimalBytes(bytes, 0, bytes.length);
  return Number.isNaN(fast) ? parseNumberCell(text) : fast;
}

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { minLength: min, maxLength: max });

/**
 * Decimal text as files hold it and beyond: a sign, leading zeros, up to 25 integer and 25
 * fraction digits (past the 15 the fast path takes), and an exponent with sign and leading zeros.
 */
const decimalText = fc
  .record({
    sign: fc.constantFrom('', '', '-', '+'),
    zeros: fc.constantFrom('', '', '0', '000'),
    integer: fc.oneof(digits(0, 8), digits(0, 25)),
    point: fc.boolean(),
    fraction: fc.oneof(digits(0, 8), digits(0, 25)),
    exponent: fc.option(
      fc.record({
        letter: fc.constantFrom('e', 'E'),
        sign: fc.constantFrom('', '-', '+'),
        zeros: fc.constantFrom('', '0', '00'),
        value: fc.integer({ min: 0, max: 400 }),
      }),
      { freq: 3 },
    ),
  })
  .map(({ sign, zeros, integer, point, fraction, exponent }) => {
    const body = `${zeros}${integer.join('')}${point ? `.${fraction.join('')}` : ''}`;
    const tail = exponent === null ? '' : `${exponent.letter}${exponent.sign}${exponent.zeros}${exponent.value}`;
    return `${sign}${body}${tail}`;
  });

/** Prices as they are printed: a few integer digits and a few decimals, so the fast path takes them. */
const priceText = fc
  .tuple(fc.integer({ min: 0, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([units, decimals]) => (decimals === 0 ? String(units) : (units / 10 ** decimals).toFixed(decimals)));

describe('parseDecimalBytes', () => {
  it('gives exactly the double Number(text) gives, or NaN to leave it to Number', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const bytes = bytesOf(text);
        const fast = parseDecimalBytes(bytes, 0, bytes.length);
        if (!Number.isNaN(fast)) expect(Object.is(fast, Number(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes the fast path for most printed prices, and they are Number(text) to the bit', () => {
    let fast = 0;
    fc.assert(
      fc.property(priceText, (text) => {
        const bytes = bytesOf(text);
        const value = parseDecimalBytes(bytes, 0, bytes.length);
        if (!Number.isNaN(value)) fast++;
        expect(Object.is(readCell(text), Number(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    expect(fast).toBe(20_000);
  });

  it('reads every cell Number reads as a finite number the way Number does, through the fallback', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const expected = Number(text);
        const read = readCell(text);
        // Number('') is 0, but an empty cell is refused (see parseNumberCell).
        if (Number.isFinite(expected) && text !== '') expect(Object.is(read, expected)).toBe(true);
        else expect(typeof read).toBe('string');
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    ['0', 0],
    ['-0', -0],
    ['-0.000', -0],
    ['+5', 5],
    ['5.', 5],
    ['.5', 0.5],
    ['-.5', -0.5],
    ['0.1', 0.1],
    ['104.06', 104.06],
    ['1.0716', 1.0716],
    ['2012.25343589', 2012.25343589],
    ['22351900', 22_351_900],
    ['1e1', 10],
    ['5E0', 5],
    ['1.5e-3', 0.0015],
    ['0e999999999999', 0],
    ['123456789012345', 123_456_789_012_345],
  ])('reads %j as %d', (text, expected) => {
    const bytes = bytesOf(text);
    expect(Object.is(parseDecimalBytes(bytes, 0, bytes.length), expected)).toBe(true);
  });

  it.each([
    '',
    ' 1',
    '1 ',
    '.',
    '-',
    '1e',
    '1e+',
    '0x10',
    'NaN',
    'Infinity',
    '1,5',
    '1.2.3',
    '1234567890123456',
    '1e23',
    '1e-23',
    '1e400',
  ])('leaves %j to Number', (text) => {
    const bytes = bytesOf(text);
    expect(parseDecimalBytes(bytes, 0, bytes.length)).toBeNaN();
  });
});

describe('scanDecimalBytes', () => {
  it('stops at the first byte that cannot continue the number', () => {
    const bytes = bytesOf('10.5,11e2,x');
    expect(scanDecimalBytes(bytes, 0, bytes.length)).toBe(10.5);
    expect(decimalStop()).toBe(4);
    expect(scanDecimalBytes(bytes, 5, bytes.length)).toBe(1100);
    expect(decimalStop()).toBe(9);
    expect(scanDecimalBytes(bytes, 10, bytes.length)).toBeNaN();
  });

  it('reads only up to `end`', () => {
    const bytes = bytesOf('12345');
    expect(scanDecimalBytes(bytes, 0, 3)).toBe(123);
    expect(decimalStop()).toBe(3);
  });
});
