import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BacktestInput } from '../run-input.js';

/**
 * A fresh temporary folder for one test and a function that deletes it (tests only).
 *
 * @example
 * const { dir, cleanup } = makeTempDir(); afterEach(cleanup);
 */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A valid save input with round numbers, overridable field by field (tests and benchmarks).
 *
 * @example
 * db.saveBacktestResult(sampleInput({ symbol: 'MSFT', sharpeRatio: 1.5 }));
 */
export function sampleInput(overrides: Partial<BacktestInput> = {}): BacktestInput {
  return {
    symbol: 'GOOG',
    timeframe: '1Day',
    runTimestamp: 1_700_000_000,
    startDate: 1_577_836_800,
    endDate: 1_609_372_800,
    initialCapital: 10_000,
    finalEquity: 11_250,
    totalReturn: 12.5,
    ...overrides,
  };
}
