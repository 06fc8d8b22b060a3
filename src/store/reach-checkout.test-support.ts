/**
 * Tests running as root start some processes as another user (PostgreSQL's server runs as
 * `postgres`; a permission test runs as `nobody`). Those users must reach files inside this
 * checkout, which may sit in a private folder (`mktemp -d` makes one, mode 0700): there they
 * failed with EACCES, or Node found no package at all.
 */
import { chmodSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Gives "others" search permission (x only: nothing becomes listable or readable) on each
 * folder from `file`'s up to the root that lacks it. A folder that cannot be changed (a
 * read-only mount) is left as it is.
 */
export function letOthersReach(file: string): void {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      const mode = statSync(dir).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    } catch {
      // Not ours to change: the caller's own check says what then fails.
    }
    if (dirname(dir) === dir) return;
  }
}
