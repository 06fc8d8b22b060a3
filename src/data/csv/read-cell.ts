/**
 * Reading one CSV cell from its text, with the messages a bad cell gets. The byte scanner
 * handles the common cells itself and comes here for anything else, so both readers of a file
 * say the same about the same cell.
 */

/**
 * Reads a price or volume cell. Returns the number, or why it is not one. `Number()` parses
 * the whole cell (unlike `parseFloat`, which accepts `12abc`), so no regex is needed; its
 * quirks are closed off here: `''` and `' '` become 0, and `0x1A`, `0b1`, `0o7` are integer
 * literals.
 *
 * @example
 * parseNumberCell('10.5'); // 10.5
 * parseNumberCell('0x10'); // '"0x10" is not a number'
 */
export function parseNumberCell(cell: string): number | string {
  const value = Number(cell);
  if (Number.isFinite(value)) {
    // Only cells that start with 0 or with white space can be blank or a radix literal; others skip the trim.
    const first = cell.charCodeAt(0);
    // NaN for the empty cell fails `> 32` too.
    if (first === 48 /* 0 */ || !(first > 32)) {
      const trimmed = cell.trim();
      if (trimmed === '') return 'empty cell; expected a number';
      if (trimmed.length > 1 && trimmed.charCodeAt(0) === 48 && isRadixLetter(trimmed.charCodeAt(1))) {
        return `${quoteCell(cell)} is not a number`;
      }
    }
    return value;
  }
  if (Number.isNaN(value)) return `${quoteCell(cell)} is not a number`;
  return `${quoteCell(cell)} is not a finite number`;
}

function isRadixLetter(code: number): boolean {
  // x, b, o in either case
  const lower = code | 0x20;
  return lower === 120 || lower === 98 || lower === 111;
}

/**
 * Why a time cell could not be read, completing "column time: …".
 *
 * @example
 * timeCellProblem('2024-13-02', 'month 13 is out of range 1-12'); // 'unparseable date "2024-13-02": month 13 ...'
 */
export function timeCellProblem(cell: string, reason: string): string {
  return cell.trim() === ''
    ? 'empty cell; expected a date or unix time'
    : `unparseable date ${quoteCell(cell)}: ${reason}`;
}

/**
 * A cell as shown in a message: quoted, control characters escaped, long ones shortened.
 *
 * @example
 * quoteCell('abc'); // '"abc"'
 */
export function quoteCell(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 37)}...` : cell);
}
