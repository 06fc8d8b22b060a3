import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deflatedSharpeRatio, probabilisticSharpeRatio, YEAR_MS } from '../metrics/index.js';
import type { BacktestInput, RunStore } from '../store/index.js';
import { SqliteRunStore } from '../store/sqlite/index.js';
import { makeTempDir } from '../store/sqlite/test-support.js';
import { findBestRun } from './best-run-report.js';
import { describeDeflatedSharpe, familyDeflatedSharpe, loadFamilyDeflatedSharpe } from './family-deflated-sharpe.js';

const T0_MS = Date.UTC(2020, 0, 1);

let cleanup: () => void;
let store: RunStore;

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = makeTempDir());
  store = SqliteRunStore.open(`${dir}/runs.db`);
});

afterEach(async () => {
  await store.close();
  cleanup();
});

/**
 * A run of `returns` per-bar returns over `years` (so `returns / years` bars a year) with an
 * annualized Sharpe ratio; metrics and moments overridable.
 */
function run(
  sharpe: number | null,
  options: {
    readonly returns?: number;
    readonly years?: number;
    readonly skewness?: number | null;
    readonly kurtosis?: number | null;
    readonly storedCount?: boolean;
    readonly trades?: number;
    readonly sweepId?: string;
  } = {},
): BacktestInput {
  const { returns = 1250, years = 5, skewness = 0, kurtosis = 3, storedCount = true, trades = 10 } = options;
  const lastTimeMs = T0_MS + Math.round(years * YEAR_MS);
  return {
    symbol: 'GOOG',
    timeframe: '1Day',
    runTimestamp: 1_700_000_000,
    startDate: Math.floor(T0_MS / 1000),
    endDate: Math.floor(lastTimeMs / 1000),
    initialCapital: 10_000,
    finalEquity: 11_000,
    totalReturn: 10,
    sweepId: options.sweepId,
    bars: { sha256: 'ab'.repeat(32), count: returns + 1, firstTimeMs: T0_MS, lastTimeMs },
    metrics: {
      sharpe_ratio: sharpe,
      total_trades: trades,
      returns_skewness: skewness,
      returns_kurtosis: kurtosis,
      ...(storedCount ? { returns_count: returns } : {}),
    },
  };
}

