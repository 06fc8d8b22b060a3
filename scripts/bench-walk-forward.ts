/**
 * Benchmarks walk-forward optimization (part of `npm run bench:sweep`): 10 windows × 200
 * sma-cross configurations (fast 1..20 × slow 30..120:10) on 100,000 seeded synthetic hourly
 * bars, rolling, train 20,000 bars, test 8,000 bars: 2,000 training runs of 20,000 bars, 10 test
 * runs with their warm-up, the stitched run. Run twice: without saving, then saving everything
 * (the group, its windows, 2,000 training runs and the stitched run) to a temporary database.
 *
 * Floor (checked, exit 1 when missed): under 10 s wall time for each, on the machine's cores
 * (2 on this project's machine). Options: `--workers N` (default: available parallelism).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWalkForward } from '../src/app/walk-forward/run-walk-forward.js';
import { generateSyntheticBars } from '../src/data/index.js';
import { SqliteRunStore } from '../src/store/sqlite/index.js';

const BARS = 100_000;
const FLOOR_SECONDS = 10;
const workersFlag = process.argv.indexOf('--workers');
const workers = workersFlag === -1 ? availableParallelism() : Number(process.argv[workersFlag + 1]);

const bars = generateSyntheticBars({ count: BARS, seed: 42, symbol: 'BENCH', timeframe: '1Hour' });
const dir = mkdtempSync(join(tmpdir(), 'bench-walk-forward-'));
let missed = false;
try {
  for (const save of [false, true]) {
    const store = save ? SqliteRunStore.open(join(dir, 'wf.db')) : undefined;
    const cpuBefore = process.cpuUsage();
    const startMs = performance.now();
    const outcome = await runWalkForward(
      {
        bars,
        strategy: 'sma-cross',
        grid: ['fast=1..20', 'slow=30..120:10'],
        train: '20000bars',
        test: '8000bars',
        workers,
        ...(store === undefined ? {} : { db: store }),
      },
      {
        onStart: (start) =>
          console.log(
            `walk-forward${save ? ', saved' : ''}: ${start.windows.length} windows × ${start.configurations} sma-cross configurations = ${start.total} training runs on ${BARS.toLocaleString('en-US')} synthetic bars, ${start.workers} workers`,
          ),
      },
    );
    const wallSeconds = (performance.now() - startMs) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await store?.close();
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const trainingBars =
      outcome.results.reduce((sum, w) => sum + (w.trainTo - w.trainFrom), 0) * outcome.configurations;
    console.log(`  wall time        ${wallSeconds.toFixed(2)} s (floor ${FLOOR_SECONDS} s)`);
    console.log(
      `  training runs    ${outcome.completed} completed, ${outcome.failed} failed${save ? `, ${outcome.saved} saved, stitched run id=${outcome.stitchedRunId}` : ''}`,
    );
    console.log(`  throughput       ${(trainingBars / wallSeconds / 1e6).toFixed(1)} M training bars/s`);
    console.log(
      `  stitched         ${outcome.stitched?.bars.count} bars, Sharpe ${outcome.stitched?.metrics.sharpe_ratio?.toFixed(3)}, efficiency ${outcome.efficiency?.toFixed(3) ?? 'n/a'}`,
    );
    console.log(
      `  process CPU      ${cpuSeconds.toFixed(2)} s = ${(cpuSeconds / wallSeconds).toFixed(2)} cores busy on average (of ${availableParallelism()})`,
    );
    if (outcome.results.length !== 10 || outcome.configurations !== 200) {
      console.error('the benchmark did not run 10 windows × 200 configurations');
      missed = true;
    }
    if (wallSeconds >= FLOOR_SECONDS) {
      console.error(`  MISSED the floor: ${wallSeconds.toFixed(2)} s is not under ${FLOOR_SECONDS} s`);
      missed = true;
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (missed) process.exitCode = 1;
