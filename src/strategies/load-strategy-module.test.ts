import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrategyError } from '../core/errors.js';
import { loadStrategyModule } from './load-strategy-module.js';
import { barsFromCloses, replayProgressively } from './replay-progressively.test-support.js';
import { resolveParams } from './resolve-params.js';

const MOMENTUM = fileURLToPath(new URL('../../examples/strategies/momentum.ts', import.meta.url));

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'strategy-modules-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes a module under a fresh name, since Node caches imports by URL. */
async function writeModule(source: string, extension = '.mjs'): Promise<string> {
  fileCount++;
  const path = join(folder, `module-${fileCount}${extension}`);
  await writeFile(path, source);
  return path;
}

async function loadError(path: string): Promise<string> {
  const error = await loadStrategyModule(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StrategyError);
  return (error as Error).message;
}

describe('loadStrategyModule', () => {
  it('loads the example momentum strategy and runs it', async () => {
    const definition = await loadStrategyModule(MOMENTUM);
    expect(definition.name).toBe('momentum');
    expect(definition.params.map((spec) => spec.name)).toEqual(['lookback', 'thresholdPct', 'short']);
    // lookback 2: momentum at i is close[i] / close[i−2] − 1.
    // i=2: 12/10 − 1 = +20 %  → long       i=3: 11/11 − 1 = 0 % → keep
    // i=4: 13/12 − 1 = +8.3 % → long       i=5: 9/11 − 1 = −18.2 % → flat
    // i=6: 9.5/13 − 1 = −26.9 % → flat
    const closes = [10, 11, 12, 11, 13, 9, 9.5];
    const run = (raw: Record<string, string>) =>
      replayProgressively(definition.create(resolveParams(definition, raw)), barsFromCloses(closes));
    const u = undefined;
    expect(await run({ lookback: '2' })).toEqual([u, u, 1, u, 1, 0, 0]);
    // With a 10 % dead band the +8.3 % bar keeps; with short=true the exits become shorts.
    expect(await run({ lookback: '2', thresholdPct: '10', short: 'yes' })).toEqual([u, u, 1, u, u, -1, -1]);
  });

  it('resolves a relative path against the current directory', async () => {
    const definition = await loadStrategyModule(relative(process.cwd(), MOMENTUM));
    expect(definition.name).toBe('momentum');
  });

  it('accepts a named "strategy" export, a class instance, and a module without params', async () => {
    const path = await writeModule(`
      class Definition {
        constructor() { this.name = 'plain'; this.level = 1; }
        create() { return { onBar: () => this.level }; }
      }
      export const strategy = new Definition();
    `);
    const definition = await loadStrategyModule(path);
    expect(definition.params).toEqual([]);
    expect(definition.description).toBe('');
    // create is bound to the instance, so `this.level` still works.
    const strategy = definition.create({});
    expect(strategy.onBar({ index: 0, bars: barsFromCloses([1]), position: 0, equity: 1 })).toBe(1);
  });

  it('loads a TypeScript module', async () => {
    const path = await writeModule(
      `
      const definition: { name: string; params: unknown[]; create: () => { onBar: () => 1 } } = {
        name: 'typed', params: [], create: () => ({ onBar: () => 1 as const }),
      };
      export default definition;
      `,
      '.ts',
    );
    expect((await loadStrategyModule(path)).name).toBe('typed');
  });

  it('keeps the check function and uses it when params are resolved', async () => {
    const path = await writeModule(`
      export default {
        name: 'checked',
        params: [{ name: 'n', type: 'integer', default: 1, description: 'n' }],
        check: (p) => (p.n > 5 ? 'n must be 5 or less' : undefined),
        create: () => ({ onBar: () => 0 }),
      };
    `);
    const definition = await loadStrategyModule(path);
    expect(() => resolveParams(definition, { n: '6' })).toThrow('strategy checked: n must be 5 or less');
  });

  it('names the file when it is missing, not a module file, or a folder', async () => {
    const missing = join(folder, 'missing.ts');
    expect(await loadError(missing)).toBe(`strategy module ${missing} does not exist`);
    expect(await loadError(join(folder, 'notes.txt'))).toBe(
      `strategy module ${join(folder, 'notes.txt')} must be a .ts, .mts, .cts, .js, .mjs, .cjs file`,
    );
    const directory = join(folder, 'directory.ts');
    await mkdir(directory);
    expect(await loadError(directory)).toBe(`strategy module ${directory} is not a file`);
  });

  it('reports a syntax error or a throwing module as a load failure', async () => {
    const broken = await writeModule('export default {');
    expect(await loadError(broken)).toMatch(new RegExp(`^strategy module ${escapeRegExp(broken)} failed to load: .+`));
    const throwing = await writeModule("throw new Error('kaboom');");
    expect(await loadError(throwing)).toBe(`strategy module ${throwing} failed to load: kaboom`);
  });

  it.each([
    ['export const other = 1;', 'must export a strategy definition as its default export or as "strategy"'],
    ['export default 42;', ': the exported strategy must be an object with name, params and create'],
    ['export default { params: [], create() {} };', ": the strategy's name must be a non-empty string"],
    ["export default { name: 'x', params: [] };", ': strategy x has no create function'],
    ["export default { name: 'x', params: {}, create() {} };", ': params of strategy x must be an array'],
    ["export default { name: 'x', check: 1, create() {} };", ': check of strategy x must be a function when given'],
    [
      "export default { name: 'x', params: [{ name: 'n', type: 'float', default: 1 }], create() {} };",
      ': params[0] (n).type must be one of integer, number, boolean, string; "float" is not',
    ],
    [
      "export default { name: 'x', params: [{ name: 'n', type: 'integer', default: 1.5 }], create() {} };",
      ': params[0] (n).default must be an integer; 1.5 is not',
    ],
    [
      "export default { name: 'x', params: [{ name: 'n', type: 'integer', default: 0, min: 1 }], create() {} };",
      ': params[0] (n).default 0 is outside its own bounds',
    ],
    [
      "export default { name: 'x', params: [{ name: 'n', type: 'boolean', default: false, min: 1 }], create() {} };",
      ': params[0] (n).min must be a number, and only on integer or number parameters',
    ],
    [
      "const p = { name: 'n', type: 'string', default: 'a' }; export default { name: 'x', params: [p, p], create() {} };",
      ': strategy x declares parameter n twice',
    ],
  ])('rejects a wrong shape with one line naming the file: %s', async (source, problem) => {
    const path = await writeModule(source);
    const message = await loadError(path);
    expect(message).toBe(`strategy module ${path}${problem.startsWith(':') ? '' : ' '}${problem}`);
    expect(message).not.toContain('\n');
  });

  it('checks what create returns and wraps a throwing create', async () => {
    const empty = await loadStrategyModule(await writeModule("export default { name: 'empty', create: () => ({}) };"));
    expect(() => empty.create({})).toThrow(StrategyError);
    expect(() => empty.create({})).toThrow(
      /strategy empty \(strategy module .+\): create must return an object with an onBar method/,
    );
    const throwing = await loadStrategyModule(
      await writeModule("export default { name: 'boom', create: () => { throw new Error('no model'); } };"),
    );
    expect(() => throwing.create({})).toThrow(/strategy boom \(strategy module .+\) failed to start: no model/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
