/**
 * The one pass over the equity curve that every bar-level statistic is built from: return
 * moments for volatility, Sharpe and Sortino, and the drawdown for max drawdown and Calmar.
 *
 * Speed notes (1,000,000 bars is about 3 ms on one core): the downside term is branch-free
 * because a sign test on noisy returns mispredicts half the time and made the loop several times
 * slower; drawdown divides only when a new low is reached, and durations are measured from
 * peak indices instead of a per-bar counter.
 */

/** Raw sums and drawdown of one scan; see {@link scanEquity}. */
export interface EquityScan {
  /** Number of per-bar returns, `n − 1` (0 for a single point). */
  readonly returnCount: number;
  /**
   * False when a return is undefined: one starts from a point at or below zero, other than a
   * return from exactly 0 to exactly 0 (counted as 0, see {@link scanEquity}).
   */
  readonly returnsDefined: boolean;
  /** The first return, which the sums are taken around to avoid cancellation. */
  readonly shift: number;
  /** `Σ (r − shift)`. */
  readonly sumShifted: number;
  /** `Σ (r − shift)²`. */
  readonly sumShiftedSq: number;
  /** `Σ min(0, r − rfPerBar)²`. */
  readonly sumDownsideSq: number;
  /** The per-bar risk-free rate the downside was measured against. */
  readonly rfPerBar: number;
  /** `min over k of (equity[k] / peak[k] − 1) × 100`, percent, negative or zero. */
  readonly maxDrawdownPct: number;
  /** Most consecutive bars closing below the last peak. */
  readonly maxDrawdownDurationBars: number;
}

/**
 * Scans an equity curve once. Returns are `r[k] = equity[k] / equity[k−1] − 1`; the peak is the
 * running maximum starting at `equity[0]`, which must be above 0.
 *
 * A return from 0 to 0 is 0, not 0/0 = NaN: an account that ran out of money stays at exactly 0
 * to the end (the engine's out-of-money rule), and "no change" is what happened. The bar that
 * reaches 0 is a return of −100 %. Any other return from a point at or below zero (0 → 10,
 * −5 → 0) stays undefined, so the return statistics of such a curve are `null`.
 *
 * @example
 * const scan = scanEquity(new Float64Array([100, 110, 99, 120]), 0);
 * scan.maxDrawdownDurationBars; // 1
 */
export function scanEquity(equity: Float64Array, rfPerBar: number): EquityScan {
  const n = equity.length;
  if (n === 0) {
    return {
      returnCount: 0,
      returnsDefined: true,
      shift: 0,
      sumShifted: 0,
      sumShiftedSq: 0,
      sumDownsideSq: 0,
      rfPerBar,
      maxDrawdownPct: 0,
      maxDrawdownDurationBars: 0,
    };
  }
  let prev = equity[0] as number;
  const shift = n > 1 ? (equity[1] as number) / prev - 1 : 0;
  let s1 = 0;
  let s2 = 0;
  let down4 = 0;
  let peak = prev;
  let peakIndex = 0;
  let minRatio = 1;
  // Equity at or below floor = minRatio × peak is a new deepest drawdown; saves a division per bar.
  let floor = peak;
  let longest = 0;
  // The first point at or below zero always reaches the new-low branch (the floor is still >= 0,
  // even when an earlier ratio underflowed to 0), so recording it there avoids a per-bar test.
  let firstNonPositive = n;
  for (let k = 1; k < n; k++) {
    const e = equity[k] as number;
    // Predictable (true only on a zero tail), so it costs nothing measurable; see the doc above.
    const r = prev === 0 && e === 0 ? 0 : e / prev - 1;
    const d = r - shift;
    s1 += d;
    s2 += d * d;
    const x = r - rfPerBar;
    // x − |x| is 2·min(0, x) exactly, so down4 is exactly 4·Σ min(0, x)².
    const neg = x - Math.abs(x);
    down4 += neg * neg;
    prev = e;
    if (e >= peak) {
      const run = k - peakIndex - 1;
      if (run > longest) longest = run;
      peak = e;
      peakIndex = k;
      floor = minRatio * e;
    } else if (e <= floor) {
      minRatio = e / peak;
      floor = minRatio * peak;
      if (e <= 0 && firstNonPositive === n) firstNonPositive = k;
    }
  }
  const run = n - 1 - peakIndex;
  if (run > longest) longest = run;
  if (!((equity[0] as number) > 0)) firstNonPositive = 0;
  return {
    returnCount: n - 1,
    returnsDefined: firstNonPositive >= n - 1 || isZeroFrom(equity, firstNonPositive),
    shift,
    sumShifted: s1,
    sumShiftedSq: s2,
    sumDownsideSq: down4 * 0.25,
    rfPerBar,
    maxDrawdownPct: (minRatio - 1) * 100,
    maxDrawdownDurationBars: longest,
  };
}

/** True when every point from `start` to the end is exactly 0: every return there is 0 → 0. */
function isZeroFrom(equity: Float64Array, start: number): boolean {
  for (let k = start; k < equity.length; k++) if (equity[k] !== 0) return false;
  return true;
}
