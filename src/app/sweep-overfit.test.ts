/**
 * The probability of backtest overfitting of real sweeps: runSweep on worker threads saves each
 * run's period returns, and assessSweepOverfit runs CSCV over them. With no edge in the bars
 * (a seeded random walk) the best in-sample configuration is a coin toss out of sample, so PBO
 * is high; with an edge built into the bars that exactly one configuration exploits, PBO is low.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BarSeries, createBarSeries } from '../core/bars.js';
import { DataError, UsageError } from '../core/errors.js';
import { generateSyntheticBars } from '../data/index.js';
import type { BacktestInput } from '../store/index.js';
import { SqliteRunStore } from '../store/sqlite/index.js';
import { runSweep } from './sweep/run-sweep.js';
import { assessSweepOverfit, storeSweepOverfit } from './sweep-overfit.js';

const SWEEP_MS = 120_000;
const BARS = 20_000;
/** The cycle planted in the bars, in bars: prime, and the grid holds no other multiple of it. */
const CYCLE = 23;

let dir: string;
let strategy: string;
let store: SqliteRunStore;

/**
 * A strategy module with one parameter, `period`: long for the first ⌊(period − 1)/2⌋ bars of
 * every `period` bars, counted from bar 0, flat for the rest. It decides after bar i closes for
 * bar i + 1 (orders fill at the next open), so it looks at (i + 1) mod period.
 */
const CYCLE_STRATEGY = `export default {
  name: 'cycle', description: 'long in the first half of every period bars',
  params: [{ name: 'period', type: 'integer', default: 10, min: 2, description: 'bars per cycle' }],
  create(params) {
    const period = params.period;
    const up = Math.floor((period - 1) / 2);
    return { onBar: ({ index }) => ((index + 1) % period < up ? 1 : 0) };
  },
};
`;

/**
 * Seeded random-walk bars with a deterministic cycle added to every bar's open-to-close log
 * return: +0.3 % in the first 11 bars of each 23, −0.3 % in the next 11, nothing in the last, so
 * the cycle has no drift of its own. Only `period = 23` is long exactly in its rising bars; any
 * other period below 46 meets every phase of the cycle equally often, so it has no edge.
 */
