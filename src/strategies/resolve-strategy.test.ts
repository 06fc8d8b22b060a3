import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { isStrategyModulePath, resolveStrategy } from './resolve-strategy.js';

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'resolve-strategy-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('isStrategyModulePath', () => {
  it('reads every module extension as a path, in any case, even without a folder', () => {
    for (const name of ['my.ts', 'my.mts', 'my.cts', 'my.js', 'my.mjs', 'my.cjs', 'MY.CJS', 'My.Mts']) {
      expect(isStrategyModulePath(name), name).toBe(true);
    }
  });

  it('reads anything with a path separator as a path, and a bare name as a built-in', () => {
    expect(isStrategyModulePath('./breakout')).toBe(true);
    expect(isStrategyModulePath('strategies\\breakout.ts')).toBe(true);
    expect(isStrategyModulePath('sma-cross')).toBe(false);
    expect(isStrategyModulePath('rsi.json')).toBe(false);
  });
});

describe('resolveStrategy', () => {
  const source = (name: string, exportLine: string) => `
    const definition = {
      name: '${name}',
      params: [{ name: 'level', type: 'integer', default: 1, min: 0, max: 1 }],
      create: (params) => ({ onBar: () => params.level }),
    };
    ${exportLine}
  `;

  it('loads .cjs, .mjs, .cts and .mts modules named relative to cwd', async () => {
    const files: [string, string][] = [
      ['common.cjs', source('common-js', 'module.exports = definition;')],
      ['module.mjs', source('module-js', 'export default definition;')],
      ['common.cts', source('common-ts', 'module.exports = definition;')],
      ['module.mts', source('module-ts', 'export default definition;')],
    ];
    for (const [file, text] of files) {
      await writeFile(join(folder, file), text);
      const definition = await resolveStrategy(file, folder);
      expect(definition.module, file).toBe(join(folder, file));
      expect(definition.params.map((spec) => spec.name)).toEqual(['level']);
    }
  });

  it('still finds built-ins by name and names them all when one is unknown', async () => {
    expect((await resolveStrategy('rsi', folder)).name).toBe('rsi');
    await expect(resolveStrategy('rsx', folder)).rejects.toThrow(ConfigError);
    await expect(resolveStrategy('rsx', folder)).rejects.toThrow(/buy-and-hold, sma-cross, rsi/);
  });
});
