/**
 * Benchmarks the chunked bar store: `npm run bench:bars` (tsx scripts/bench-bars.ts).
 *
 * Reports, each measured here (not in a timed test), through the async `RunStore` as the CLI
 * uses it, on 1,000,000 one-minute synthetic bars (random-walk doubles, so no value is special):
 * - importing them into a new set of a new file (one transaction, then the WAL checkpoint a
 *   large write gets), and importing them again over themselves (every bar replaced);
 * - loading them all, loading one month (43,200 bars, a range inside the set: only the chunks
 *   it overlaps are read) and one day;
 * - appending a page of 10,000 bars, as a resumed `data fetch` commits them;
 * - chunks per set and bytes per bar on disk; that the loaded bars fingerprint as imported.
 * Everything happens in a temporary folder that is deleted at the end.
 *
 * Floors (checked, exit 1 when missed): import < 0.5 s and load < 0.3 s, medians of 5 and 10
 * runs. Timings scale with machine load, which is printed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BarSeries, sliceBars } from '../src/core/bars.js';
import { fingerprintBars, generateSyntheticBars } from '../src/data/index.js';
import { SqliteRunStore } from '../src/store/sqlite/index.js';

const BARS = 1_000_000;
const MINUTE_MS = 60_000;
const START_MS = Date.UTC(2022, 0, 1);
const MONTH_BARS = 30 * 24 * 60;
const PAGE_BARS = 10_000;
const IMPORT_FLOOR_MS = 500;
const LOAD_FLOOR_MS = 300;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Median wall time of `runs` calls of `fn`, after one warm-up call. */
async function medianMs(runs: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  await fn(-1);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await timed(() => fn(i))).ms);
  return median(samples);
}

const fmt = (ms: number): string => (ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);
let missed = false;
function report(name: string, value: string, floorMs?: number, measuredMs?: number): void {
  let floor = '';
  if (floorMs !== undefined && measuredMs !== undefined) {
    const ok = measuredMs < floorMs;
    missed ||= !ok;
    floor = `  (floor < ${fmt(floorMs)}: ${ok ? 'ok' : 'MISSED'})`;
  }
  console.log(`${name.padEnd(52)} ${value}${floor}`);
}

const dir = mkdtempSync(join(tmpdir(), 'bench-bars-'));
try {
  console.log(`Bar store benchmark (node ${process.version}, temp folder ${dir})`);
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n`,
  );
  const bars: BarSeries = generateSyntheticBars({
    count: BARS + PAGE_BARS,
    seed: 7,
    symbol: 'BTC/USD',
    timeframe: '1Min',
    startTimeMs: START_MS,
  });
  const million = sliceBars(bars, 0, BARS);
  const page = sliceBars(bars, BARS, BARS + PAGE_BARS);

  // Imports into a new file each time: the first write of a set, as `data import` does it.
  let file = 0;
  const importMs = await medianMs(5, async () => {
    const store = SqliteRunStore.open(join(dir, `import-${file++}.db`));
    try {
      await store.importBars(million, { source: 'alpaca', feed: null, adjustment: null });
    } finally {
      await store.close();
    }
  });
  report('import 1,000,000 bars into a new set (median of 5)', fmt(importMs), IMPORT_FLOOR_MS, importMs);

  const path = join(dir, 'import-0.db');
  const store = SqliteRunStore.open(path);
  let stored = 0;
  try {
    const loadMs = await medianMs(10, () => store.loadBars('BTCUSD', '1Min'));
    report('load 1,000,000 bars (median of 10)', fmt(loadMs), LOAD_FLOOR_MS, loadMs);

    const monthFrom = START_MS + 200_000 * MINUTE_MS;
    const month = { fromMs: monthFrom, toMs: monthFrom + MONTH_BARS * MINUTE_MS - 1 };
    const monthMs = await medianMs(20, () => store.loadBars('BTC/USD', '1Min', month));
    const monthBars = (await store.loadBars('BTC/USD', '1Min', month))?.length ?? 0;
    report(`load one month (${monthBars.toLocaleString('en-US')} bars; median of 20)`, fmt(monthMs));
    const day = { fromMs: monthFrom, toMs: monthFrom + 1440 * MINUTE_MS - 1 };
    const dayMs = await medianMs(20, () => store.loadBars('BTC/USD', '1Min', day));
    report('load one day (1,440 bars; median of 20)', fmt(dayMs));

    const loaded = (await store.loadBars('BTC/USD', '1Min')) as BarSeries;
    const same = fingerprintBars(loaded).sha256 === fingerprintBars(million).sha256;
    report('loaded bars fingerprint as imported', same ? 'yes' : 'NO');
    missed ||= !same;

    const reimport = await timed(() => store.importBars(million, { source: 'alpaca', feed: null, adjustment: null }));
    report('import 1,000,000 bars over themselves (all replaced)', fmt(reimport.ms));
    const append = await timed(() => store.importBars(page, { source: 'alpaca', feed: null, adjustment: null }));
    report('append a page of 10,000 bars (one commit)', fmt(append.ms));

    stored = (await store.getBarSet('BTC/USD', '1Min'))?.count ?? 0;
  } finally {
    await store.close();
  }
  // Measured closed, so the WAL has been copied into the file.
  report(
    'file size',
    `${stored.toLocaleString('en-US')} bars, ${(statSync(path).size / stored).toFixed(1)} bytes per bar (6 × 8 of data)`,
  );
  console.log(
    `\nload average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  if (missed) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
