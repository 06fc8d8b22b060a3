import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** This package's version from its package.json, stored with every run for reproducibility. */
export function packageVersion(): string {
  if (cached === undefined) {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    cached = String((JSON.parse(text) as { version?: unknown }).version ?? '0.0.0');
  }
  return cached;
}
