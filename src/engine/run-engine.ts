/**
 * The event loop: replays bars one at a time, asks the strategy for a target position after
 * each close, and fills orders through the simulated broker at the next open (or this close).
 *
 * Out of money (backtesting.py's `_Broker.next` rule): when the equity marked at a bar's close,
 * after that bar's fills, is at or below zero, the open position is closed at that close, the
 * equity curve is 0 from that bar to the end, and nothing more is traded.
 */
import type { BarSeries } from '../core/bars.js';
import type { BacktestConfig } from '../core/config.js';
import { FillTiming } from '../core/config.js';
import type { OutOfMoney, Trade } from '../core/result.js';
import type { Direction, Strategy, StrategyContext } from '../core/strategy.js';
import { StrategyError } from '../core/errors.js';
import { RevealedBars } from './revealed-bars.js';
import { SimulatedBroker } from './simulated-broker.js';

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
  /** The bar at whose close the account ran out of money, or `null` when it never did. */
  readonly outOfMoney: OutOfMoney | null;
}

/**
 * Options of one engine run beside the config (they change how the run is evaluated, not what a
 * strategy would trade, so they are not part of the stored `BacktestConfig`).
 */
export interface EngineOptions {
  /**
   * First bar whose decision may trade (default 0). Before it the strategy sees every bar as
   * usual (a warm-up: indicators fill, no look-ahead), but its decisions are ignored: no order
   * is placed, the account stays flat and equity stays at the initial cash. Out-of-sample
   * evaluations and walk-forward test windows start here, flat, with the initial cash.
   */
  readonly tradeFromIndex?: number | undefined;
}

/** Marks "no order waiting" without allocating: any value outside -1..1 would do. */
const NO_ORDER = 2;

interface MutableContext {
  index: number;
  bars: BarSeries;
  position: Direction;
  equity: number;
  cash: number;
  entryPrice: number;
}

/**
 * Runs `strategy` over `bars` with `config`. Synchronous and allocation-free per bar, apart
 * from one object per closed trade. Call `strategy.prepare` (if any) before this.
 *
 * @example
 * const output = runEngine(bars, { onBar: () => 1 }, { ...DEFAULT_CONFIG, strategy: { name: 'x', params: {} } });
 */
export function runEngine(
  bars: BarSeries,
  strategy: Strategy,
  config: BacktestConfig,
  options: EngineOptions = {},
): EngineOutput {
  const n = bars.length;
  const tradeFrom = options.tradeFromIndex ?? 0;
  const { timeMs, open, close } = bars;
  const fillAtClose = config.fillAt === FillTiming.Close;

  const seen = new RevealedBars(bars);
  const context: MutableContext = {
    index: 0,
    bars: seen,
    position: 0,
    equity: config.initialCash,
    cash: config.initialCash,
    entryPrice: Number.NaN,
  };

  const equity = new Float64Array(n);
  const broker = new SimulatedBroker(config, timeMs);
  let barsInMarket = 0;
  let pending: number = NO_ORDER;

  const publicContext = context as StrategyContext;

  let i = 0;
  try {
    for (; i < n; i++) {
      if (pending !== NO_ORDER) {
        broker.moveTo(pending as Direction, open[i] as number, i);
        pending = NO_ORDER;
      }

      seen.reveal(i);

      const closePrice = close[i] as number;
      context.index = i;
      context.position = broker.position;
      context.equity = broker.equityAt(closePrice);
      context.cash = broker.cash;
      context.entryPrice = broker.position === 0 ? Number.NaN : broker.entryPrice;
      const decision = strategy.onBar(publicContext);
      if (decision !== undefined && decision !== null && decision !== broker.position) {
        if (decision !== 1 && decision !== -1 && decision !== 0) throw badDecision(decision, i, bars);
        // During a warm-up (before tradeFrom) the decision is checked but never traded.
        if (i >= tradeFrom) {
          if (fillAtClose) broker.moveTo(decision, closePrice, i);
          else pending = decision;
        }
      }
      if (broker.quantity !== 0) barsInMarket++;
      const marked = broker.equityAt(closePrice);
      equity[i] = marked;
      // Checked after this bar's fills, so a fill at this close whose costs empty the account
      // counts too. The strategy was asked about this bar; its next-open order is dropped below.
      if (marked <= 0) break;
    }
  } catch (error) {
    throw asStrategyError(error, i, bars);
  }

  if (i < n) {
    // Out of money at bar i: close at this close through the usual exit path (slippage,
    // commission and fee included, like any exit), so the trade keeps its real P&L, which can
    // be below −100 %. The curve is then 0 from this bar on (backtesting.py sets cash to 0):
    // a loss beyond the account is not carried as negative equity.
    if (broker.quantity !== 0) broker.close(close[i] as number, i);
    equity.fill(0, i);
    return {
      equity,
      trades: broker.trades,
      skippedOrders: broker.skippedOrders,
      barsInMarket,
      outOfMoney: { timeMs: timeMs[i] as number, barIndex: i },
    };
  }

  // A position still open after the last bar is closed at its close, costs included, and
  // counted as a trade; the last equity point then shows what the account really holds.
  let outOfMoney: OutOfMoney | null = null;
  if (n > 0 && broker.quantity !== 0) {
    broker.close(close[n - 1] as number, n - 1);
    equity[n - 1] = broker.cash;
    // The close-out's costs alone can take a barely solvent account to or below zero.
    if (broker.cash <= 0) {
      equity[n - 1] = 0;
      outOfMoney = { timeMs: timeMs[n - 1] as number, barIndex: n - 1 };
    }
  }

  return { equity, trades: broker.trades, skippedOrders: broker.skippedOrders, barsInMarket, outOfMoney };
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
