/**
 * Benchmarks the SQLite store: `npm run bench:db` (tsx scripts/bench-db.ts).
 *
 * Reports single durable saves (each one committed transaction) with synchronous=NORMAL and
 * FULL, 100,000 saves in one transaction, best-of and list queries on a 1,000,000-row database
 * (100 symbols × 4 timeframes, rows interleaved at random — the worst case for locality), and
 * bytes per row. Everything happens in a temporary folder that is deleted at the end.
 *
 * Floors (checked, exit 1 when missed): single NORMAL save < 0.2 ms median, best-of < 2 ms,
 * newest-first list (limit 100) < 2 ms. Timings scale with machine load, which is printed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricName } from '../src/core/metric-catalog.js';
import type { BacktestInput } from '../src/store/index.js';
import { TradingDatabase } from '../src/store/sqlite/index.js';

const SYMBOLS = Array.from({ length: 100 }, (_, i) => `SYM${String(i).padStart(3, '0')}`);
const TIMEFRAMES = ['1Min', '1Hour', '4Hour', '1Day'];
const TOTAL_ROWS = 1_000_000;
const BATCH_ROWS = 100_000;

/** Deterministic pseudo-random numbers (mulberry32) so every run builds the same database. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(42);

/** A realistic run: every metric, a full config, a bars fingerprint; no equity curve unless asked. */
function makeInput(i: number, withCurve = false): BacktestInput {
  const symbol = SYMBOLS[Math.floor(rand() * SYMBOLS.length)] as string;
  const timeframe = TIMEFRAMES[Math.floor(rand() * TIMEFRAMES.length)] as string;
  const fast = 5 + Math.floor(rand() * 20);
  const slow = fast + 10 + Math.floor(rand() * 50);
  const totalReturn = (rand() - 0.4) * 100;
  const trades = Math.floor(rand() * 200);
  const input: BacktestInput = {
    symbol,
    timeframe,
    runTimestamp: 1_700_000_000 + i,
    startDate: 1_577_836_800,
    endDate: 1_704_067_200,
    initialCapital: 10_000,
    finalEquity: 10_000 * (1 + totalReturn / 100),
    totalReturn,
    config: {
      strategy: { name: 'sma-cross', params: { fast, slow } },
      initialCash: 10_000,
      commission: 0.001,
      fixedFee: 0,
      slippageBps: 5,
      size: 1,
      fractional: false,
      fillAt: 'next-open',
      riskFreeRate: 0.02,
    },
    metrics: {
      cagr: totalReturn / 4,
      volatility: 10 + rand() * 30,
      sharpe_ratio: rand() * 4 - 1,
      sortino_ratio: rand() * 5 - 1,
      calmar_ratio: rand() * 3,
      max_drawdown: -rand() * 50,
      max_drawdown_duration: Math.floor(rand() * 500),
      win_rate: trades === 0 ? null : rand() * 100,
      profit_factor: rand() < 0.01 ? Infinity : rand() * 3,
      total_trades: trades,
      avg_trade_pnl: rand() * 200 - 50,
      best_trade: rand() * 30,
      worst_trade: -rand() * 30,
      avg_trade_duration: rand() * 40,
      exposure: rand() * 100,
      buy_and_hold_return: 80,
      expectancy: rand() * 2 - 0.5,
      sqn: rand() * 4 - 1,
    },
    strategyName: 'sma-cross',
    strategyParams: { fast, slow },
    bars: {
      sha256: 'a3f1c0de'.repeat(8),
      count: 1006,
      firstTimeMs: 1_577_836_800_000,
      lastTimeMs: 1_704_067_200_000,
    },
    packageVersion: '0.1.0',
  };
  if (!withCurve) return input;
  const n = 2520;
  const timeMs = Float64Array.from({ length: n }, (_, k) => 1_577_836_800_000 + k * 86_400_000);
  let equity = 10_000;
  const curve = Float64Array.from({ length: n }, () => (equity *= 1 + (rand() - 0.49) * 0.02));
  return { ...input, equityCurve: { timeMs, equity: curve } };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Median and p95 of `fn`'s wall time in ms over `runs` calls after `warmup` calls. */
function time(runs: number, warmup: number, fn: (i: number) => void): { medianMs: number; p95Ms: number } {
  for (let i = 0; i < warmup; i++) fn(i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { medianMs: median(samples), p95Ms: percentile(samples, 95) };
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const results: { name: string; value: string; floor?: string; ok?: boolean }[] = [];
function report(name: string, value: string, floorMs?: number, measuredMs?: number): void {
  const entry: (typeof results)[number] = { name, value };
  if (floorMs !== undefined && measuredMs !== undefined) {
    entry.floor = `< ${fmt(floorMs)}`;
    entry.ok = measuredMs < floorMs;
  }
  results.push(entry);
  console.log(
    `${name.padEnd(58)} ${value}${entry.floor === undefined ? '' : `  (floor ${entry.floor}: ${entry.ok ? 'ok' : 'MISSED'})`}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'bench-db-'));
try {
  console.log(`SQLite store benchmark (node ${process.version}, temp folder ${dir})`);
  // Timings on a shared machine scale with its load; print it so numbers can be read in context.
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n`,
  );

  // Single saves: one committed BEGIN IMMEDIATE transaction each, WAL journal.
  for (const synchronous of ['normal', 'full'] as const) {
    const db = TradingDatabase.open(join(dir, `single-${synchronous}.db`), { synchronous });
    const inputs = Array.from({ length: 2200 }, (_, i) => makeInput(i));
    const runs = synchronous === 'normal' ? 2000 : 500;
    const t = time(runs, 200, (i) => db.saveBacktestResult(inputs[i % inputs.length] as BacktestInput));
    report(
      `single save, synchronous=${synchronous.toUpperCase()} (median, p95)`,
      `${fmt(t.medianMs)}, ${fmt(t.p95Ms)}`,
      synchronous === 'normal' ? 0.2 : undefined,
      t.medianMs,
    );
    if (synchronous === 'normal') {
      const withCurve = Array.from({ length: 50 }, (_, i) => makeInput(i, true));
      const c = time(500, 50, (i) => db.saveBacktestResult(withCurve[i % withCurve.length] as BacktestInput));
      report('single save + 2,520-point equity curve, NORMAL (median)', fmt(c.medianMs));
    }
    db.close();
  }

  // The 1M-row database, built in batches of 100,000 saves per transaction.
  const bigPath = join(dir, 'big.db');
  const big = TradingDatabase.open(bigPath);
  let built = 0;
  let firstBatchMs = 0;
  const buildStart = performance.now();
  while (built < TOTAL_ROWS) {
    const inputs = Array.from({ length: BATCH_ROWS }, (_, k) => makeInput(built + k));
    const start = performance.now();
    big.saveBacktestResults(inputs);
    const elapsed = performance.now() - start;
    if (built === 0) firstBatchMs = elapsed;
    built += BATCH_ROWS;
  }
  report(
    '100,000 saves in one transaction (validation included)',
    `${(firstBatchMs / 1000).toFixed(2)} s (${fmt(firstBatchMs / BATCH_ROWS)} per row)`,
  );
  report(
    `build ${TOTAL_ROWS.toLocaleString('en')} rows (10 transactions, incl. input generation)`,
    `${((performance.now() - buildStart) / 1000).toFixed(1)} s`,
  );

  const pair = (i: number) =>
    [SYMBOLS[(i * 37) % SYMBOLS.length] as string, TIMEFRAMES[i % TIMEFRAMES.length] as string] as const;
  const metrics: MetricName[] = ['total_return', 'sharpe_ratio', 'max_drawdown', 'volatility', 'profit_factor'];
  for (const metric of metrics) {
    const t = time(200, 20, (i) => {
      const [symbol, timeframe] = pair(i);
      if (big.getBestBacktest(symbol, timeframe, metric) === undefined) throw new Error('no best');
    });
    report(`getBestBacktest(symbol, timeframe, ${metric}) at 1M rows (median)`, fmt(t.medianMs), 2, t.medianMs);
  }
  // The floor applies to the newest-first lists the CLI shows by default; a list sorted by a metric
  // must also sort the pair's 2,500 index entries, so it is reported without a floor.
  const listCases: [string, number | undefined, (i: number) => void][] = [
    ['getBacktestResults({ limit: 100 }) newest first', 2, () => big.getBacktestResults({ limit: 100 })],
    [
      'getBacktestResults({ symbol, timeframe, limit: 100 })',
      2,
      (i) => {
        const [symbol, timeframe] = pair(i);
        big.getBacktestResults({ symbol, timeframe, limit: 100 });
      },
    ],
    [
      'getBacktestResults({ symbol, timeframe, sort: sharpe, 100 })',
      undefined,
      (i) => {
        const [symbol, timeframe] = pair(i);
        big.getBacktestResults({ symbol, timeframe, sort: 'sharpe_ratio', limit: 100 });
      },
    ],
  ];
  for (const [name, floorMs, fn] of listCases) {
    const t = time(200, 20, fn);
    report(`${name} (median)`, fmt(t.medianMs), floorMs, t.medianMs);
  }
  const count = big.countBacktestResults();
  big.close(); // checkpoints the WAL into the main file
  const bytes = statSync(bigPath).size;
  report(
    'file size / rows',
    `${(bytes / count).toFixed(0)} bytes per row (${(bytes / 1e6).toFixed(0)} MB, ${count} rows)`,
  );

  console.log(
    '\nsynchronous: NORMAL is the default. With WAL, a committed save survives a crash of any process; only a power\n' +
      'loss or OS crash can drop the last commits (never corrupting the file). FULL adds an fsync per commit to\n' +
      'survive power loss too; pass { synchronous: "full" } to TradingDatabase.open when that matters.',
  );
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  if (results.some((r) => r.ok === false)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
