/**
 * The event loop: replays bars one at a time, asks the strategy for a target position after
 * each close, and fills orders through the cost model.
 *
 * Accounting (money is a double in account currency, rounded only for display):
 * - `cash` moves only on fills; a long entry pays `qty × fill + cost`, a short entry receives
 *   `qty × fill − cost`, and exits do the reverse.
 * - equity at a bar's close = `cash + signedQuantity × close`.
 * - A reversal closes first, then opens the new side sized on the equity freed at that fill.
 * - An order that cannot buy even one unit is skipped and counted, never silently dropped.
 */
import type { BarSeries } from '../core/bars.js';
import { createBarSeries } from '../core/bars.js';
import type { BacktestConfig } from '../core/config.js';
import { FillTiming } from '../core/config.js';
import type { Trade } from '../core/result.js';
import { TradeSide } from '../core/result.js';
import type { Direction, Strategy, StrategyContext } from '../core/strategy.js';
import { StrategyError } from '../core/errors.js';
import { affordableQuantity, orderCost, slippedPrice } from './cost-model.js';

/** What the loop produces; the app layer adds metrics and metadata to make a full result. */
export interface EngineOutput {
  /** Equity at each bar's close, account currency (the last point is after the final close-out). */
  readonly equity: Float64Array;
  /** Closed trades in the order they closed. */
  readonly trades: Trade[];
  /** Orders that could not be afforded and were skipped. */
  readonly skippedOrders: number;
  /** Bars that closed with a position open. */
  readonly barsInMarket: number;
}

/** Marks "no order waiting" without allocating: any value outside -1..1 would do. */
const NO_ORDER = 2;

interface MutableContext {
  index: number;
  bars: BarSeries;
  position: Direction;
  equity: number;
}

/**
 * Runs `strategy` over `bars` with `config`. Synchronous and allocation-free per bar, apart
 * from one object per closed trade. Call `strategy.prepare` (if any) before this.
 *
 * @example
 * const output = runEngine(bars, { onBar: () => 1 }, { ...DEFAULT_CONFIG, strategy: { name: 'x', params: {} } });
 */
