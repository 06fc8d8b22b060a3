/**
 * Golden run on the bundled GOOG daily bars: pins every metric and the whole trade list, so
 * any change to the numbers shows up here. To accept an intended change, run
 * `UPDATE_GOLDEN=1 npx vitest run test/golden-goog.test.ts` and review the diff of the JSON.
 *
 * The trade entries are also checked against an independent, deliberately naive SMA
 * computation, so the golden file is not just the engine agreeing with itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../src/app/run-backtest.js';
import { loadBarsCsv } from '../src/data/index.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const GOLDEN = fileURLToPath(new URL('./golden/goog-sma-cross.json', import.meta.url));

async function goldenRun() {
  const bars = loadBarsCsv(GOOG, { symbol: 'GOOG', timeframe: '1Day' });
  const result = await runBacktest({
    bars,
    strategy: 'sma-cross',
    params: { fast: 10, slow: 20, short: true },
    config: { commission: 0.002, initialCash: 10_000 },
  });
  return { bars, result };
}

function naiveSma(values: Float64Array, end: number, length: number): number {
  let sum = 0;
  for (let k = end - length + 1; k <= end; k++) sum += values[k] as number;
  return sum / length;
}

describe('golden run: sma-cross(10, 20, short) on GOOG 1Day, commission 0.2 %', () => {
  it('matches the pinned metrics and trades', async () => {
    const { result } = await goldenRun();
    const actual = { metrics: result.metrics, trades: result.trades, skippedOrders: result.skippedOrders };
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    const expected = JSON.parse(readFileSync(GOLDEN, 'utf8')) as typeof actual;
    expect(result.bars.count).toBe(2148);
    expect(actual.trades).toHaveLength(expected.trades.length);
    for (const [name, value] of Object.entries(expected.metrics)) {
      const got = actual.metrics[name as keyof typeof actual.metrics];
      if (value === null) expect(got, name).toBeNull();
      else expect(got, name).toBeCloseTo(value as number, 8);
    }
    actual.trades.forEach((trade, i) => {
      const pinned = expected.trades[i]!;
      expect(trade.side, `trade ${i}`).toBe(pinned.side);
      expect(trade.quantity, `trade ${i}`).toBe(pinned.quantity);
      expect([trade.entryIndex, trade.exitIndex], `trade ${i}`).toEqual([pinned.entryIndex, pinned.exitIndex]);
      expect(trade.entryPrice, `trade ${i}`).toBeCloseTo(pinned.entryPrice, 9);
      expect(trade.exitPrice, `trade ${i}`).toBeCloseTo(pinned.exitPrice, 9);
      expect(trade.pnl, `trade ${i}`).toBeCloseTo(pinned.pnl, 8);
    });
  });

  it('enters the bar after each strict SMA cross, as a naive recomputation finds them', async () => {
    const { bars, result } = await goldenRun();
    const crossBars: number[] = [];
    for (let i = 20; i < bars.length - 1; i++) {
      const before = naiveSma(bars.close, i - 1, 10) - naiveSma(bars.close, i - 1, 20);
      const now = naiveSma(bars.close, i, 10) - naiveSma(bars.close, i, 20);
      if ((before <= 0 && now > 0) || (before >= 0 && now < 0)) crossBars.push(i);
    }
    expect(result.trades.map((t) => t.entryIndex)).toEqual(crossBars.map((i) => i + 1));
    // Always in the market: each trade exits where the next one enters.
    for (let k = 1; k < result.trades.length; k++) {
      expect(result.trades[k]!.entryIndex).toBe(result.trades[k - 1]!.exitIndex);
    }
  });

  it('reports the same buy-and-hold return as the data: 806.19 / 100.34 − 1', async () => {
    const { bars, result } = await goldenRun();
    const expected = ((bars.close[bars.length - 1] as number) / (bars.close[0] as number) - 1) * 100;
    expect(result.metrics.buy_and_hold_return).toBeCloseTo(expected, 10);
    expect(result.metrics.buy_and_hold_return).toBeCloseTo(703.4582, 3);
  });
});
