/**
 * README examples that pipe `--json` must produce parseable JSON: npm prints a banner to
 * standard output unless it runs with `-s`, which breaks `| jq`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README JSON examples', () => {
  it('pipe --json only from `npm run -s` or a linked `backtest`, never from plain `npm run`', () => {
    const piped = README.split('\n').filter((line) => /--json\b.*\|/.test(line));
    expect(piped.length).toBeGreaterThan(0);
    expect(piped.filter((line) => /npm run (?!-s )/.test(line))).toEqual([]);
  });

  it('`npm run -s backtest -- ... --json` writes nothing but JSON to standard output', () => {
    const run = spawnSync('npm', ['run', '-s', 'backtest', '--', 'strategies', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      shell: process.platform === 'win32',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).map((s: { name: string }) => s.name)).toEqual(['buy-and-hold', 'sma-cross', 'rsi']);
  });
});
