import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import { ConfigError, UsageError } from '../../core/errors.js';
import { loadBarsCsv } from '../../data/index.js';
import { type BacktestRow, downsampleEquity } from '../../store/index.js';
import { SqliteRunStore, TradingDatabase } from '../../store/sqlite/index.js';
import { runBacktest } from '../run-backtest.js';
import { planSweep } from './plan-sweep.js';
import { parseGridFlags } from './parse-grid.js';
import { runSweep, type SweepProgress } from './run-sweep.js';
import { getStrategy } from '../../strategies/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const bars = loadBarsCsv(join(ROOT, 'data/bars/GOOG.csv'), { symbol: 'GOOG', timeframe: '1Day' });

let dir: string;
let db: TradingDatabase;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-test-'));
  db = TradingDatabase.open(join(dir, 'runs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const SWEEP_SECONDS = 60_000;

describe('planSweep', () => {
  it('fills in defaults, skips what the check rejects and filters with --where', () => {
    const smaCross = getStrategy('sma-cross');
    // fast {5,10,15,20} × slow {20,40,60} = 12; the check drops fast=20/slow=20 (fast must be < slow): 11;
    // --where slow - fast >= 30 keeps (5,40) (10,40) (5,60) (10,60) (15,60) (20,60) = 6, so 5 left out.
    const plan = planSweep(smaCross, parseGridFlags(['fast=5..20:5', 'slow=20..60:20'], smaCross), 'slow - fast >= 30');
    expect(plan.gridSize).toBe(12);
    expect(plan.skippedByCheck).toBe(1);
    expect(plan.skippedByWhere).toBe(5);
    expect(plan.params).toHaveLength(6);
    expect(plan.params[0]).toEqual({ fast: 5, slow: 40, short: false });
  });

  it('refuses more than a million combinations before expanding them', () => {
    const smaCross = getStrategy('sma-cross');
    // 1,000 × 1,001 = 1,001,000 combinations
    expect(() => planSweep(smaCross, parseGridFlags(['fast=1..1000', 'slow=1000..2000'], smaCross))).toThrow(
      /1,001,000 combinations is more than the 1,000,000 allowed/,
    );
  });
});

describe('runSweep', () => {
  it('runs every combination on 2 workers and saves each under one sweep id', { timeout: SWEEP_SECONDS }, async () => {
    const progress: SweepProgress[] = [];
    const summary = await runSweep(
      {
        bars,
        strategy: 'sma-cross',
        grid: ['fast=5..20:5', 'slow=20..60:20'],
        workers: 2,
        db: new SqliteRunStore(db),
        batchSize: 2,
      },
      { onProgress: (p) => progress.push(p) },
    );
    // 12 combinations, 1 rejected by fast < slow.
    expect(summary).toMatchObject({
      gridSize: 12,
      total: 11,
      skippedByCheck: 1,
      completed: 11,
      failed: 0,
      saved: 11,
      workers: 2,
    });
    expect(summary.interrupted).toBe(false);
    expect(summary.sweepId).toMatch(/^sweep-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(progress.at(-1)).toMatchObject({ done: 11, total: 11 });

    const rows = db.getBacktestResults({ limit: 1000 });
    expect(rows).toHaveLength(11);
    expect(new Set(rows.map((r) => r.sweep_id))).toEqual(new Set([summary.sweepId]));
    const combos = rows.map((r) => JSON.parse(r.strategy_params_json as string)).map((p) => `${p.fast}/${p.slow}`);
    expect(new Set(combos).size).toBe(11);

    // The top list is the database's own ranking of the sweep, best Sharpe first.
    const ranked = db.getBacktestResults({ sweepId: summary.sweepId, sort: 'sharpe_ratio', limit: 10 });
    expect(summary.top.map((r) => r.id)).toEqual(ranked.map((r) => r.id));
    const bestSharpe = Math.max(...rows.map((r) => r.sharpe_ratio ?? Number.NEGATIVE_INFINITY));
    expect(summary.top[0]?.metrics.sharpe_ratio).toBe(bestSharpe);

    // Two saved runs, picked at random, match a direct backtest of the same parameters exactly.
    for (let k = 0; k < 2; k++) {
      const row = rows[Math.floor(Math.random() * rows.length)] as BacktestRow;
      const params = JSON.parse(row.strategy_params_json as string);
      const direct = await runBacktest({ bars, strategy: 'sma-cross', params });
      for (const { name } of METRIC_CATALOG) {
        expect([name, (row as unknown as Record<string, unknown>)[name]]).toEqual([name, direct.metrics[name]]);
      }
      expect(row.bars_sha256).toBe(direct.bars.sha256);
      // The stored curve is the direct run's curve cut to at most 300 points.
      const small = downsampleEquity(direct.equityCurve);
      const stored = db.getEquityCurve(row.id);
      expect(stored?.timeMs).toEqual(small.timeMs);
      expect(stored?.equity).toEqual(small.equity);
      // And it remembers how many points the full curve had (one per bar).
      expect(stored?.sourcePointCount).toBe(bars.length);
    }
  });

  it('ranks in memory and saves nothing without a database', { timeout: SWEEP_SECONDS }, async () => {
    const summary = await runSweep({
      bars,
      strategy: 'sma-cross',
      grid: ['fast=5,10', 'slow=30,50'],
      workers: 1,
      metric: 'max_drawdown',
      top: 3,
    });
    expect(summary).toMatchObject({ total: 4, completed: 4, saved: 0 });
    expect(summary.top).toHaveLength(3);
    expect(summary.top.every((r) => r.id === undefined)).toBe(true);
    // max_drawdown is negative; "best" is the one closest to zero, so the list is descending.
    const drawdowns = summary.top.map((r) => r.metrics.max_drawdown);
    expect([...drawdowns].sort((a, b) => b - a)).toEqual(drawdowns);
    const direct = await Promise.all(
      [
        [5, 30],
        [5, 50],
        [10, 30],
        [10, 50],
      ].map(([fast, slow]) => runBacktest({ bars, strategy: 'sma-cross', params: { fast, slow } })),
    );
    expect(drawdowns[0]).toBe(Math.max(...direct.map((r) => r.metrics.max_drawdown)));
  });

  it('stops on abort, keeping exactly the runs already received', { timeout: SWEEP_SECONDS }, async () => {
    const controller = new AbortController();
    const summary = await runSweep(
      // 39 × 6 = 234 runs, dealt out 2 at a time so the first results arrive long before the end.
      {
        bars,
        strategy: 'sma-cross',
        grid: ['fast=2..40', 'slow=50..100:10'],
        workers: 2,
        db: new SqliteRunStore(db),
        batchSize: 2,
      },
      { signal: controller.signal, onProgress: (p) => p.done >= 4 && controller.abort() },
    );
    expect(summary.interrupted).toBe(true);
    expect(summary.total).toBe(234);
    expect(summary.completed).toBeGreaterThanOrEqual(4);
    expect(summary.completed).toBeLessThan(234);
    expect(summary.saved).toBe(summary.completed);
    expect(db.countBacktestResults({ sweepId: summary.sweepId })).toBe(summary.saved);
  });

  it('counts a run that throws as failed and finishes the others', { timeout: SWEEP_SECONDS }, async () => {
    const module = join(dir, 'fragile.mjs');
    writeFileSync(
      module,
      `export default {
        name: 'fragile', description: 'throws for n = 3',
        params: [{ name: 'n', type: 'integer', default: 1, description: 'n' }],
        create(params) { if (params.n === 3) throw new Error('n = 3 is not supported'); return { onBar: () => 1 }; },
      };\n`,
    );
    const summary = await runSweep({
      bars,
      strategy: module,
      grid: ['n=1..5'],
      workers: 2,
      db: new SqliteRunStore(db),
      batchSize: 1,
    });
    expect(summary).toMatchObject({ total: 5, completed: 4, failed: 1, saved: 4 });
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]?.params).toEqual({ n: 3 });
    expect(summary.failures[0]?.message).toMatch(/n = 3 is not supported$/);
    expect(db.countBacktestResults({ sweepId: summary.sweepId })).toBe(4);
  });

  it('rejects bad input before starting any worker', async () => {
    await expect(runSweep({ bars, strategy: 'sma-cross', grid: ['speed=1..3'] })).rejects.toThrow(UsageError);
    await expect(
      runSweep({ bars, strategy: 'sma-cross', grid: ['fast=1..3'], metric: 'total_trades' }),
    ).rejects.toThrow(/cannot rank a sweep by "total_trades"/);
    await expect(runSweep({ bars, strategy: 'sma-cross', grid: ['fast=1..3'], config: { size: 2 } })).rejects.toThrow(
      ConfigError,
    );
    await expect(runSweep({ bars, strategy: 'sma-cross', grid: ['fast=5'], where: 'process.exit()' })).rejects.toThrow(
      UsageError,
    );
  });

  it('loses no row when another process writes to the same database at once', { timeout: SWEEP_SECONDS }, async () => {
    const path = join(dir, 'runs.db');
    const saves = 1500;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/store/sqlite/fixtures/save-many.ts'), path, '7', String(saves)],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // 39 × 6 = 234 runs, saved in small transactions to interleave with the other writer.
    const summary = await runSweep({
      bars,
      strategy: 'sma-cross',
      grid: ['fast=2..40', 'slow=50..100:10'],
      workers: 2,
      db: new SqliteRunStore(db),
      saveBatchSize: 10,
    });
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(summary).toMatchObject({ total: 234, completed: 234, saved: 234 });
    expect(db.countBacktestResults({ sweepId: summary.sweepId })).toBe(234);
    expect(db.countBacktestResults({ symbol: 'W7' })).toBe(saves);
    expect(db.countBacktestResults()).toBe(234 + saves);
  });
});
