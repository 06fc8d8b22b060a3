import type { Direction, Strategy, StrategyContext, StrategyDefinition } from '../core/strategy.js';
import { throwOutOfOrder } from './bar-order-guard.js';
import { resolveParams } from './resolve-params.js';
import { RollingMean } from './rolling-mean.js';

/**
 * Relative gap below which the two averages count as equal. Prices such as 100.1 are not
 * exact in binary, so the same flat prices averaged over 10 and over 30 bars can differ in
 * the last bit; without this, a flat stretch could "cross" on rounding noise.
 */
const TIE_TOLERANCE = 1e-12;

/** Sentinel for "no previous bar with both averages yet". */
const NO_SIDE = 2;

class SmaCrossStrategy implements Strategy {
  private readonly fastMean: RollingMean;
  private readonly slowMean: RollingMean;
  private readonly exitDirection: Direction;
  /** Where fast stood against slow on the previous bar: 1 above, −1 below, 0 equal. */
  private previousSide = NO_SIDE;
  private nextIndex = -1;

  constructor(fast: number, slow: number, short: boolean) {
    this.fastMean = new RollingMean(fast);
    this.slowMean = new RollingMean(slow);
    this.exitDirection = short ? -1 : 0;
  }

  onBar(context: StrategyContext): Direction | undefined {
    const index = context.index;
    if (index !== this.nextIndex && this.nextIndex !== -1) throwOutOfOrder('sma-cross', this.nextIndex, index);
    this.nextIndex = index + 1;

    const close = context.bars.close[index]!;
    const fast = this.fastMean.push(close);
    const slow = this.slowMean.push(close);
    // fast has the shorter period, so it exists whenever slow does.
    if (slow !== slow) return undefined;

    const gap = fast - slow;
    const tolerance = TIE_TOLERANCE * slow;
    const side = gap > tolerance ? 1 : gap < -tolerance ? -1 : 0;
    const previous = this.previousSide;
    this.previousSide = side;
    if (previous === NO_SIDE) return undefined;
    if (side === 1 && previous <= 0) return 1;
    if (side === -1 && previous >= 0) return this.exitDirection;
    return undefined;
  }
}

/**
 * Moving-average crossover on closing prices.
 *
 * Parameters: `fast` (whole number ≥ 1, default 10) and `slow` (whole number ≥ 2, default 30)
 * are the periods of the two simple moving averages of closes, with `fast < slow`; `short`
 * (default false) reverses to short on the cross below instead of going flat.
 *
 * Decisions, made after bar i closes:
 * - `fast(i)` is the mean of closes i−fast+1..i, `slow(i)` likewise; `slow(i)` first exists at
 *   i = slow−1, so the first decision is at i = slow, when both averages exist for i−1 and i.
 * - Cross above: `fast(i−1) <= slow(i−1)` and `fast(i) > slow(i)` → long (1).
 * - Cross below: `fast(i−1) >= slow(i−1)` and `fast(i) < slow(i)` → flat (0), or short (−1)
 *   when `short` is true, so that it stays in the market after the first cross.
 * - Any other bar → keep (undefined). A fast average that is already above the slow one when
 *   the decisions start does not enter: only a cross does.
 * - The averages count as equal when they differ by at most 1e-12 × slow, so last-bit rounding
 *   on flat prices is not a cross.
 *
 * @example
 * const strategy = smaCross.create({ fast: 10, slow: 30, short: false });
 */
export const smaCross: StrategyDefinition = {
  name: 'sma-cross',
  description: 'Long when the fast moving average of closes crosses above the slow one; flat (or short) on the cross below',
  params: [
    { name: 'fast', type: 'integer', default: 10, min: 1, description: 'Fast moving average period, in bars' },
    { name: 'slow', type: 'integer', default: 30, min: 2, description: 'Slow moving average period, in bars' },
    { name: 'short', type: 'boolean', default: false, description: 'Go short on the cross below instead of flat' },
  ],
  check: (params) =>
    (params['fast'] as number) < (params['slow'] as number)
      ? undefined
      : `fast (${params['fast']}) must be less than slow (${params['slow']})`,
  create(params) {
    const resolved = resolveParams(smaCross, params);
    return new SmaCrossStrategy(resolved['fast'] as number, resolved['slow'] as number, resolved['short'] as boolean);
  },
};
