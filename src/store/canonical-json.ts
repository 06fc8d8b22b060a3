import { createHash } from 'node:crypto';
import { ConfigError } from '../core/errors.js';

/**
 * JSON with object keys sorted at every level and no whitespace, so equal values always give
 * equal text and therefore equal hashes. Properties whose value is `undefined` are left out,
 * as `JSON.stringify` does. Throws a {@link ConfigError} naming the path of anything JSON
 * cannot hold exactly (NaN, Infinity, functions, typed arrays, class instances, cycles).
 *
 * @example
 * canonicalJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown, what = 'value'): string {
  return write(value, what, new Set());
}

function write(value: unknown, path: string, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new ConfigError(`${path} is ${value}, which JSON cannot store`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new ConfigError(`${path} is a ${typeof value}, which JSON cannot store`);
  }
  const object = value as object;
  if (seen.has(object)) throw new ConfigError(`${path} refers to itself, which JSON cannot store`);
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item, i) => write(item, `${path}[${i}]`, seen)).join(',')}]`;
    }
    const prototype = Object.getPrototypeOf(object) as unknown;
    if (prototype !== Object.prototype && prototype !== null) {
      throw new ConfigError(`${path} is not a plain object or array, which JSON cannot store exactly`);
    }
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${write(item, `${path}.${key}`, seen)}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}

/**
 * SHA-256 of a UTF-8 string, lower-case hex.
 *
 * @example
 * sha256Hex(''); // 'e3b0c442…b855'
 */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
