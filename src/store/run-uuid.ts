/**
 * Stable run ids. A run saved by this toolkit gets a random UUID (v4). A row that another
 * program inserted straight into `backtest_results` has none, so it gets a name-based UUID
 * (v5, RFC 9562 §5.5) derived from its 18 columns: every export of that row, before or after it
 * was given side rows, names it the same way, and importing it twice is recognised.
 */
import { createHash, randomUUID } from 'node:crypto';
import { LEGACY_COLUMNS } from './run-row.js';

/** This project's namespace for v5 UUIDs of legacy rows (itself a random v4 UUID, fixed forever). */
const LEGACY_ROW_NAMESPACE = '4c1f7a52-9d0e-4b8a-a3f6-2e5d8c7b9a10';

/** Matches a UUID in its canonical text form (any version), case-insensitively. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A new random run id.
 *
 * @example
 * newRunUuid(); // '1b4e28ba-2fa1-41d2-883f-0016d3cca427'
 */
export function newRunUuid(): string {
  return randomUUID();
}

/**
 * The v5 UUID of a row from its 18 legacy column values (`id` included, so two identical runs
 * saved twice by the older tool stay two runs). Values are written as JSON in column order,
 * with ±Infinity as strings, so the name does not depend on the program that reads the row.
 *
 * @example
 * legacyRowUuid({ id: 1, symbol: 'GOOG', ... }); // '5f0c…' (always the same for the same row)
 */
export function legacyRowUuid(row: Readonly<Record<string, unknown>>): string {
  const values = LEGACY_COLUMNS.map(({ name }) => {
    const value = row[name];
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value ?? null;
  });
  return uuidV5(JSON.stringify(values), LEGACY_ROW_NAMESPACE);
}

/** RFC 9562 v5: SHA-1 of namespace bytes and name, with the version and variant bits set. */
function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
