/** Helpers shared by engine tests: tiny bar sets written by hand. Not part of the public API. */
import type { BarSeries } from '../core/bars.js';
import { createBarSeries } from '../core/bars.js';
import type { BacktestConfig } from '../core/config.js';
import { DEFAULT_CONFIG } from '../core/config.js';
import type { Direction, Strategy } from '../core/strategy.js';

const DAY_MS = 86_400_000;

/** Builds daily bars from `[open, high, low, close]` rows starting 2024-01-01 UTC. */
export function barsFromRows(rows: readonly (readonly [number, number, number, number])[]): BarSeries {
  const n = rows.length;
  const start = Date.UTC(2024, 0, 1);
  const column = (k: number) => Float64Array.from(rows, (row) => row[k] as number);
  return createBarSeries('TEST', '1Day', {
    timeMs: Float64Array.from({ length: n }, (_, i) => start + i * DAY_MS),
    open: column(0),
    high: column(1),
    low: column(2),
    close: column(3),
    volume: new Float64Array(n).fill(1000),
  });
}

/** A strategy that returns `decisions[i]` on bar i (undefined past the end). */
export function scriptedStrategy(decisions: readonly (Direction | undefined)[]): Strategy {
  return { onBar: (context) => decisions[context.index] };
}

/** A full config for tests: defaults plus overrides. */
export function testConfig(overrides: Partial<Omit<BacktestConfig, 'strategy'>> = {}): BacktestConfig {
  return { ...DEFAULT_CONFIG, strategy: { name: 'scripted', params: {} }, ...overrides };
}
