/**
 * An example user strategy: time-series momentum.
 *
 * Load it with `backtest run --strategy examples/strategies/momentum.ts --param lookback=20`.
 * A strategy module exports a StrategyDefinition as its default export; only types come from
 * the toolkit, so the file has no runtime dependency on it.
 *
 * After bar i closes, momentum is the return over the last `lookback` bars,
 * `close[i] / close[i − lookback] − 1`, in percent. Above `thresholdPct` → long; below
 * `−thresholdPct` → flat (or short with `short=true`); in between → keep. The first decision is
 * at bar `lookback`.
 */
import type { Direction, StrategyContext, StrategyDefinition } from '../../src/core/index.js';

class Momentum {
  // Ring buffer of the last `lookback` closes: allocated once, no allocation per bar.
  private readonly closes: Float64Array;
  private readonly thresholdPct: number;
  private readonly exitDirection: Direction;
  private seen = 0;

  constructor(lookback: number, thresholdPct: number, short: boolean) {
    this.closes = new Float64Array(lookback);
    this.thresholdPct = thresholdPct;
    this.exitDirection = short ? -1 : 0;
  }

  onBar(context: StrategyContext): Direction | undefined {
    // Read only bar `index`: later entries of context.bars are NaN until they close.
    const close = context.bars.close[context.index]!;
    const lookback = this.closes.length;
    const slot = this.seen % lookback;
    // Before it is overwritten, this slot holds the close from `lookback` bars ago.
    const past = this.closes[slot]!;
    this.closes[slot] = close;
    const ready = this.seen >= lookback;
    this.seen++;
    if (!ready || past === 0) return undefined;
    const momentumPct = (close / past - 1) * 100;
    if (momentumPct > this.thresholdPct) return 1;
    if (momentumPct < -this.thresholdPct) return this.exitDirection;
    return undefined;
  }
}

const momentum: StrategyDefinition = {
  name: 'momentum',
  description: 'Long while the close is up over the lookback window, flat (or short) while it is down',
  params: [
    { name: 'lookback', type: 'integer', default: 20, min: 1, description: 'Bars to measure the return over' },
    { name: 'thresholdPct', type: 'number', default: 0, min: 0, description: 'Dead band around zero, in percent' },
    { name: 'short', type: 'boolean', default: false, description: 'Go short on negative momentum instead of flat' },
  ],
  // Params arrive complete and checked: the toolkit applies defaults and bounds before create.
  create: (params) => new Momentum(params.lookback as number, params.thresholdPct as number, params.short as boolean),
};

export default momentum;
