import { UsageError } from '../core/errors.js';

/**
 * Turns repeated `--param name=value` flags into a record of raw strings for
 * `resolveParams`. The value is everything after the first `=`, so it may itself
 * contain `=`; it is not converted here because only the strategy knows the types.
 *
 * @throws UsageError for a flag without `=`, with an empty name, or naming a parameter twice
 *
 * @example
 * parseParamFlags(['fast=10', 'slow=30']); // { fast: '10', slow: '30' }
 */
export function parseParamFlags(flags: readonly string[]): Record<string, string> {
  const values = new Map<string, string>();
  for (const flag of flags) {
    const equals = flag.indexOf('=');
    if (equals === -1) {
      throw new UsageError(`--param ${JSON.stringify(flag)} needs the form name=value, e.g. --param fast=10`);
    }
    const name = flag.slice(0, equals).trim();
    if (name === '') {
      throw new UsageError(`--param ${JSON.stringify(flag)} has no name before "="; use the form name=value`);
    }
    if (values.has(name)) {
      throw new UsageError(`--param ${name} is given more than once; give each parameter once`);
    }
    values.set(name, flag.slice(equals + 1));
  }
  // fromEntries defines own properties, so a name like "__proto__" cannot reach the prototype.
  return Object.fromEntries(values);
}
