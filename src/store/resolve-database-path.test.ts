import { describe, expect, it } from 'vitest';
import { resolveDatabasePath } from './resolve-database-path.js';

describe('resolveDatabasePath', () => {
  it('prefers an explicit path, then BACKTEST_DB, then ./data/trading.db', () => {
    const env = { BACKTEST_DB: 'env/runs.db' };
    expect(resolveDatabasePath('my.db', env, '/work')).toBe('/work/my.db');
    expect(resolveDatabasePath('/abs/x.db', env, '/work')).toBe('/abs/x.db');
    expect(resolveDatabasePath(undefined, env, '/work')).toBe('/work/env/runs.db');
    expect(resolveDatabasePath('', env, '/work')).toBe('/work/env/runs.db');
    expect(resolveDatabasePath(undefined, {}, '/work')).toBe('/work/data/trading.db');
    expect(resolveDatabasePath(undefined, { BACKTEST_DB: '' }, '/work')).toBe('/work/data/trading.db');
    expect(resolveDatabasePath(':memory:', env, '/work')).toBe(':memory:');
  });
});
