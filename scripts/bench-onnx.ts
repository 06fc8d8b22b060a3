/**
 * Part of `npm run bench:sweep`: an ONNX policy with a stateless observation (the example
 * GOOG_1Day policy: 16 returns in, hold/buy/sell out) backtested over 100,000 seeded synthetic
 * bars, end to end: load the model, batched inference over the whole series, engine, metrics.
 * Floor: under 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runModelBacktest } from '../src/app/run-model.js';
import { generateSyntheticBars } from '../src/data/index.js';
import { writeExampleModels } from '../src/strategies/onnx/index.js';

const BAR_COUNT = 100_000;
const RUNS = 7;
const FLOOR_SECONDS = 1;

const dir = mkdtempSync(join(tmpdir(), 'bench-onnx-'));
try {
  await writeExampleModels(dir);
  const modelPath = join(dir, 'GOOG_1Day.onnx');
  const bars = generateSyntheticBars({ count: BAR_COUNT, seed: 7, symbol: 'SYN', timeframe: '1Day' });

  const timeOnce = async () => {
    const start = process.hrtime.bigint();
    const result = await runModelBacktest({ bars, modelPath });
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, trades: result.metrics.total_trades };
  };

  const first = await timeOnce(); // includes importing onnxruntime-node
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timeOnce());
  const times = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;

  console.log(`ONNX policy (window 16, discrete output) over ${BAR_COUNT.toLocaleString('en-US')} bars, end to end`);
  console.log(`  first run (imports the runtime):  ${(first.seconds * 1000).toFixed(0)} ms`);
  console.log(
    `  median of ${RUNS} runs:                 ${(median * 1000).toFixed(0)} ms (floor ${FLOOR_SECONDS * 1000} ms: ${median < FLOOR_SECONDS ? 'ok' : 'MISSED'})`,
  );
  console.log(`  trades per run:                   ${first.trades}`);
  if (median >= FLOOR_SECONDS) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
