import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { letOthersReach } from '../reach-checkout.test-support.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(() => cleanup());

function runChild(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('several processes', () => {
  it('8 processes × 500 saves each end with 4,000 rows and no error', { timeout: 120_000 }, async () => {
    const path = join(dir, 'shared.db');
    TradingDatabase.open(path).close();
    const workers = 8;
    const saves = 500;
    const results = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        runChild([join(fixtures, 'save-many.ts'), path, String(w), String(saves)]),
      ),
    );
    for (const { code, stderr } of results) {
      expect(stderr).toBe('');
      expect(code).toBe(0);
    }
    const db = TradingDatabase.open(path, { readonly: true });
    try {
      expect(db.countBacktestResults()).toBe(workers * saves);
      for (let w = 0; w < workers; w++) {
        expect(db.countBacktestResults({ symbol: `W${w}` })).toBe(saves);
      }
      // ids are dense: no save was lost or doubled.
      const [newest] = db.getBacktestResults({ sort: 'id', limit: 1 });
      expect(newest?.id).toBe(workers * saves);
    } finally {
      db.close();
    }
  });
});

describe('a read-only file (chmod 444)', () => {
  it('opened for writing gives a clear StoreError naming the file', (context) => {
    const path = join(dir, 'locked.db');
    const db = TradingDatabase.open(path);
    db.saveBacktestResult(sampleInput());
    db.close();
    chmodSync(path, 0o444);
    const before = readFileSync(path);
    let outcome: { ok?: boolean; name?: string; message?: string };
    if (process.getuid?.() === 0) {
      // root ignores file permissions, so the attempt runs in a child as the unprivileged user "nobody",
      // which must reach the checkout (its folder may be private) and the database's folder.
      letOthersReach(join(fixtures, 'try-save.ts'));
      chmodSync(dir, 0o755);
      const child = spawnSync(process.execPath, ['--import', 'tsx', join(fixtures, 'try-save.ts'), path], {
        cwd: projectRoot,
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
      });
      // Where the project itself is unreadable for "nobody", this check cannot run here.
      if (child.stdout === '' && /EACCES|permission denied/i.test(child.stderr))
        context.skip('project unreadable by nobody');
      expect(child.stderr).toBe('');
      outcome = JSON.parse(child.stdout) as typeof outcome;
    } else {
      try {
        TradingDatabase.open(path).close();
        outcome = { ok: true };
      } catch (error) {
        outcome = { name: (error as Error).name, message: (error as Error).message };
      }
    }
    expect(outcome).toEqual({
      name: 'StoreError',
      message: `database ${path} is read-only (no write permission); fix its permissions or open it read-only`,
    });
    expect(readFileSync(path).equals(before)).toBe(true);
    const reader = TradingDatabase.open(path, { readonly: true });
    expect(reader.countBacktestResults()).toBe(1);
    reader.close();
  });
});
