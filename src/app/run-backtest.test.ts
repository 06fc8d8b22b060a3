import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, StrategyError } from '../core/errors.js';
import { generateSyntheticBars } from '../data/index.js';
import { runBacktest } from './run-backtest.js';

const BREAKOUT = fileURLToPath(new URL('../../examples/strategies/breakout.ts', import.meta.url));
const bars = generateSyntheticBars({ count: 500, seed: 7 });

describe('runBacktest with a strategy named by a string', () => {
  it('loads a module path relative to process.cwd(), as the CLI does', async () => {
    const path = relative(process.cwd(), BREAKOUT);
    expect(isAbsolute(path)).toBe(false);
    const result = await runBacktest({ bars, strategy: path, params: { lookback: 30 } });
    expect(result.config.strategy).toEqual({ name: 'breakout', params: { lookback: 30 }, module: BREAKOUT });
    expect(result.trades.length).toBeGreaterThan(0);
  });

  it('gives the same numbers for an absolute path and for ./ spelling', async () => {
    const absolute = await runBacktest({ bars, strategy: BREAKOUT, params: { lookback: '30' } });
    const dotted = await runBacktest({
      bars,
      strategy: `./${relative(process.cwd(), BREAKOUT)}`,
      params: { lookback: 30 },
    });
    expect(dotted.metrics).toEqual(absolute.metrics);
  });

  it('still runs built-ins by name', async () => {
    const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 5, slow: 20 } });
    expect(result.config.strategy).toEqual({ name: 'sma-cross', params: { fast: 5, slow: 20, short: false } });
  });

  it('names the file when a module is missing, and the built-ins when a name is unknown', async () => {
    await expect(runBacktest({ bars, strategy: './no-such-strategy.mjs' })).rejects.toThrow(StrategyError);
    await expect(runBacktest({ bars, strategy: './no-such-strategy.mjs' })).rejects.toThrow(/does not exist/);
    await expect(runBacktest({ bars, strategy: 'breakout' })).rejects.toThrow(ConfigError);
  });
});
