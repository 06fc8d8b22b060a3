/**
 * Wilder's relative strength index of a price series, updated in O(1) per price.
 *
 * The change at price i is `price[i] − price[i−1]`; a gain is the positive part, a loss the
 * magnitude of the negative part. The first average gain (and loss) is the simple mean of the
 * first `period` changes, so the first RSI comes with price number `period + 1` (index
 * `period`). After that `average = (previous × (period − 1) + current) / period`.
 * `RSI = 100 − 100 / (1 + averageGain / averageLoss)`; with no losses it is 100, and with
 * neither gains nor losses (a flat stretch) it is 50.
 *
 * @example
 * const rsi = new WilderRsi(2);
 * rsi.push(10); rsi.push(12); // NaN, NaN: not enough changes yet
 * rsi.push(11); // gains 2, 0 and losses 0, 1: averages 1 and 0.5, RSI = 100 − 100/3 ≈ 66.67
 */
export class WilderRsi {
  /** Number of changes in the first average and the smoothing length. */
  readonly period: number;
  /** period − 1, the weight of the previous average. */
  private readonly keep: number;
  private previousPrice = Number.NaN;
  private changes = 0;
  private averageGain = 0;
  private averageLoss = 0;

  /** @param period smoothing length, a whole number of at least 1 */
  constructor(period: number) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`WilderRsi period must be a whole number of at least 1; ${period} is not`);
    }
    this.period = period;
    this.keep = period - 1;
  }

  /** Adds a price and returns the RSI in [0, 100], or NaN until `period` changes have been seen. */
  push(price: number): number {
    const previous = this.previousPrice;
    this.previousPrice = price;
    // The first price has no change; NaN marks "no previous price" without another field.
    if (Number.isNaN(previous)) return Number.NaN;
    const change = price - previous;
    const gain = Math.max(change, 0);
    const loss = change < 0 ? -change : 0;
    const period = this.period;
    if (this.changes < period) {
      // Warm-up: accumulate sums, turned into the first simple means on the last one.
      this.averageGain += gain;
      this.averageLoss += loss;
      this.changes++;
      if (this.changes < period) return Number.NaN;
      this.averageGain /= period;
      this.averageLoss /= period;
    } else {
      const keep = this.keep;
      this.averageGain = (this.averageGain * keep + gain) / period;
      this.averageLoss = (this.averageLoss * keep + loss) / period;
    }
    return this.value;
  }

  /** The current RSI in [0, 100], or NaN until `period` changes have been seen. */
  get value(): number {
    if (this.changes < this.period) return Number.NaN;
    // 100 − 100/(1 + gain/loss) rearranged to one division; it also gives 100 when loss is 0.
    const averageGain = this.averageGain;
    const total = averageGain + this.averageLoss;
    return total === 0 ? 50 : (100 * averageGain) / total;
  }
}