export function runEngine(bars: BarSeries, strategy: Strategy, config: BacktestConfig): EngineOutput {
  const n = bars.length;
  const { timeMs, open, close } = bars;
  const { commission, fixedFee, slippageBps, size, fractional } = config;
  const fillAtClose = config.fillAt === FillTiming.Close;

  // The strategy reads from these copies, filled one bar at a time, so it cannot see the future.
  const seen = createBarSeries(bars.symbol, bars.timeframe, {
    timeMs: new Float64Array(n).fill(Number.NaN),
    open: new Float64Array(n).fill(Number.NaN),
    high: new Float64Array(n).fill(Number.NaN),
    low: new Float64Array(n).fill(Number.NaN),
    close: new Float64Array(n).fill(Number.NaN),
    volume: new Float64Array(n).fill(Number.NaN),
  });
  const context: MutableContext = { index: 0, bars: seen, position: 0, equity: config.initialCash };

  const equity = new Float64Array(n);
  const trades: Trade[] = [];
  let cash = config.initialCash;
  let quantity = 0; // signed: negative while short
  let position: Direction = 0;
  let entryIndex = 0;
  let entryPrice = 0;
  let entryCost = 0;
  let skippedOrders = 0;
  let barsInMarket = 0;
  let pending: number = NO_ORDER;

  const closePosition = (basePrice: number, index: number): void => {
    const long = quantity > 0;
    const units = long ? quantity : -quantity;
    const fill = slippedPrice(basePrice, long ? -1 : 1, slippageBps);
    const value = units * fill;
    const exitCost = orderCost(value, commission, fixedFee);
    cash += long ? value - exitCost : -value - exitCost;
    const gross = long ? (fill - entryPrice) * units : (entryPrice - fill) * units;
    const pnl = gross - entryCost - exitCost;
    trades.push({
      side: long ? TradeSide.Long : TradeSide.Short,
      quantity: units,
      entryIndex,
      exitIndex: index,
      entryTimeMs: timeMs[entryIndex] as number,
      exitTimeMs: timeMs[index] as number,
      entryPrice,
      exitPrice: fill,
      pnl,
      returnPct: (pnl / (units * entryPrice)) * 100,
      costs: entryCost + exitCost,
    });
    quantity = 0;
    position = 0;
  };

  const openPosition = (side: 1 | -1, basePrice: number, index: number): void => {
    const fill = slippedPrice(basePrice, side, slippageBps);
    // Flat at this point, so equity is cash: the whole amount freed by any preceding close.
    const units = affordableQuantity(cash * size, fill, commission, fixedFee, fractional);
    if (units <= 0) {
      skippedOrders++;
      return;
    }
    const value = units * fill;
    const cost = orderCost(value, commission, fixedFee);
    cash += side === 1 ? -value - cost : value - cost;
    quantity = side * units;
    position = side;
    entryIndex = index;
    entryPrice = fill;
    entryCost = cost;
  };

  const moveTo = (target: Direction, basePrice: number, index: number): void => {
    if (target === position) return;
    if (position !== 0) closePosition(basePrice, index);
    if (target !== 0) openPosition(target, basePrice, index);
  };

  const seenTime = seen.timeMs;
  const seenOpen = seen.open;
  const seenHigh = seen.high;
  const seenLow = seen.low;
  const seenClose = seen.close;
  const seenVolume = seen.volume;
  const { high, low, volume } = bars;
  const publicContext = context as StrategyContext;

  let i = 0;
  try {
    for (; i < n; i++) {
      if (pending !== NO_ORDER) {
        moveTo(pending as Direction, open[i] as number, i);
        pending = NO_ORDER;
      }

      seenTime[i] = timeMs[i] as number;
      seenOpen[i] = open[i] as number;
      seenHigh[i] = high[i] as number;
      seenLow[i] = low[i] as number;
      seenClose[i] = close[i] as number;
      seenVolume[i] = volume[i] as number;

      const closePrice = close[i] as number;
      context.index = i;
      context.position = position;
      context.equity = cash + quantity * closePrice;
      const decision = strategy.onBar(publicContext);
      if (decision !== undefined && decision !== null && decision !== position) {
        if (decision !== 1 && decision !== -1 && decision !== 0) throw badDecision(decision, i, bars);
        if (fillAtClose) moveTo(decision, closePrice, i);
        else pending = decision;
      }
      if (quantity !== 0) barsInMarket++;
      equity[i] = cash + quantity * closePrice;
    }
  } catch (error) {
    throw asStrategyError(error, i, bars);
  }

  // A position still open after the last bar is closed at its close, costs included, and
  // counted as a trade; the last equity point then shows what the account really holds.
  if (n > 0 && quantity !== 0) {
    closePosition(close[n - 1] as number, n - 1);
    equity[n - 1] = cash;
  }

  return { equity, trades, skippedOrders, barsInMarket };
}

/** Turns anything the strategy threw into a StrategyError that names the bar. */
function asStrategyError(error: unknown, index: number, bars: BarSeries): StrategyError {
  if (error instanceof StrategyError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StrategyError(`strategy failed on bar ${index} (${barTime(bars, index)}): ${reason}`, { cause: error });
}

function badDecision(decision: unknown, index: number, bars: BarSeries): StrategyError {
  return new StrategyError(
    `strategy returned ${JSON.stringify(decision)} on bar ${index} (${barTime(bars, index)}); ` +
      'onBar must return 1 (long), -1 (short), 0 (flat) or undefined (keep the position)',
  );
}

function barTime(bars: BarSeries, index: number): string {
  const t = bars.timeMs[index];
  return t === undefined ? 'no time' : new Date(t).toISOString();
}
