/**
 * Stitching a walk-forward's test spans into one out-of-sample equity curve.
 *
 * Each test span was evaluated on its own, flat with the initial cash C at its first bar (the
 * out-of-sample rule). The stitched curve chains them: an account that ends window k-1 with
 * E(k-1) (E(-1) = C) holds E(k-1) / C times what window k's evaluation holds at each of its
 * bars, so the curve is continuous from one window to the next and each window's returns are
 * kept exactly. Window k's trades are scaled by the same factor (quantity, P&L, costs; prices,
 * times and percent returns unchanged), so their P&L adds up to the curve's. A flat window holds
 * E(k-1) over its bars. Once the account has run out of money it stays at 0 and later windows
 * add no trade.
 */
import { type BarSeries, createBarSeries } from '../../core/bars.js';
import type { OutOfMoney, Trade } from '../../core/result.js';

/** One test span: its bars (as indices into the walk-forward's bars) and how it was evaluated. */
export interface TestSpan {
  /** First test bar and one past the last. */
  readonly from: number;
  readonly to: number;
  /**
   * Its evaluation from the initial cash (bar indices from `from`), or `undefined` for a flat
   * window. `barsInMarket` counts its bars that closed with a position open.
   */
  readonly run?:
    | {
        readonly equity: Float64Array;
        readonly trades: readonly Trade[];
        readonly barsInMarket: number;
        readonly skippedOrders: number;
        readonly outOfMoney: OutOfMoney | null;
      }
    | undefined;
}

/** The stitched out-of-sample run. Bar indices count from the first test bar. */
export interface StitchedRun {
  /** The test spans' bars, one after another. */
  readonly bars: BarSeries;
  readonly equity: Float64Array;
  readonly trades: readonly Trade[];
  readonly barsInMarket: number;
  readonly skippedOrders: number;
  readonly outOfMoney: OutOfMoney | null;
  /** The account at the end of each window (after its close-out), account currency. */
  readonly windowEndEquity: readonly number[];
}

/**
 * Chains `spans` (in order, not overlapping) into one curve from `initialCash`; see the module
 * comment for the rule.
 *
 * @example
 * const stitched = stitchTestSpans(bars, spans, 10_000);
 * stitched.equity[stitched.equity.length - 1]; // the account after the last window
 */
export function stitchTestSpans(bars: BarSeries, spans: readonly TestSpan[], initialCash: number): StitchedRun {
  const total = spans.reduce((sum, s) => sum + (s.to - s.from), 0);
  const columns = {
    timeMs: new Float64Array(total),
    open: new Float64Array(total),
    high: new Float64Array(total),
    low: new Float64Array(total),
    close: new Float64Array(total),
    volume: new Float64Array(total),
  };
  const equity = new Float64Array(total);
  const trades: Trade[] = [];
  const windowEndEquity: number[] = [];
  let account = initialCash;
  let offset = 0;
  let barsInMarket = 0;
  let skippedOrders = 0;
  let outOfMoney: OutOfMoney | null = null;
  for (const span of spans) {
    const length = span.to - span.from;
    for (const name of ['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const) {
      columns[name].set(bars[name].subarray(span.from, span.to), offset);
    }
    const run = span.run;
    if (run === undefined || account <= 0) {
      equity.fill(account, offset, offset + length);
    } else {
      const factor = account / initialCash;
      for (let i = 0; i < length; i++) equity[offset + i] = factor * (run.equity[i] as number);
      for (const t of run.trades) {
        trades.push({
          ...t,
          entryIndex: t.entryIndex + offset,
          exitIndex: t.exitIndex + offset,
          quantity: t.quantity * factor,
          pnl: t.pnl * factor,
          costs: t.costs * factor,
        });
      }
      barsInMarket += run.barsInMarket;
      skippedOrders += run.skippedOrders;
      if (run.outOfMoney !== null && outOfMoney === null) {
        outOfMoney = { timeMs: run.outOfMoney.timeMs, barIndex: run.outOfMoney.barIndex + offset };
      }
      account = equity[offset + length - 1] as number;
    }
    windowEndEquity.push(account);
    offset += length;
  }
  return {
    bars: createBarSeries(bars.symbol, bars.timeframe, columns),
    equity,
    trades,
    barsInMarket,
    skippedOrders,
    outOfMoney,
    windowEndEquity,
  };
}
