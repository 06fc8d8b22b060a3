/**
 * Formats a unix epoch time in milliseconds as ISO 8601 UTC, leaving out the milliseconds
 * when they are zero, so that messages and exported files read like the data people write.
 *
 * @example
 * formatTimeMs(Date.UTC(2004, 7, 19)); // '2004-08-19T00:00:00Z'
 */
export function formatTimeMs(timeMs: number): string {
  // Date cannot represent times beyond ±8.64e15 ms; toISOString would throw there.
  if (!Number.isFinite(timeMs) || Math.abs(timeMs) > 8.64e15) return String(timeMs);
  const iso = new Date(timeMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