describe('familyDeflatedSharpe', () => {
  it('reproduces the paper’s example from stored runs: 100 trials, SR 2.5, V 1/2, skew −3, kurtosis 10', async () => {
    // 5 years of 250 returns a year; the other 99 Sharpe ratios ±c (49 each) and 0, with c
    // chosen so that the sample variance of all 100 annualized values is exactly 1/2:
    // mean 0.025, (2.475² + 98c² + 99 × 0.025²) / 99 = 0.5 ⇒ 98c² = 49.5 − 6.125625 − 0.061875.
    const c = Math.sqrt((49.5 - 6.125625 - 0.061875) / 98);
    const others = [...Array.from({ length: 49 }, () => c), ...Array.from({ length: 49 }, () => -c), 0];
    const winner = await store.saveRun(run(2.5, { skewness: -3, kurtosis: 10, sweepId: 'paper' }));
    await store.saveRuns(others.map((s) => run(s, { sweepId: 'paper' })));
    const row = await store.getRun(winner);
    const dsr = await loadFamilyDeflatedSharpe(store, row);
    expect(dsr).toMatchObject({
      runId: winner,
      trials: 100,
      sharpeCount: 100,
      observations: 1250,
      assumedNormal: false,
    });
    expect(dsr.periodsPerYear).toBeCloseTo(250, 6);
    expect(dsr.sharpeVariance).toBeCloseTo(0.5 / 250, 12);
    expect(dsr.expectedMaxSharpe).toBeCloseTo(0.1132, 4);
    expect(dsr.probability).toBeCloseTo(0.9004, 4);
    expect(describeDeflatedSharpe(dsr)).toBe(
      "Deflated Sharpe ratio 0.900: a probability of 90.0% that this run's true Sharpe ratio is above 1.789 " +
        '(annualized), which the best of 100 runs without any edge would reach by luck alone',
    );
  });

  it('de-annualizes each run with its own bars per year, and counts runs without a Sharpe ratio as trials', async () => {
    const winner = await store.saveRun(run(2, { returns: 500, years: 2, skewness: 0.5, kurtosis: 4 }));
    await store.saveRun(run(1, { returns: 6000, years: 1 })); // hourly-like: 6,000 a year
    await store.saveRun(run(-0.5, { returns: 120, years: 10, storedCount: false })); // 12 a year, from bars − 1
    await store.saveRun(run(null)); // flat: no Sharpe ratio, still a trial
    const row = await store.getRun(winner);
    const family = await store.sharpeFamily({ symbol: 'GOOG', timeframe: '1Day' });
    const dsr = familyDeflatedSharpe(row, family);
    const perBar = [2 / Math.sqrt(250), 1 / Math.sqrt(6000), -0.5 / Math.sqrt(12)];
    const mean = perBar.reduce((a, b) => a + b, 0) / 3;
    const variance = perBar.reduce((a, b) => a + (b - mean) ** 2, 0) / 2;
    expect(dsr).toMatchObject({ trials: 4, sharpeCount: 3, observations: 500, skewness: 0.5, kurtosis: 4 });
    expect(dsr.sharpeVariance).toBeCloseTo(variance, 9);
    expect(dsr.probability).toBeCloseTo(
      deflatedSharpeRatio({
        sharpe: 2 / Math.sqrt(250),
        sharpeVariance: variance,
        trials: 4,
        observations: 500,
        skewness: 0.5,
        kurtosis: 4,
      }),
      9,
    );
    expect(describeDeflatedSharpe(dsr)).toContain('(spread taken from the 3 of 4 runs with a Sharpe ratio)');
  });

  it('treats a run without stored skewness and kurtosis as normal, and says so', async () => {
    const id = await store.saveRun(run(0.5, { skewness: null, kurtosis: null }));
    const dsr = await loadFamilyDeflatedSharpe(store, await store.getRun(id));
    expect(dsr).toMatchObject({ trials: 1, assumedNormal: true, skewness: 0, kurtosis: 3, expectedMaxSharpe: 0 });
    // One trial: the probabilistic Sharpe ratio against 0.
    expect(dsr.probability).toBe(
      probabilisticSharpeRatio({
        sharpe: 0.5 / Math.sqrt(250),
        benchmarkSharpe: 0,
        observations: 1250,
        skewness: 0,
        kurtosis: 3,
      }),
    );
    const line = describeDeflatedSharpe(dsr);
    expect(line).toMatch(/^Probabilistic Sharpe ratio 0\.\d{3}: a probability of \d+\.\d% that this run's true Sharpe/);
    expect(line).toContain('(returns assumed normal: the run was saved before their skewness and kurtosis were)');
    // Near certainty is never rounded to it.
    const strong = await store.saveRun(run(3, { sweepId: 'strong' }));
    expect(describeDeflatedSharpe(await loadFamilyDeflatedSharpe(store, await store.getRun(strong)))).toMatch(
      /^Probabilistic Sharpe ratio > 0\.999: a probability of over 99\.9% that/,
    );
  });

  it('says why it is not available', async () => {
    const flat = await store.saveRun(run(null, { sweepId: 'a' }));
    await store.saveRun(run(1, { sweepId: 'a' }));
    const noSharpe = await loadFamilyDeflatedSharpe(store, await store.getRun(flat));
    expect(noSharpe).toMatchObject({ probability: null, unavailable: 'the run has no Sharpe ratio' });
    expect(describeDeflatedSharpe(noSharpe)).toBe(
      'Deflated Sharpe ratio: not available over 2 runs: the run has no Sharpe ratio',
    );
    const lone = await store.saveRun(run(1, { sweepId: 'b' }));
    await store.saveRun(run(null, { sweepId: 'b' }));
    expect((await loadFamilyDeflatedSharpe(store, await store.getRun(lone))).unavailable).toBe(
      'fewer than 2 of the 2 runs have a Sharpe ratio that can be de-annualized, so their spread is unknown',
    );
  });
});

describe('findBestRun', () => {
  it('deflates the winner over every run it was chosen from, those --min-trades left out too', async () => {
    const best = await store.saveRun(run(1.8, { trades: 20 }));
    await store.saveRun(run(0.4, { trades: 20 }));
    await store.saveRun(run(2.5, { trades: 0 })); // left out of the ranking, but tried
    await store.saveRun(run(null, { trades: 0 }));
    const report = await findBestRun(store, { symbol: 'goog', timeframe: '1d', metric: 'sharpe_ratio', minTrades: 1 });
    expect(report).toMatchObject({ matching: 4, withValue: 3, ranked: 2, trials: 4, minDsr: null });
    expect(report.best?.id).toBe(best);
    expect(report.deflatedSharpe).toMatchObject({ runId: best, trials: 4, sharpeCount: 3 });
    const probability = report.deflatedSharpe?.probability ?? Number.NaN;
    expect(probability).toBeGreaterThan(0);
    expect(probability).toBeLessThan(1);
    // --min-dsr: kept at or below its probability, turned down above it.
    const kept = await findBestRun(store, {
      symbol: 'GOOG',
      timeframe: '1Day',
      metric: 'sharpe_ratio',
      minTrades: 1,
      minDsr: probability,
    });
    expect(kept.best?.id).toBe(best);
    const refused = await findBestRun(store, {
      symbol: 'GOOG',
      timeframe: '1Day',
      metric: 'sharpe_ratio',
      minTrades: 1,
      minDsr: Math.min(1, probability + 1e-6),
    });
    expect(refused).toMatchObject({ best: null, trials: 4, deflatedSharpe: { runId: best } });
  });

  it('has no deflated Sharpe ratio when no run is ranked', async () => {
    await store.saveRun(run(1, { trades: 0 }));
    const report = await findBestRun(store, {
      symbol: 'GOOG',
      timeframe: '1Day',
      metric: 'sharpe_ratio',
      minTrades: 1,
    });
    expect(report).toMatchObject({ best: null, matching: 1, ranked: 0, trials: 1, deflatedSharpe: null });
  });
});
