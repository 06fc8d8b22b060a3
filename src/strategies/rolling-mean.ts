/**
 * The simple moving average of the last `period` values, updated in O(1) per value.
 *
 * Numeric trap: a running sum that only adds and subtracts drifts, and over a million bars
 * the drift is large enough to flip a near-tie between two averages. The sum is therefore
 * re-added from the window each time the ring buffer wraps, which costs O(1) amortised.
 *
 * @example
 * const mean = new RollingMean(3);
 * mean.push(1); mean.push(2);
 * mean.push(6); // 3, the mean of 1, 2 and 6
 * mean.push(10); // 6, the mean of 2, 6 and 10
 */
export class RollingMean {
  /** Number of values averaged. */
  readonly period: number;
  private readonly window: Float64Array;
  private next = 0;
  private count = 0;
  private sum = 0;

  /** @param period number of values averaged, a whole number of at least 1 */
  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`RollingMean period must be a whole number of at least 1; ${period} is not`);
    }
    this.period = period;
    this.window = new Float64Array(period);
  }

  /** Adds a value and returns the mean of the last `period` values, or NaN until there are that many. */
  push(value: number): number {
    const window = this.window;
    const slot = this.next;
    this.sum += value - window[slot]!;
    window[slot] = value;
    if (slot + 1 === this.period) {
      this.next = 0;
      let exact = 0;
      for (let i = 0; i < window.length; i++) exact += window[i]!;
      this.sum = exact;
    } else {
      this.next = slot + 1;
    }
    if (this.count < this.period) {
      this.count++;
      if (this.count < this.period) return Number.NaN;
    }
    return this.sum / this.period;
  }

  /** The current mean, or NaN until `period` values have been pushed. */
  get value(): number {
    return this.count < this.period ? Number.NaN : this.sum / this.period;
  }
}