function cycleBars(count: number, seed: number): BarSeries {
  const base = generateSyntheticBars({ count, seed, timeframe: '1Hour' });
  const open = new Float64Array(count);
  const high = new Float64Array(count);
  const low = new Float64Array(count);
  const close = new Float64Array(count);
  let price = base.open[0] as number;
  for (let i = 0; i < count; i++) {
    const phase = i % CYCLE;
    const drift = phase < 11 ? 0.003 : phase < 22 ? -0.003 : 0;
    const next = price * Math.exp(Math.log((base.close[i] as number) / (base.open[i] as number)) + drift);
    open[i] = price;
    close[i] = next;
    high[i] =
      Math.max(price, next) * ((base.high[i] as number) / Math.max(base.open[i] as number, base.close[i] as number));
    low[i] =
      Math.min(price, next) * ((base.low[i] as number) / Math.min(base.open[i] as number, base.close[i] as number));
    price = next;
  }
  return createBarSeries('CYCLE', '1Hour', { timeMs: base.timeMs, open, high, low, close, volume: base.volume });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-overfit-'));
  strategy = join(dir, 'cycle.mjs');
  writeFileSync(strategy, CYCLE_STRATEGY);
  store = SqliteRunStore.open(join(dir, 'runs.db'));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sweeps `period` over 2 … 201 (200 configurations) on `bars`, saved under `sweepId`. */
async function sweepPeriods(bars: BarSeries, sweepId: string): Promise<void> {
  const summary = await runSweep({ bars, strategy, grid: ['period=2..201'], workers: 2, db: store, sweepId });
  expect(summary).toMatchObject({ total: 200, completed: 200, saved: 200 });
}

describe('the probability of backtest overfitting of a sweep', () => {
  it('is high with no edge: 200 configurations on a seeded random walk of 20,000 bars', {
    timeout: SWEEP_MS,
  }, async () => {
    const bars = generateSyntheticBars({ count: BARS, seed: 7, symbol: 'WALK', timeframe: '1Hour' });
    await sweepPeriods(bars, 'no-edge');
    // Each run's returns, compounded per period of 10 bar returns: 19,999 / 10 → 2,000 periods.
    expect((await store.findSweep('no-edge'))?.definition.periodGrid).toEqual({ barsPerPeriod: 10, periodCount: 2000 });
    const report = await assessSweepOverfit(store, 'no-edge');
    expect(report.overfit).toMatchObject({ configurations: 200, periods: 2000, blocks: 16, splits: 12_870 });
    expect(report.runsWithoutPeriodReturns).toBe(0);
    expect(report.overfit.pbo).toBeGreaterThanOrEqual(0.3);
    // The in-sample best earns nothing out of sample on average: it loses about half the time.
    expect(report.overfit.probabilityOfLoss).toBeGreaterThan(0.2);
    await storeSweepOverfit(store, report);
    expect((await store.findSweepOverfit('no-edge'))?.pbo).toBe(report.overfit.pbo);
  });

  it('is low with a planted edge that exactly one configuration exploits', { timeout: SWEEP_MS }, async () => {
    await sweepPeriods(cycleBars(BARS, 11), 'edge');
    const report = await assessSweepOverfit(store, 'edge');
    expect(report.overfit.pbo).toBeLessThanOrEqual(0.1);
    // period = 23 is the in-sample best in (almost) every split, and it stays best out of sample.
    const best = report.mostChosen[0];
    expect(best?.strategyParamsJson).toBe(`{"period":${CYCLE}}`);
    expect(best?.share).toBeGreaterThan(0.9);
    expect(report.overfit.probabilityOfLoss).toBeLessThanOrEqual(0.1);
    const byTotalReturn = await assessSweepOverfit(store, 'edge', { metric: 'total_return', blocks: 8 });
    expect(byTotalReturn.overfit).toMatchObject({ metric: 'total_return', blocks: 8, splits: 70 });
    expect(byTotalReturn.overfit.pbo).toBeLessThanOrEqual(0.1);
  });

  it('refuses in one line what it cannot assess', async () => {
    const run = (sweepId: string, periodReturns?: Float64Array): BacktestInput => ({
      symbol: 'GOOG',
      timeframe: '1Day',
      startDate: 1_577_836_800,
      endDate: 1_609_372_800,
      initialCapital: 10_000,
      finalEquity: 10_000,
      totalReturn: 0,
      sweepId,
      ...(periodReturns === undefined ? {} : { periodReturns }),
    });
    const periods = (n: number) => Float64Array.from({ length: n }, (_, i) => ((i * 7) % 5) / 100 - 0.02);
    await store.saveRuns([run('old'), run('old'), run('one', periods(20)), run('one')]);
    await store.saveRuns([run('short', periods(10)), run('short', periods(10))]);
    await store.saveRuns([run('grids', periods(20)), run('grids', periods(21))]);

    await expect(assessSweepOverfit(store, 'nope')).rejects.toThrow(
      /has no sweep nope; backtest sweeps lists the stored ones/,
    );
    const none = await assessSweepOverfit(store, 'old').catch((error: unknown) => error);
    expect(none).toBeInstanceOf(DataError);
    expect((none as Error).message).toMatch(/^sweep old: none of its 2 saved runs has period returns/);
    await expect(assessSweepOverfit(store, 'one')).rejects.toThrow(
      new UsageError(
        'sweep one has 1 run with period returns; the probability of backtest overfitting compares at least 2 configurations',
      ),
    );
    await expect(assessSweepOverfit(store, 'short')).rejects.toThrow(
      'sweep short has 10 periods per run, fewer than --blocks 16; pass an even --blocks of at most 10',
    );
    expect((await assessSweepOverfit(store, 'short', { blocks: 10 })).overfit.splits).toBe(252);
    await expect(assessSweepOverfit(store, 'short', { blocks: 7 })).rejects.toThrow(UsageError);
    await expect(assessSweepOverfit(store, 'short', { blocks: 22 })).rejects.toThrow(/even whole number from 2 to 20/);
    await expect(assessSweepOverfit(store, 'grids')).rejects.toThrow(DataError);
    await expect(assessSweepOverfit(store, 'grids')).rejects.toThrow(
      /different grids: run \d+ has 20 periods, run \d+ has 21/,
    );
  });
});
