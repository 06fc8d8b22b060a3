/**
 * Reads plain decimal numbers straight from bytes, giving exactly the double `Number(text)`
 * gives, or NaN when the text is not of the plain form and `Number` must decide.
 *
 * Numeric trap: a double built digit by digit (`value * 10 + digit`, or dividing by 10 for each
 * fraction digit) is wrong in the last bit for many inputs, and a wrong last bit changes a bar
 * set's SHA-256 fingerprint, so saved runs would no longer rerun. Only Clinger's fast path is
 * used here: at most 15 significant digits make an integer `m < 2^53` that a double holds
 * exactly, `10^k` is exact for `k <= 22`, and one IEEE multiplication or division of two exact
 * values is correctly rounded, which is what `Number` returns. Everything else (more digits,
 * larger exponents, white space, `Infinity`, `0x1A`) returns NaN so the caller asks `Number`.
 */

/** `10^k` for `k` in 0..22, each exact as a double. */
const POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
/** Significant digits whose integer is always below 2^53. */
const MAX_EXACT_DIGITS = 15;
const MAX_EXACT_POWER = 22;

/**
 * The number `bytes[start..end)` spells when it is `[+-]digits[.digits][(e|E)[+-]digits]` (at
 * least one digit before or after the point) and fits the exact fast path; NaN otherwise,
 * including for text `Number` would read (the caller then decodes the cell and uses `Number`).
 * A finite result is always `Object.is`-equal to `Number(text)`, `-0` included.
 *
 * @example
 * parseDecimalBytes(Buffer.from('104.06'), 0, 6); // 104.06, the same double as Number('104.06')
 * parseDecimalBytes(Buffer.from(' 1'), 0, 2); // NaN: white space is left to Number
 */
export function parseDecimalBytes(bytes: Uint8Array, start: number, end: number): number {
  const value = scanDecimalBytes(bytes, start, end);
  return stop === end ? value : Number.NaN;
}

/**
 * Where the last {@link scanDecimalBytes} stopped: the first byte that is not part of the
 * number (a comma, the end of the line, or a byte that makes the cell no plain number).
 */
export function decimalStop(): number {
  return stop;
}

// Kept outside the functions so that reading a number allocates nothing.
let stop = 0;

/**
 * Reads a plain decimal number from `bytes[start..]`, stopping at the first byte that cannot
 * continue it (or at `end`), as {@link parseDecimalBytes} reads a whole cell; {@link decimalStop}
 * then says where it stopped. NaN when no number starts there or it needs `Number`.
 *
 * @example
 * scanDecimalBytes(Buffer.from('10.5,11'), 0, 7); // 10.5, and decimalStop() is 4
 */
export function scanDecimalBytes(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  stop = start;
  if (i >= end) return Number.NaN;
  let negative = false;
  let c = bytes[i] as number;
  if (c === 45 /* - */) {
    negative = true;
    i++;
  } else if (c === 43 /* + */) {
    i++;
  }
  let mantissa = 0;
  let significant = 0;
  let digits = 0;
  let exponent = 0;
  for (; i < end; i++) {
    const d = (bytes[i] as number) - 48;
    if (d < 0 || d > 9) break;
    digits++;
    if (mantissa === 0 && d === 0) continue;
    if (++significant > MAX_EXACT_DIGITS) return Number.NaN;
    mantissa = mantissa * 10 + d;
  }
  if (i < end && bytes[i] === 46 /* . */) {
    for (i++; i < end; i++) {
      const d = (bytes[i] as number) - 48;
      if (d < 0 || d > 9) break;
      digits++;
      exponent--;
      if (mantissa === 0 && d === 0) continue;
      if (++significant > MAX_EXACT_DIGITS) return Number.NaN;
      mantissa = mantissa * 10 + d;
    }
  }
  if (digits === 0) return Number.NaN;
  if (i < end && ((bytes[i] as number) | 0x20) === 101 /* e or E */) {
    i++;
    let exponentNegative = false;
    if (i < end) {
      c = bytes[i] as number;
      if (c === 45 /* - */) {
        exponentNegative = true;
        i++;
      } else if (c === 43 /* + */) {
        i++;
      }
    }
    const from = i;
    let exponentPart = 0;
    for (; i < end; i++) {
      const d = (bytes[i] as number) - 48;
      if (d < 0 || d > 9) break;
      // Capped: any exponent this large leaves the fast path (or multiplies zero) anyway.
      exponentPart = Math.min(exponentPart * 10 + d, 1e9);
    }
    if (i === from) return Number.NaN;
    exponent += exponentNegative ? -exponentPart : exponentPart;
  }
  stop = i;
  if (mantissa === 0) return negative ? -0 : 0;
  let value: number;
  if (exponent === 0) value = mantissa;
  else if (exponent > 0 && exponent <= MAX_EXACT_POWER) value = mantissa * (POWERS_OF_TEN[exponent] as number);
  else if (exponent < 0 && exponent >= -MAX_EXACT_POWER) value = mantissa / (POWERS_OF_TEN[-exponent] as number);
  else return Number.NaN;
  return negative ? -value : value;
}
