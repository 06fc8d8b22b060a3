/**
 * Statistics over closed trades, plus market exposure. Every function returns `null` when it has
 * no trades to describe, so "no trades" is never confused with "zero".
 */
import type { Trade } from '../core/result.js';
import { nanToNull } from './returns-risk.js';

/**
 * Share of trades with positive P&L, percent: `100 × count(pnl > 0) / trades`; `null` with none.
 * A trade with P&L exactly 0 is not a win.
 *
 * @example
 * winRatePct([{ pnl: 5 }, { pnl: -2 }, { pnl: 0 }, { pnl: 1 }]); // 50
 */
export function winRatePct(trades: readonly Pick<Trade, 'pnl'>[]): number | null {
  const count = trades.length;
  if (count === 0) return null;
  let wins = 0;
  for (const trade of trades) if (trade.pnl > 0) wins++;
  return (100 * wins) / count;
}

/**
 * Gross profit over gross loss, in money: `Σ positive pnl / |Σ negative pnl|`.
 * `null` with no trades or when both sums are 0; `Infinity` when there is profit and no loss.
 *
 * @example
 * profitFactor([{ pnl: 30 }, { pnl: -10 }, { pnl: 20 }]); // 5
 */
export function profitFactor(trades: readonly Pick<Trade, 'pnl'>[]): number | null {
  if (trades.length === 0) return null;
  let grossProfit = 0;
  let grossLoss = 0;
  for (const trade of trades) {
    if (trade.pnl > 0) grossProfit += trade.pnl;
    else if (trade.pnl < 0) grossLoss -= trade.pnl;
  }
  if (grossLoss === 0) return grossProfit > 0 ? Number.POSITIVE_INFINITY : null;
  return nanToNull(grossProfit / grossLoss);
}

/**
 * Mean trade P&L in account currency; `null` with no trades.
 *
 * @example
 * avgTradePnl([{ pnl: 30 }, { pnl: -10 }]); // 10
 */
export function avgTradePnl(trades: readonly Pick<Trade, 'pnl'>[]): number | null {
  if (trades.length === 0) return null;
  let sum = 0;
  for (const trade of trades) sum += trade.pnl;
  return nanToNull(sum / trades.length);
}

/**
 * Expectancy: the mean trade `returnPct`, percent per trade; `null` with no trades.
 *
 * @example
 * expectancyPct([{ returnPct: 4 }, { returnPct: -1 }]); // 1.5
 */
export function expectancyPct(trades: readonly Pick<Trade, 'returnPct'>[]): number | null {
  if (trades.length === 0) return null;
  let sum = 0;
  for (const trade of trades) sum += trade.returnPct;
  return nanToNull(sum / trades.length);
}

/**
 * Mean trade length `exitIndex − entryIndex`, in bars; `null` with no trades.
 *
 * @example
 * avgTradeDurationBars([{ entryIndex: 2, exitIndex: 5 }, { entryIndex: 7, exitIndex: 8 }]); // 2
 */
export function avgTradeDurationBars(trades: readonly Pick<Trade, 'entryIndex' | 'exitIndex'>[]): number | null {
  if (trades.length === 0) return null;
  let sum = 0;
  for (const trade of trades) sum += trade.exitIndex - trade.entryIndex;
  return nanToNull(sum / trades.length);
}

/**
 * Highest trade `returnPct`, percent; `null` with no trades.
 *
 * @example
 * bestTradePct([{ returnPct: 4 }, { returnPct: -1 }]); // 4
 */
export function bestTradePct(trades: readonly Pick<Trade, 'returnPct'>[]): number | null {
  if (trades.length === 0) return null;
  let best = Number.NEGATIVE_INFINITY;
  for (const trade of trades) if (trade.returnPct > best) best = trade.returnPct;
  return Number.isFinite(best) ? best : null;
}

/**
 * Lowest trade `returnPct`, percent; `null` with no trades.
 *
 * @example
 * worstTradePct([{ returnPct: 4 }, { returnPct: -1 }]); // -1
 */
export function worstTradePct(trades: readonly Pick<Trade, 'returnPct'>[]): number | null {
  if (trades.length === 0) return null;
  let worst = Number.POSITIVE_INFINITY;
  for (const trade of trades) if (trade.returnPct < worst) worst = trade.returnPct;
  return Number.isFinite(worst) ? worst : null;
}

/**
 * Van Tharp's System Quality Number: `sqrt(N) × mean(pnl) / sampleStd(pnl)` (n − 1 denominator).
 * `null` with fewer than two trades or when every trade has the same P&L.
 *
 * @example
 * systemQualityNumber([{ pnl: 30 }, { pnl: -10 }, { pnl: 10 }]); // sqrt(3) × 10 / 20 ≈ 0.866
 */
export function systemQualityNumber(trades: readonly Pick<Trade, 'pnl'>[]): number | null {
  const count = trades.length;
  if (count < 2) return null;
  // Sums around the first P&L: equal P&Ls then give exactly zero spread, where a plain mean
  // would leave rounding noise and an absurd SQN.
  const shift = (trades[0] as Pick<Trade, 'pnl'>).pnl;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const d = (trades[i] as Pick<Trade, 'pnl'>).pnl - shift;
    sum += d;
    squares += d * d;
  }
  const mean = shift + sum / count;
  const std = Math.sqrt(Math.max(0, squares - (sum * sum) / count) / (count - 1));
  if (!(std > 0)) return null;
  return nanToNull((Math.sqrt(count) * mean) / std);
}

/**
 * Share of bars that closed with a position open, percent: `100 × barsInMarket / barCount`
 * (0 for an empty series).
 *
 * @example
 * exposurePct(25, 100); // 25
 */
export function exposurePct(barsInMarket: number, barCount: number): number {
  return barCount > 0 ? (100 * barsInMarket) / barCount : 0;
}
