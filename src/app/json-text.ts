import { InternalError } from '../core/errors.js';

/**
 * JSON text for results. JSON has no Infinity, and `JSON.stringify` would silently turn it
 * into `null`, which means "undefined" in our metrics; so ±Infinity is written as the strings
 * `"Infinity"` and `"-Infinity"`. Typed arrays become plain arrays. NaN must never reach
 * output: it is a bug, and it is reported as one.
 *
 * @example
 * toJsonText({ profit_factor: Infinity }); // '{"profit_factor":"Infinity"}'
 */
export function toJsonText(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    function replacer(key, item: unknown) {
      if (typeof item === 'number') {
        if (Number.isNaN(item)) throw new InternalError(`NaN in output at "${key}"`);
        if (item === Number.POSITIVE_INFINITY) return 'Infinity';
        if (item === Number.NEGATIVE_INFINITY) return '-Infinity';
      }
      if (item instanceof Float64Array) return Array.from(item);
      return item;
    },
    indent,
  );
}
