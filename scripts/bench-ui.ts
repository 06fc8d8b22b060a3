/**
 * `npx tsx scripts/bench-ui.ts`: fills a temporary database with 100,000 runs through the
 * store's bulk save (24 real GOOG backtests, varied by symbol, sweep, parameters and save time),
 * then times the dashboard's leaderboard through `app.request()` on a read-only connection.
 * Prints the median of several requests per page. Target: first page under 300 ms.
 *
 * Saved runs carry no equity curve here: the leaderboard never reads curves, and 100,000 of
 * them would only make the file slow to build.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBacktest } from '../src/app/run-backtest.js';
import { toSaveInput } from '../src/app/save-result.js';
import { loadBarsCsv } from '../src/data/index.js';
import type { BacktestInput } from '../src/store/index.js';
import { SqliteRunStore, TradingDatabase } from '../src/store/sqlite/index.js';
import { createDashboardApp } from '../src/web/dashboard-app.js';

const RUN_COUNT = 100_000;
const CHUNK = 10_000;
const REPEATS = 7;
const SYMBOLS = ['GOOG', 'AAPL', 'MSFT', 'AMZN', 'NVDA', 'META', 'TSLA', 'SPY', 'QQQ', 'IWM'];

const bars = loadBarsCsv(fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url)), {
  symbol: 'GOOG',
  timeframe: '1Day',
});
const templates: BacktestInput[] = [];
for (const fast of [3, 5, 8, 10, 15, 20]) {
  for (const slow of [30, 50, 100, 200]) {
    const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast, slow } });
    const { equityCurve: _dropped, ...input } = toSaveInput(result);
    templates.push(input);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ui-'));
const path = join(dir, 'bench.db');
try {
  const writer = TradingDatabase.open(path);
  const fillStart = performance.now();
  const baseTime = 1_700_000_000;
  for (let start = 0; start < RUN_COUNT; start += CHUNK) {
    const inputs: BacktestInput[] = [];
    for (let i = start; i < Math.min(RUN_COUNT, start + CHUNK); i++) {
      const template = templates[i % templates.length] as BacktestInput;
      inputs.push({
        ...template,
        symbol: SYMBOLS[i % SYMBOLS.length] as string,
        sweepId: `sweep-${Math.floor(i / 500)}`,
        runTimestamp: baseTime + i,
      });
    }
    writer.saveBacktestResults(inputs);
  }
  writer.close();
  console.log(
    `filled ${RUN_COUNT.toLocaleString('en-US')} runs in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
  );

  const db = TradingDatabase.open(path, { readonly: true });
  const app = createDashboardApp(new SqliteRunStore(db));
  const time = async (url: string): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const t0 = performance.now();
      const res = await app.request(url);
      await res.text();
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)] as number;
  };
  const first = performance.now();
  const cold = await app.request('/');
  await cold.text();
  console.log(`GET / (first request, cold): ${(performance.now() - first).toFixed(1)} ms`);
  for (const url of [
    '/',
    '/?page=1000',
    '/?sort=sharpe_ratio',
    '/?symbol=MSFT&sort=max_drawdown',
    '/?sweep=sweep-42',
    '/api/runs?per=500',
  ]) {
    console.log(`GET ${url}: median ${(await time(url)).toFixed(1)} ms`);
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
