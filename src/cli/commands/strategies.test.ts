import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../cli-io.js';
import { main } from '../main.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strategies-command-'));
  await writeFile(
    join(dir, 'channel.mjs'),
    `export default {
      name: 'channel',
      description: 'A test channel',
      params: [
        { name: 'lookback', type: 'integer', default: 20, min: 2, max: 500, description: 'bars in the channel' },
        { name: 'band', type: 'number', default: 0.5, max: 5, description: 'band width, percent' },
        { name: 'label', type: 'string', default: 'x', description: 'a tag' },
      ],
      create: () => ({ onBar: () => undefined }),
    };`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function backtest(args: string[], columns?: number) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    cwd: dir,
    env: {},
    interactive: false,
    columns,
    confirm: async () => false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('backtest strategies', () => {
  it('lists every built-in with its parameters and defaults', async () => {
    const run = await backtest(['strategies']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/buy-and-hold\s+│ none/);
    expect(run.stdout).toMatch(/sma-cross\s+│ fast=10 slow=30 short=false/);
    expect(run.stdout).toMatch(/rsi\s+│ period=14 lower=30 upper=70 short=false/);
  });

  it('shows one built-in as a table of types, defaults and allowed values', async () => {
    const run = await backtest(['strategies', 'rsi']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/period\s+│ integer │\s+14 │ whole numbers ≥ 2\s+│ RSI smoothing period/);
    expect(run.stdout).toMatch(/lower\s+│ number\s+│\s+30 │ numbers from 0 to 100/);
    expect(run.stdout).toMatch(/short\s+│ boolean │\s+false │ true or false/);
  });

  it('loads a module path and shows its parameters, bounds and module file', async () => {
    const run = await backtest(['strategies', './channel.mjs']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('channel: A test channel');
    expect(run.stdout).toContain(`Module ${join(dir, 'channel.mjs')}`);
    expect(run.stdout).toMatch(/lookback\s+│ integer │\s+20 │ whole numbers from 2 to 500/);
    expect(run.stdout).toMatch(/band\s+│ number\s+│\s+0.5 │ numbers ≤ 5/);
    expect(run.stdout).toMatch(/label\s+│ string\s+│\s+"x" │ any text/);
  });

  it('prints JSON with every field of the parameter specs', async () => {
    const all = JSON.parse((await backtest(['strategies', '--json'])).stdout);
    expect(all.map((s: { name: string }) => s.name)).toEqual(['buy-and-hold', 'sma-cross', 'rsi']);
    const one = JSON.parse((await backtest(['strategies', 'channel.mjs', '--json'])).stdout);
    expect(one).toEqual({
      name: 'channel',
      description: 'A test channel',
      module: join(dir, 'channel.mjs'),
      params: [
        { name: 'lookback', type: 'integer', default: 20, min: 2, max: 500, description: 'bars in the channel' },
        { name: 'band', type: 'number', default: 0.5, max: 5, description: 'band width, percent' },
        { name: 'label', type: 'string', default: 'x', description: 'a tag' },
      ],
    });
  });

  it('names the built-ins for an unknown name (exit 2) and the file for a missing module (exit 4)', async () => {
    const unknown = await backtest(['strategies', 'macd']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('built-in strategies are buy-and-hold, sma-cross, rsi');
    const missing = await backtest(['strategies', './nope.ts']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('nope.ts does not exist');
  });

  it('fits the terminal by wrapping descriptions', async () => {
    const run = await backtest(['strategies'], 60);
    expect(run.code).toBe(0);
    const table = run.stdout.split('\n').filter((line) => /^[┌│├└]/.test(line));
    expect(Math.max(...table.map((line) => [...line].length))).toBeLessThanOrEqual(60);
  });

  it('has --help', async () => {
    const run = await backtest(['strategies', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: backtest strategies [options] [name]');
  });
});
