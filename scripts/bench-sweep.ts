/**
 * Benchmarks parameter sweeps: `npm run bench:sweep` (tsx scripts/bench-sweep.ts).
 *
 * 1,000 sma-cross configurations (fast 1..40 × slow 55..295:10 = 40 × 25) on 100,000 seeded synthetic bars, every run saved to a temporary database.
 * Prints wall time, runs per second and CPU use: the process's CPU time (main thread and
 * workers together) over wall time, so 2.0 means two cores were busy the whole time, plus the
 * whole machine's busy share from /proc/stat when it exists.
 *
 * Then `overfit`: the probability of backtest overfitting of that sweep, as `backtest overfit`
 * computes it (reading 1,000 runs × 2,000 period returns, CSCV over the C(16, 8) = 12,870 splits,
 * storing the result).
 *
 * Floors (checked, exit 1 when missed): under 10 s wall time for the sweep, under 2 s for overfit.
 * Options: `--workers N` (default: available parallelism).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../src/app/sweep/run-sweep.js';
import { assessSweepOverfit, storeSweepOverfit } from '../src/app/sweep-overfit.js';
import { generateSyntheticBars } from '../src/data/index.js';
import { SqliteRunStore, TradingDatabase } from '../src/store/sqlite/index.js';

const RUNS = 1_000;
const BARS = 100_000;
const FLOOR_SECONDS = 10;
const OVERFIT_FLOOR_SECONDS = 2;

const workersFlag = process.argv.indexOf('--workers');
const workers = workersFlag === -1 ? availableParallelism() : Number(process.argv[workersFlag + 1]);

/** Busy and total jiffies of all CPUs, or undefined off Linux. */
function readCpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((sum, v) => sum + v, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

// Hourly: 100,000 daily bars would run past the year 2200, which saves refuse as implausible.
const bars = generateSyntheticBars({ count: BARS, seed: 42, symbol: 'BENCH', timeframe: '1Hour' });
const dir = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
const db = TradingDatabase.open(join(dir, 'sweep.db'));
try {
  // fast 1..40 × slow 55, 65, …, 295 = 40 × 25 = 1,000 runs, every one with fast < slow.
  const cpuBefore = process.cpuUsage();
  const machineBefore = readCpuTimes();
  const startMs = performance.now();
  const summary = await runSweep(
    { bars, strategy: 'sma-cross', grid: ['fast=1..40', 'slow=55..295:10'], workers, db: new SqliteRunStore(db) },
    {
      onStart: (start) =>
        console.log(
          `${start.total} sma-cross runs on ${BARS.toLocaleString('en-US')} synthetic bars, ${start.workers} workers`,
        ),
    },
  );
  const wallSeconds = (performance.now() - startMs) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = readCpuTimes();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const saved = db.countBacktestResults({ sweepId: summary.sweepId });

  console.log(`wall time        ${wallSeconds.toFixed(2)} s (floor ${FLOOR_SECONDS} s)`);
  console.log(`runs             ${summary.completed} completed, ${summary.failed} failed, ${saved} rows saved`);
  console.log(
    `throughput       ${(summary.completed / wallSeconds).toFixed(0)} runs/s, ${((summary.completed * BARS) / wallSeconds / 1e6).toFixed(1)} M bars/s`,
  );
  console.log(
    `process CPU      ${cpuSeconds.toFixed(2)} s = ${(cpuSeconds / wallSeconds).toFixed(2)} cores busy on average (of ${availableParallelism()})`,
  );
  if (machineBefore !== undefined && machineAfter !== undefined) {
    const busy = (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
    console.log(`machine CPU      ${(busy * 100).toFixed(0)} % busy across all cores (/proc/stat)`);
  }

  const store = new SqliteRunStore(db);
  const overfitStartMs = performance.now();
  const report = await assessSweepOverfit(store, summary.sweepId);
  await storeSweepOverfit(store, report);
  const overfitSeconds = (performance.now() - overfitStartMs) / 1000;
  const { overfit } = report;
  console.log(
    `overfit          ${overfitSeconds.toFixed(2)} s (floor ${OVERFIT_FLOOR_SECONDS} s): ${overfit.configurations} runs × ${overfit.periods} periods, ${overfit.splits} splits; PBO ${overfit.pbo.toFixed(3)}`,
  );

  if (summary.total !== RUNS || saved !== RUNS) {
    console.error(`expected ${RUNS} runs saved, got ${summary.total} planned and ${saved} saved`);
    process.exitCode = 1;
  } else if (wallSeconds >= FLOOR_SECONDS) {
    console.error(`too slow: ${wallSeconds.toFixed(2)} s is over the ${FLOOR_SECONDS} s floor`);
    process.exitCode = 1;
  }
  if (overfitSeconds >= OVERFIT_FLOOR_SECONDS) {
    console.error(`overfit too slow: ${overfitSeconds.toFixed(2)} s is over the ${OVERFIT_FLOOR_SECONDS} s floor`);
    process.exitCode = 1;
  }
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
