/**
 * Drawdown statistics of an equity curve and the Calmar ratio built on them.
 *
 * The curve is expected to start above zero (it starts near the initial cash); later points may
 * go to zero or below, which shows as a drawdown of −100 % or deeper.
 */
import { scanEquity } from './equity-scan.js';

/** The deepest fall from a running peak and the longest stretch spent under one. */
export interface Drawdown {
  /** `min over k of (equity[k] / peak[k] − 1) × 100`, percent, negative or zero. */
  readonly maxDrawdownPct: number;
  /** Most consecutive bars closing below the last peak, in bars; 0 when never below a peak. */
  readonly maxDrawdownDurationBars: number;
}

/**
 * Maximum drawdown and its longest duration, from the shared one-pass {@link scanEquity}.
 *
 * `maxDrawdownPct = min over k of (equity[k] / peak[k] − 1) × 100`, where `peak[k]` is the running
 * maximum of `equity[0..k]`. `maxDrawdownDurationBars` is the longest run of bars strictly after a
 * peak bar that close below that peak, ending at the first bar that gets back to (>=) it or at
 * the end of the curve if it never recovers.
 *
 * @example
 * maxDrawdown(new Float64Array([100, 110, 99, 120]));
 * // { maxDrawdownPct: ≈ -10, maxDrawdownDurationBars: 1 }
 */
export function maxDrawdown(equity: Float64Array): Drawdown {
  const scan = scanEquity(equity, 0);
  return { maxDrawdownPct: scan.maxDrawdownPct, maxDrawdownDurationBars: scan.maxDrawdownDurationBars };
}

/**
 * Calmar ratio: `cagr / |maxDrawdown|`, both in percent. With no drawdown it is `Infinity`
 * when CAGR is positive, else `null`; `null` when CAGR is undefined.
 *
 * @example
 * calmarRatio(10, -5); // 2
 */
export function calmarRatio(cagrPct: number | null, maxDrawdownPct: number): number | null {
  if (cagrPct === null || Number.isNaN(cagrPct) || Number.isNaN(maxDrawdownPct)) return null;
  if (maxDrawdownPct === 0) return cagrPct > 0 ? Number.POSITIVE_INFINITY : null;
  const ratio = cagrPct / Math.abs(maxDrawdownPct);
  return Number.isNaN(ratio) ? null : ratio;
}
