import type { Direction, Strategy, StrategyContext, StrategyDefinition } from '../core/strategy.js';
import { throwOutOfOrder } from './bar-order-guard.js';
import { resolveParams } from './resolve-params.js';

/**
 * Relative gap below which the two averages count as equal. Prices such as 100.1 are not
 * exact in binary, so the same flat prices averaged over 10 and over 30 bars can differ in
 * the last bit; without this, a flat stretch could "cross" on rounding noise.
 */
const TIE_TOLERANCE = 1e-12;

/** Sentinel for "no previous bar with both averages yet". */
const NO_SIDE = 2;

/**
 * Both averages come from one ring buffer of the last `slow` closes and two running sums.
 * This is the benchmark strategy, so onBar avoids divisions: it compares
 * `fastSum × slow` with `slowSum × fast`, which has the sign of `fastMean − slowMean`.
 * Numeric trap: running sums that only add and subtract drift, and over a million bars the
 * drift is enough to flip a near-tie, so both sums are re-added from the ring each time it
 * wraps (O(slow) every `slow` bars, O(1) amortised).
 */
class SmaCrossStrategy implements Strategy {
  private readonly fast: number;
  private readonly slow: number;
  private readonly ring: Float64Array;
  private readonly exitDirection: Direction;
  /** Ring slot of the close `slow` bars ago, overwritten by the current close. */
  private head = 0;
  /** Ring slot of the close `fast` bars ago. */
  private fastTail: number;
  private fastSum = 0;
  private slowSum = 0;
  private seen = 0;
  /** Where fast stood against slow on the previous bar: 1 above, −1 below, 0 equal. */
  private previousSide = NO_SIDE;
  private nextIndex = -1;

  constructor(fast: number, slow: number, short: boolean) {
    this.fast = fast;
    this.slow = slow;
    this.ring = new Float64Array(slow);
    this.fastTail = slow - fast;
    this.exitDirection = short ? -1 : 0;
  }

  onBar(context: StrategyContext): Direction | undefined {
    const index = context.index;
    if (index !== this.nextIndex && this.nextIndex !== -1) throwOutOfOrder('sma-cross', this.nextIndex, index);
    this.nextIndex = index + 1;

    const close = context.bars.close[index]!;
    const ring = this.ring;
    const slow = this.slow;
    const head = this.head;
    const fastTail = this.fastTail;
    // The ring starts as zeros, so during warm-up the subtracted "old" closes are 0.
    this.fastSum += close - ring[fastTail]!;
    this.slowSum += close - ring[head]!;
    ring[head] = close;
    this.fastTail = fastTail + 1 === slow ? 0 : fastTail + 1;
    if (head + 1 === slow) {
      this.head = 0;
      this.resum();
    } else {
      this.head = head + 1;
    }
    if (this.seen < slow) {
      this.seen++;
      if (this.seen < slow) return undefined;
    }

    // (fastSum/fast − slowSum/slow) × fast × slow, and the tolerance scaled the same way.
    const gap = this.fastSum * slow - this.slowSum * this.fast;
    const tolerance = TIE_TOLERANCE * this.slowSum * this.fast;
    const side = gap > tolerance ? 1 : gap < -tolerance ? -1 : 0;
    const previous = this.previousSide;
    this.previousSide = side;
    if (previous === NO_SIDE) return undefined;
    if (side === 1 && previous <= 0) return 1;
    if (side === -1 && previous >= 0) return this.exitDirection;
    return undefined;
  }

  /** Re-adds both sums from the ring; called when the head has just wrapped to slot 0. */
  private resum(): void {
    const ring = this.ring;
    const slow = this.slow;
    let slowSum = 0;
    let fastSum = 0;
    // Slot 0 is now the oldest close, so the newest `fast` closes sit at the end of the ring.
    const fastStart = slow - this.fast;
    for (let i = 0; i < fastStart; i++) slowSum += ring[i]!;
    for (let i = fastStart; i < slow; i++) fastSum += ring[i]!;
    this.fastSum = fastSum;
    this.slowSum = slowSum + fastSum;
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
 * - The averages count as equal when they differ by at most 1e-12 × slow(i), so last-bit
 *   rounding on flat prices is not a cross.
 *
 * @example
 * const strategy = smaCross.create({ fast: 10, slow: 30, short: false });
 */
export const smaCross: StrategyDefinition = {
  name: 'sma-cross',
  description:
    'Long when the fast moving average of closes crosses above the slow one; flat (or short) on the cross below',
  params: [
    { name: 'fast', type: 'integer', default: 10, min: 1, description: 'Fast moving average period, in bars' },
    { name: 'slow', type: 'integer', default: 30, min: 2, description: 'Slow moving average period, in bars' },
    { name: 'short', type: 'boolean', default: false, description: 'Go short on the cross below instead of flat' },
  ],
  check: (params) =>
    (params.fast as number) < (params.slow as number)
      ? undefined
      : `fast (${params.fast}) must be less than slow (${params.slow})`,
  create(params) {
    const resolved = resolveParams(smaCross, params);
    return new SmaCrossStrategy(resolved.fast as number, resolved.slow as number, resolved.short as boolean);
  },
};
