import Database from 'better-sqlite3';
import { SELECT_LIST, rowFromValues } from './src/store/sqlite/backtest-columns.js';
import { TradingDatabase } from './src/store/index.js';
import { existsSync } from 'node:fs';
const path = '/tmp/prof-400k.db';
if (!existsSync(path)) {
  const db = TradingDatabase.open(path);
  let r = 1;
  const rnd = () => (r = (r * 16807) % 2147483647) / 2147483647;
  for (let b = 0; b < 4; b++) {
  const inputs = [];
  for (let i = 0; i < 100_000; i++) inputs.push({ symbol: 'S' + Math.floor(rnd() * 40), timeframe: ['1Min','1Hour','4Hour','1Day'][Math.floor(rnd()*4)]!, runTimestamp: 1_700_000_000 + i + b * 100000, startDate: 1, endDate: 2, initialCapital: 10000, finalEquity: 10000 + rnd()*1000, totalReturn: rnd()*10,
    config: { strategy: { name: 'sma-cross', params: { fast: 10, slow: 30 } }, initialCash: 10_000, commission: 0.001, fixedFee: 0, slippageBps: 5, size: 1, fractional: false, fillAt: 'next-open', riskFreeRate: 0.02 },
    metrics: { cagr: rnd(), volatility: rnd(), sharpe_ratio: rnd(), sortino_ratio: rnd(), calmar_ratio: rnd(), max_drawdown: -rnd(), max_drawdown_duration: 4, win_rate: rnd()*100, profit_factor: rnd(), total_trades: 3, avg_trade_pnl: rnd(), best_trade: rnd(), worst_trade: -rnd(), avg_trade_duration: 3, exposure: 50, buy_and_hold_return: 80, expectancy: rnd(), sqn: rnd() },
    strategyName: 'sma-cross', strategyParams: { fast: 10, slow: 30 }, bars: { sha256: 'a3f1c0de'.repeat(8), count: 1006, firstTimeMs: 1, lastTimeMs: 2 }, packageVersion: '0.1.0' });
  db.saveBacktestResults(inputs);
  }
  db.close();
}
const tfs = ['1Min','1Hour','4Hour','1Day'];
const pair = (i: number) => ['S' + ((i * 7) % 40), tfs[i % 4]!] as const;
function t(fn: (i: number) => unknown) { for (let i=0;i<20;i++) fn(i); const xs: number[] = []; for (let i=0;i<200;i++){ const s=performance.now(); fn(i); xs.push(performance.now()-s);} xs.sort((a,b)=>a-b); return (xs[100]!*1000).toFixed(0); }
for (const mmap of [0, 2 ** 31, 0, 2 ** 31]) {
  const raw = new Database(path, { readonly: true });
  raw.pragma('cache_size = -65536');
  raw.pragma(`mmap_size = ${mmap}`);
  const ids = raw.prepare('SELECT id FROM backtest_results WHERE symbol = ? AND timeframe = ? ORDER BY sharpe_ratio DESC NULLS LAST, run_timestamp DESC, id DESC LIMIT 100').pluck();
  const inJson = raw.prepare(`SELECT ${SELECT_LIST} FROM backtest_results WHERE id IN (SELECT value FROM json_each(?))`).raw(true);
  const inList = raw.prepare(`SELECT ${SELECT_LIST} FROM backtest_results WHERE id IN (${Array(100).fill('?').join(',')})`).raw(true);
  const a = t((i) => ids.all(...pair(i)));
  const b = t((i) => (inJson.all(JSON.stringify(ids.all(...pair(i)))) as unknown[][]).map(rowFromValues));
  const c = t((i) => (inList.all(...(ids.all(...pair(i)) as number[])) as unknown[][]).map(rowFromValues));
  console.log(`mmap ${mmap}: ids ${a} us; ids+json rows ${b} us; ids+list rows ${c} us`);
  raw.close();
}
