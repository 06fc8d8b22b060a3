/**
 * The account the engine trades: cash, one position, and the fills that move them.
 *
 * Accounting (money is a double in account currency, rounded only for display):
 * - `cash` moves only on fills; a long entry pays `quantity × fill + cost`, a short entry
 *   receives `quantity × fill − cost`, and exits do the reverse.
 * - equity at a price = `cash + signedQuantity × price`.
 * - A reversal closes first, then opens the new side sized on the equity freed at that fill.
 * - An entry that cannot buy even one unit is skipped and counted, never silently dropped.
 */
import type { BacktestConfig } from '../core/config.js';
import type { Trade } from '../core/result.js';
import { TradeSide } from '../core/result.js';
import type { Direction } from '../core/strategy.js';
import { affordableQuantity, orderCost, slippedPrice } from './cost-model.js';

/**
 * A single-symbol cash account with market orders. State lives in plain fields (not in
 * closures) so the engine's hot loop reads them as fast as local variables.
 *
 * @example
 * const broker = new SimulatedBroker(config, bars.timeMs);
 * broker.moveTo(1, bars.open[1], 1); // go long at bar 1's open
 */
export class SimulatedBroker {
  /** Cash, account currency. */
  cash: number;
  /** Signed units held: negative while short. */
  quantity = 0;
  /** Direction of the open position. */
  position: Direction = 0;
  /** Entries skipped because not one unit could be afforded. */
  skippedOrders = 0;
  readonly trades: Trade[] = [];

  /** Fill price of the open position's entry, slippage included; stale while flat. */
  entryPrice = 0;

  private entryIndex = 0;
  private entryCost = 0;
  private readonly commission: number;
  private readonly fixedFee: number;
  private readonly slippageBps: number;
  private readonly size: number;
  private readonly fractional: boolean;
  private readonly timeMs: Float64Array;

  constructor(config: BacktestConfig, timeMs: Float64Array) {
    this.cash = config.initialCash;
    this.commission = config.commission;
    this.fixedFee = config.fixedFee;
    this.slippageBps = config.slippageBps;
    this.size = config.size;
    this.fractional = config.fractional;
    this.timeMs = timeMs;
  }

  /** Cash plus the open position marked at `price`. */
  equityAt(price: number): number {
    return this.cash + this.quantity * price;
  }

  /** Trades to reach `target` at `basePrice` (before slippage) on bar `index`. */
  moveTo(target: Direction, basePrice: number, index: number): void {
    if (target === this.position) return;
    if (this.position !== 0) this.close(basePrice, index);
    if (target !== 0) this.open(target, basePrice, index);
  }

  /** Closes the open position at `basePrice` on bar `index` and records the trade. */
  close(basePrice: number, index: number): void {
    const long = this.quantity > 0;
    const units = long ? this.quantity : -this.quantity;
    const fill = slippedPrice(basePrice, long ? -1 : 1, this.slippageBps);
    const value = units * fill;
    const exitCost = orderCost(value, this.commission, this.fixedFee);
    this.cash += long ? value - exitCost : -value - exitCost;
    const gross = long ? (fill - this.entryPrice) * units : (this.entryPrice - fill) * units;
    const pnl = gross - this.entryCost - exitCost;
    this.trades.push({
      side: long ? TradeSide.Long : TradeSide.Short,
      quantity: units,
      entryIndex: this.entryIndex,
      exitIndex: index,
      entryTimeMs: this.timeMs[this.entryIndex] as number,
      exitTimeMs: this.timeMs[index] as number,
      entryPrice: this.entryPrice,
      exitPrice: fill,
      pnl,
      returnPct: (pnl / (units * this.entryPrice)) * 100,
      costs: this.entryCost + exitCost,
    });
    this.quantity = 0;
    this.position = 0;
  }

  private open(side: 1 | -1, basePrice: number, index: number): void {
    const fill = slippedPrice(basePrice, side, this.slippageBps);
    // Flat at this point, so equity is cash: the whole amount freed by any preceding close.
    const units = affordableQuantity(this.cash * this.size, fill, this.commission, this.fixedFee, this.fractional);
    if (units <= 0) {
      this.skippedOrders++;
      return;
    }
    const value = units * fill;
    const cost = orderCost(value, this.commission, this.fixedFee);
    this.cash += side === 1 ? -value - cost : value - cost;
    this.quantity = side * units;
    this.position = side;
    this.entryIndex = index;
    this.entryPrice = fill;
    this.entryCost = cost;
  }
}
