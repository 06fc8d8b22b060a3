/**
 * A configuration that hangs, calls process.exit() or runs out of memory fails alone: real
 * worker threads running real strategy modules, no mocks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBarsCsv } from '../../data/index.js';
import { SqliteRunStore, TradingDatabase } from '../../store/sqlite/index.js';
import { InterruptedError } from './interrupted-error.js';
import { runSweep } from './run-sweep.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const bars = loadBarsCsv(join(ROOT, 'data/bars/GOOG.csv'), { symbol: 'GOOG', timeframe: '1Day' });
const SWEEP_MS = 60_000;

let dir: string;
let db: TradingDatabase;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sweep-isolation-'));
  db = TradingDatabase.open(join(dir, 'runs.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A strategy module with one integer parameter `n` whose `onBar` misbehaves when `n === bad`. */
function writeStrategy(name: string, bad: number, misbehave: string): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(
    path,
    `export default {
      name: '${name}', description: 'misbehaves for n = ${bad}',
      params: [{ name: 'n', type: 'integer', default: 1, description: 'n' }],
      create(params) {
        return { onBar: () => { if (params.n === ${bad}) { ${misbehave} } return 1; } };
      },
    };\n`,
  );
  return path;
}

/** The `n` of every run saved under the sweep, sorted. */
function savedValues(sweepId: string): number[] {
  return db
    .getBacktestResults({ sweepId, limit: 1000 })
    .map((row) => (JSON.parse(row.strategy_params_json as string) as { n: number }).n)
    .sort((a, b) => a - b);
}

describe('a configuration that misbehaves fails alone', () => {
  it('one that loops forever is stopped after --run-timeout; the others complete and are saved', {
    timeout: SWEEP_MS,
  }, async () => {
    const strategy = writeStrategy('endless', 3, 'while (true) {}');
    const startedMs = performance.now();
    const summary = await runSweep({
      bars,
      strategy,
      grid: ['n=1..8'],
      workers: 2,
      // All eight in flight at once, so runs queued behind n = 3 on its worker must be retried.
      batchSize: 4,
      runTimeoutSeconds: 1,
      db: new SqliteRunStore(db),
    });
    expect(summary).toMatchObject({ total: 8, completed: 7, failed: 1, saved: 7, interrupted: false });
    expect(summary.failures).toEqual([{ params: { n: 3 }, message: 'timed out after 1 s' }]);
    expect(savedValues(summary.sweepId)).toEqual([1, 2, 4, 5, 6, 7, 8]);
    // Stopped within a check interval (a quarter of the timeout) of the timeout, not hung.
    expect(performance.now() - startedMs).toBeLessThan(15_000);
    const stored = await new SqliteRunStore(db).findSweep(summary.sweepId);
    expect(stored).toMatchObject({ status: 'completed', planned: 8, done: 8, failed: 1 });
  });

  it('one that calls process.exit(3) fails; those in flight on the same worker complete', {
    timeout: SWEEP_MS,
  }, async () => {
    const strategy = writeStrategy('quitter', 2, 'process.exit(3);');
    const summary = await runSweep({
      bars,
      strategy,
      grid: ['n=1..6'],
      // One worker holding every run: n = 3..6 wait behind n = 2 when it exits.
      workers: 1,
      batchSize: 6,
      db: new SqliteRunStore(db),
    });
    expect(summary).toMatchObject({ total: 6, completed: 5, failed: 1, saved: 5 });
    expect(summary.failures).toEqual([{ params: { n: 2 }, message: 'the worker exited with code 3 while running it' }]);
    expect(savedValues(summary.sweepId)).toEqual([1, 3, 4, 5, 6]);
  });

  it('one that allocates without bound runs out of its worker memory limit and fails alone', {
    timeout: SWEEP_MS,
  }, async () => {
    const strategy = writeStrategy(
      'hungry',
      4,
      'const kept = []; for (;;) kept.push(new Array(100_000).fill(params.n));',
    );
    const summary = await runSweep({
      bars,
      strategy,
      grid: ['n=1..6'],
      workers: 1,
      batchSize: 6,
      // Small, so the worker hits its limit in well under a second.
      workerMemoryMb: 48,
      db: new SqliteRunStore(db),
    });
    expect(summary).toMatchObject({ total: 6, completed: 5, failed: 1, saved: 5 });
    expect(summary.failures).toEqual([
      { params: { n: 4 }, message: 'ran out of memory while running it (the limit is 48 MB per worker)' },
    ]);
    expect(savedValues(summary.sweepId)).toEqual([1, 2, 3, 5, 6]);
  });

  it('a strategy that cannot load fails every run without restarting workers forever', {
    timeout: SWEEP_MS,
  }, async () => {
    const strategy = join(dir, 'broken.mjs');
    writeFileSync(
      strategy,
      `export default {
      name: 'broken', description: 'quits while loading in a worker',
      params: [{ name: 'n', type: 'integer', default: 1, description: 'n' }],
      create() { return { onBar: () => 1 }; },
    };
    import { isMainThread } from 'node:worker_threads';
    if (!isMainThread) process.exit(9);\n`,
    );
    const summary = await runSweep({ bars, strategy, grid: ['n=1..5'], workers: 2, db: new SqliteRunStore(db) });
    expect(summary).toMatchObject({ total: 5, completed: 0, failed: 5, saved: 0 });
    expect(new Set(summary.failures.map((f) => f.message))).toEqual(
      new Set(['the worker exited with code 9 while loading the strategy']),
    );
  });
});

describe('planning', () => {
  it('a million-combination grid stops at once on abort, before anything is stored', {
    timeout: SWEEP_MS,
  }, async () => {
    const controller = new AbortController();
    let planningMs = 0;
    const planning = runSweep(
      // 1,000 × 1,000 = 1,000,000 combinations: seconds to expand in one go.
      {
        bars,
        strategy: 'sma-cross',
        grid: ['fast=1..1000', 'slow=1001..2000'],
        db: async () => new SqliteRunStore(db),
      },
      {
        onPlan: (size) => {
          expect(size).toBe(1_000_000);
          setTimeout(() => {
            planningMs = performance.now();
            controller.abort();
          }, 100);
        },
        signal: controller.signal,
      },
    );
    await expect(planning).rejects.toThrow(InterruptedError);
    expect(performance.now() - planningMs).toBeLessThan(500);
    expect(db.countBacktestResults()).toBe(0);
    expect(await new SqliteRunStore(db).listSweeps({})).toEqual([]);
  });
});
