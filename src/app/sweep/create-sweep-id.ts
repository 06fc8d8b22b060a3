import { randomBytes } from 'node:crypto';

/**
 * A new sweep id, `sweep-YYYYMMDD-HHMMSS-<6 hex>` in UTC: sorts by start time, and the random
 * suffix keeps two sweeps started in the same second apart.
 *
 * @example
 * createSweepId(new Date(Date.UTC(2024, 0, 2, 3, 4, 5))); // 'sweep-20240102-030405-9f3a1c'
 */
export function createSweepId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2024-01-02T03:04:05.678Z
  const date = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `sweep-${date}-${time}-${randomBytes(3).toString('hex')}`;
}
