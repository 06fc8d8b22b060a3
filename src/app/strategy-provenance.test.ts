import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StrategyDefinition } from '../core/strategy.js';
import { loadBarsCsv } from '../data/index.js';
import { openStore } from '../store/index.js';
import { defineStrategy } from '../strategies/index.js';
import { rerunStoredBacktest } from './rerun-stored.js';
import { runBacktest } from './run-backtest.js';

const GOOG = new URL('../../data/bars/GOOG.csv', import.meta.url).pathname;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'provenance-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MODULE_SOURCE = `export default {
  name: 'flip', description: 'long on even weeks', params: [{ name: 'every', type: 'integer', default: 5, min: 1, description: 'bars' }],
  create(params) { return { onBar: ({ index }) => (Math.floor(index / params.every) % 2 === 0 ? 1 : 0) }; },
};
`;

describe('how a saved run records its strategy', () => {
  it('an imported definition wrapped in defineStrategy records its file and SHA-256, and reruns', async () => {
    const file = join(dir, 'flip.mjs');
    writeFileSync(file, MODULE_SOURCE);
    const imported = (await import(pathToFileURL(file).href)).default as StrategyDefinition;
    const bars = loadBarsCsv(GOOG, { symbol: 'GOOG', timeframe: '1Day' });
    const result = await runBacktest({
      bars,
      strategy: defineStrategy(imported, pathToFileURL(file).href),
      params: { every: 20 },
    });
    expect(result.config.strategy.module).toBe(file);
    const store = await openStore({ db: join(dir, 'runs.db') });
    try {
      const id = await result.saveToDb({ db: store });
      const row = await store.getRun(id);
      expect(row.strategy_module_path).toBe(file);
      expect(row.strategy_module_sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      await store.importBars(bars);
      const report = await rerunStoredBacktest(store, id);
      expect(report.reproduced).toBe(true);
      expect(report.changes).toEqual([]);
      // Edited code is named as a changed input.
      writeFileSync(file, MODULE_SOURCE.replace('% 2 === 0', '% 3 === 0'));
      const changed = await rerunStoredBacktest(store, id);
      expect(changed.changes.map((c) => c.input)).toEqual(['strategy file']);
      expect(changed.reproduced).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('warns once that a definition passed without its file cannot be rebuilt, and says how', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const loose: StrategyDefinition = {
        name: 'loose-one',
        description: 'x',
        params: [],
        create: () => ({ onBar: () => 1 }),
      };
      const bars = loadBarsCsv(GOOG, { symbol: 'GOOG', timeframe: '1Day' });
      const store = await openStore({ db: join(dir, 'runs.db') });
      try {
        await (await runBacktest({ bars, strategy: loose })).saveToDb({ db: store });
        await (await runBacktest({ bars, strategy: loose })).saveToDb({ db: store });
      } finally {
        await store.close();
      }
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain('defineStrategy(definition, import.meta.url)');
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a URL that is not a file', () => {
    const definition: StrategyDefinition = {
      name: 'x',
      description: 'x',
      params: [],
      create: () => ({ onBar: () => 1 }),
    };
    expect(() => defineStrategy(definition, 'https://example.com/x.js')).toThrow(/pass import\.meta\.url/);
  });
});
