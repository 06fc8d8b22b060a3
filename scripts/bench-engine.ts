/**
 * `npm run bench`: sma-cross (fast 10, slow 30) over 1,000,000 seeded synthetic bars, engine
 * and metrics together, as `runBacktest` does them. Prints the median bars per second of
 * several runs and the peak resident memory. Floor: 20 million bars/s and under 250 MB.
 *
 * Run it on a quiet machine; the first runs warm up the JIT and are not counted.
 */
import { generateSyntheticBars } from '../src/data/index.js';
import { runEngine } from '../src/engine/run-engine.js';
import { metricsOfRun } from '../src/app/run-backtest.js';
import { getStrategy, resolveParams } from '../src/strategies/index.js';
import { resolveConfig } from '../src/core/config.js';

const BAR_COUNT = 1_000_000;
const WARMUP_RUNS = 3;
const MEASURED_RUNS = 9;

const bars = generateSyntheticBars({ count: BAR_COUNT, seed: 42, symbol: 'SYN', timeframe: '1Min' });
const definition = getStrategy('sma-cross');
const params = resolveParams(definition, { fast: 10, slow: 30 });
const config = resolveConfig({ strategy: { name: definition.name, params }, commission: 0.001 });

function once(): { seconds: number; trades: number; finalEquity: number } {
  const start = process.hrtime.bigint();
  const output = runEngine(bars, definition.create(params), config);
  const metrics = metricsOfRun(bars, output, config);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, trades: metrics.total_trades, finalEquity: metrics.final_equity };
}

for (let i = 0; i < WARMUP_RUNS; i++) once();
const runs = Array.from({ length: MEASURED_RUNS }, once);
const times = runs.map((r) => r.seconds).sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] as number;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

console.log(`sma-cross(10, 30) over ${BAR_COUNT.toLocaleString('en-US')} synthetic bars, engine + metrics`);
console.log(`  trades per run:   ${runs[0]?.trades}`);
console.log(
  `  median time:      ${(median * 1000).toFixed(1)} ms (best ${(times[0]! * 1000).toFixed(1)}, worst ${(times[times.length - 1]! * 1000).toFixed(1)}; ${MEASURED_RUNS} runs)`,
);
console.log(`  throughput:       ${(BAR_COUNT / median / 1e6).toFixed(1)} million bars/s (floor 20)`);
console.log(`  peak resident:    ${peakRssMb.toFixed(0)} MB (floor 250)`);
