import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../core/config.js';
import type { Metrics } from '../../core/result.js';
import { generateSyntheticBars } from '../../data/index.js';
import { SqliteRunStore } from '../../store/sqlite/index.js';
import { getStrategy, resolveParams } from '../../strategies/index.js';
import { evaluateFrom, viewBars } from '../out-of-sample.js';
import { runBacktest } from '../run-backtest.js';
import { parseDuration } from './durations.js';
import { planWindows } from './plan-windows.js';
import { runWalkForward } from './run-walk-forward.js';

const BARS = generateSyntheticBars({ count: 900, seed: 11, symbol: 'SYN', timeframe: '1Hour' });
const GRID = ['fast=4..12:4', 'slow=20,40'];
const CONFIGS = [4, 8, 12].flatMap((fast) => [20, 40].map((slow) => ({ fast, slow })));
const SMA = getStrategy('sma-cross');
const dir = mkdtempSync(join(tmpdir(), 'walk-forward-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The best configuration of a training span, computed without the walk-forward: plain runs. */
async function bestOn(
  from: number,
  to: number,
  minTrades: number,
): Promise<{ fast: number; slow: number } | undefined> {
  let best: { fast: number; slow: number } | undefined;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const params of CONFIGS) {
    const result = await runBacktest({ bars: viewBars(BARS, from, to), strategy: 'sma-cross', params });
    const value = result.metrics.sharpe_ratio;
    if (value === null || result.metrics.total_trades < minTrades) continue;
    if (value > bestValue) {
      best = params;
      bestValue = value;
    }
  }
  return best;
}

describe('runWalkForward', () => {
  for (const anchored of [false, true]) {
    it(`${anchored ? 'anchored' : 'rolling'}: each window chooses as plain runs would, and tests it out of sample`, async () => {
      const outcome = await runWalkForward({
        bars: BARS,
        strategy: 'sma-cross',
        grid: GRID,
        train: '300bars',
        test: '150bars',
        anchored,
        workers: 2,
      });
      const planned = planWindows(BARS.timeMs, {
        train: parseDuration('300bars'),
        test: parseDuration('150bars'),
        anchored,
      });
      expect(outcome.results.map((w) => [w.trainFrom, w.trainTo, w.testFrom, w.testTo])).toEqual(
        planned.map((w) => [w.trainFrom, w.trainTo, w.testFrom, w.testTo]),
      );
      expect(outcome.results).toHaveLength(4);
      expect(outcome.total).toBe(4 * CONFIGS.length);
      for (const w of outcome.results) {
        const best = await bestOn(w.trainFrom, w.trainTo, 1);
        expect(w.flat).toBe(false);
        expect({ fast: w.chosenParams?.fast, slow: w.chosenParams?.slow }).toEqual(best);
        const params = resolveParams(SMA, best ?? {});
        const config = resolveConfig({ strategy: { name: 'sma-cross', params } });
        const oos = await evaluateFrom(viewBars(BARS, 0, w.testTo), SMA.create(params), config, w.testFrom);
        expect(w.outOfSampleMetrics).toEqual(oos.metrics);
        expect(w.testFromMs).toBe(BARS.timeMs[w.testFrom]);
        expect(w.testToMs).toBe(BARS.timeMs[w.testTo - 1]);
      }
      // The stitched curve chains the windows: window k's returns on the account window k-1 left.
      const stitched = outcome.stitched;
      expect(stitched?.bars.count).toBe(900 - 300);
      const equity = stitched?.equityCurve.equity as Float64Array;
      let account = 10_000;
      let at = 0;
      for (const w of outcome.results) {
        const params = resolveParams(SMA, w.chosenParams ?? {});
        const config = resolveConfig({ strategy: { name: 'sma-cross', params } });
        const oos = await evaluateFrom(viewBars(BARS, 0, w.testTo), SMA.create(params), config, w.testFrom);
        const factor = account / 10_000;
        for (let i = 0; i < oos.equityCurve.equity.length; i++) {
          expect(equity[at + i]).toBeCloseTo(factor * (oos.equityCurve.equity[i] as number), 6);
        }
        at += oos.equityCurve.equity.length;
        account = equity[at - 1] as number;
      }
      expect(stitched?.metrics.final_equity).toBeCloseTo(account, 6);
      expect(stitched?.outOfSample?.metrics).toEqual(stitched?.metrics);
      // Efficiency: out-of-sample CAGR over the mean in-sample CAGR of the chosen configurations.
      const inSample = outcome.results.map((w) => (w.inSampleMetrics as Metrics).cagr as number);
      const mean = inSample.reduce((s, v) => s + v, 0) / inSample.length;
      expect(outcome.inSampleAnnualReturn).toBeCloseTo(mean, 9);
      expect(outcome.efficiency).toBe(mean > 0 ? (stitched?.metrics.cagr as number) / mean : null);
    });
  }

  it('a window where no configuration has enough trades stays flat and is marked', async () => {
    const outcome = await runWalkForward({
      bars: BARS,
      strategy: 'sma-cross',
      grid: GRID,
      train: '300bars',
      test: '150bars',
      minTrades: 1_000,
      workers: 1,
    });
    expect(outcome.results.every((w) => w.flat && w.chosenParams === null && w.qualified === 0)).toBe(true);
    const stitched = outcome.stitched;
    expect(stitched?.trades).toEqual([]);
    expect(new Set(stitched?.equityCurve.equity)).toEqual(new Set([10_000]));
    expect(stitched?.metrics.total_return).toBe(0);
  });

  it('saves the group, its windows, hidden training runs and the stitched run linked to it', async () => {
    const store = SqliteRunStore.open(join(dir, 'saved.db'));
    try {
      const outcome = await runWalkForward({
        bars: BARS,
        strategy: 'sma-cross',
        grid: GRID,
        train: '300bars',
        test: '150bars',
        workers: 2,
        db: store,
      });
      const record = await store.findWalkForward(outcome.groupId);
      expect(record).toMatchObject({ status: 'completed', windowCount: 4, stitchedRunId: outcome.stitchedRunId });
      expect(record?.windows.map((w) => w.chosenParams)).toEqual(outcome.results.map((w) => w.chosenParams));
      expect(record?.windows[0]?.outOfSampleMetrics).toEqual(outcome.results[0]?.outOfSampleMetrics);
      expect(record?.summary?.efficiency).toBe(outcome.efficiency);
      expect(record?.summary?.buyAndHold.equity[0]).toBe(10_000);
      expect(record?.definition).toMatchObject({ train: '300bars', test: '150bars', step: '150bars', anchored: false });
      // Training runs are kept but hidden; the stitched run is a regular run.
      expect((await store.listRuns()).map((r) => r.id)).toEqual([outcome.stitchedRunId]);
      const all = await store.listRuns({ walkForwardId: outcome.groupId, includeTraining: true, limit: 1000 });
      expect(all).toHaveLength(4 * CONFIGS.length + 1);
      expect(
        all
          .filter((r) => r.walk_forward_role === 'training')
          .map((r) => r.walk_forward_window)
          .sort(),
      ).toEqual([0, 1, 2, 3].flatMap((w) => CONFIGS.map(() => w)));
      const stitched = await store.getRun(outcome.stitchedRunId as number);
      expect(stitched).toMatchObject({ walk_forward_role: 'stitched', walk_forward_id: outcome.groupId });
      expect(stitched.sharpe_ratio).toBe(outcome.stitched?.metrics.sharpe_ratio);
      expect((await store.outOfSample([stitched.id])).get(stitched.id)?.metrics.sharpe_ratio).toBe(
        stitched.sharpe_ratio,
      );
      expect((await store.bestRun('SYN', '1Hour', 'sharpe_ratio', { minTrades: 0 })).row?.id).toBe(stitched.id);
    } finally {
      await store.close();
    }
  });

  it('stopped after its first window, keeps the finished windows and marks the group partial', async () => {
    const store = SqliteRunStore.open(join(dir, 'partial.db'));
    const controller = new AbortController();
    try {
      const outcome = await runWalkForward(
        {
          bars: BARS,
          strategy: 'sma-cross',
          grid: GRID,
          train: '300bars',
          test: '150bars',
          workers: 1,
          batchSize: 1,
          db: store,
        },
        { signal: controller.signal, onWindow: () => controller.abort() },
      );
      expect(outcome.interrupted).toBe(true);
      expect(outcome.stitched).toBeUndefined();
      expect(outcome.results.length).toBeGreaterThanOrEqual(1);
      expect(outcome.results.length).toBeLessThan(4);
      const record = await store.findWalkForward(outcome.groupId);
      expect(record?.status).toBe('interrupted');
      expect(record?.stitchedRunId).toBeNull();
      expect(record?.windows.map((w) => w.index)).toEqual(outcome.results.map((w) => w.index));
      expect(await store.countRuns({ includeTraining: false })).toBe(0);
      expect(await store.countRuns({ includeTraining: true })).toBe(outcome.saved);
    } finally {
      await store.close();
    }
  });
});
