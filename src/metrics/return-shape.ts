/**
 * The shape of a run's per-bar returns: skewness and kurtosis, which the probabilistic and
 * deflated Sharpe ratios need (`deflated-sharpe.ts`).
 *
 * Convention: population (plug-in) moments, as the PSR/DSR papers and their reference code use
 * (`scipy.stats.skew` and `kurtosis(fisher=False)`, both with `bias=True`):
 * m_k = Σ (r − mean)^k / n, skewness = m₃ / m₂^(3/2), kurtosis = m₄ / m₂² (not excess: 3 for
 * a normal distribution). With these, kurtosis ≥ 1 + skewness² for every sample, which keeps the
 * PSR's variance term positive.
 *
 * Moments are taken around the mean in a second pass (the mean is known from the first), which
 * cannot cancel catastrophically as raw power sums would. Returns follow `barReturns`: a return
 * from 0 to 0 is 0; any other return from a point at or below zero is undefined, and then so is
 * the shape.
 */

/** Skewness and kurtosis of a set of returns; see the file comment for the estimators. */
export interface ReturnShape {
  /** m₃ / m₂^(3/2), dimensionless; 0 for a symmetric sample. */
  readonly skewness: number;
  /** m₄ / m₂², dimensionless, not excess (3 for a normal distribution), at least 1. */
  readonly kurtosis: number;
}

function finish(count: number, m2Sum: number, m3Sum: number, m4Sum: number): ReturnShape | null {
  if (count < 2 || !(m2Sum > 0)) return null;
  const m2 = m2Sum / count;
  const skewness = m3Sum / count / (m2 * Math.sqrt(m2));
  const kurtosis = m4Sum / count / (m2 * m2);
  if (!Number.isFinite(skewness) || !Number.isFinite(kurtosis)) return null;
  return { skewness, kurtosis };
}

/**
 * Skewness and kurtosis of `returns` around their mean. `null` with fewer than two returns, no
 * variance (all equal), or values whose powers overflow.
 *
 * @example
 * returnShape(new Float64Array([0.1, -0.1, 7 / 33])); // { skewness: ≈ −0.3287, kurtosis: 1.5 }
 */
export function returnShape(returns: Float64Array): ReturnShape | null {
  const n = returns.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i] as number;
  const mean = sum / n;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (returns[i] as number) - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  return finish(n, s2, s3, s4);
}

/**
 * The same as {@link returnShape} of `barReturns(equity)`, straight from the curve without
 * allocating the returns, given their `mean` (from the one-pass summary, `ReturnSummary.mean`).
 * `null` also when a return is undefined (see the file comment).
 *
 * @example
 * const summary = summarizeEquityReturns(equity, 0);
 * const shape = summary === null ? null : equityReturnShape(equity, summary.mean);
 */
export function equityReturnShape(equity: Float64Array, mean: number): ReturnShape | null {
  const n = equity.length;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let prev = equity[0] as number;
  for (let k = 1; k < n; k++) {
    const e = equity[k] as number;
    let r: number;
    if (prev > 0) r = e / prev - 1;
    else if (prev === 0 && e === 0) r = 0;
    else return null;
    const d = r - mean;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
    prev = e;
  }
  return finish(n - 1, s2, s3, s4);
}
