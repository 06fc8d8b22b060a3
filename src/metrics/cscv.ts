/**
 * Combinatorially symmetric cross-validation (CSCV) and the probability of backtest overfitting
 * (PBO): D. H. Bailey, J. M. Borwein, M. López de Prado and Q. J. Zhu, "The probability of
 * backtest overfitting", Journal of Computational Finance 20(4), 2017, 39–69
 * (https://doi.org/10.21314/JCF.2016.322; preprint SSRN 2326253).
 *
 * Input: a T×N matrix of returns, T periods (rows) by N configurations (columns) of one sweep.
 *
 * 1. The rows are cut into S (even) consecutive blocks of ⌊T/S⌋ or ⌈T/S⌉ rows (the paper drops
 *    the remainder so blocks are equal; here block b is rows ⌊b·T/S⌋ … ⌊(b+1)·T/S⌋ − 1, so no
 *    period is dropped and sizes differ by at most one).
 * 2. Each of the C(S, S/2) ways to pick half the blocks is one split: those blocks, in time
 *    order, are the in-sample (IS) set, the other half the out-of-sample (OOS) set (12,870
 *    splits for S = 16). Each split's complement is a split too: hence "symmetric". Splits are
 *    enumerated in increasing order of their bitmask (block b is bit b).
 * 3. In each split every configuration's performance is measured on both sets: the Sharpe ratio
 *    of its period returns (mean / sample standard deviation, per period, not annualized and
 *    without a risk-free rate; ranks, slope and R² do not depend on the scale), or its total
 *    return (∏(1 + r) − 1, a fraction). A set whose returns do not vary has Sharpe ratio 0
 *    (undefined: no evidence either way); so has a set of a single period.
 * 4. n* is the IS winner: the configuration with the highest IS performance (ties: the lowest
 *    configuration index, i.e. the first run saved). ω is its relative rank OOS, rank / (N + 1),
 *    with rank 1 the worst and N the best; tied OOS values share the mean of their ranks
 *    (mid-rank), so a winner tied with every other configuration has ω = ½. The logit is
 *    λ = ln(ω / (1 − ω)): above 0 when n* does better OOS than the median configuration.
 * 5. PBO = the share of splits with λ ≤ 0: how often the configuration that looks best in a
 *    sample does no better than the median out of it.
 *
 * Also: the regression of OOS performance on IS performance of n* over the splits (ordinary
 * least squares: slope, intercept, R²; a negative slope is the paper's "performance
 * degradation"), and the probability of loss, the share of splits in which n* has an OOS
 * performance below 0.
 *
 * Performance: each block's figures (Σr and Σr², or ∏(1+r)) are computed once per
 * configuration, and so are those of every subset of the first half of the blocks and of the
 * second half (2 × 2^(S/2) subsets); a split is one subset of each half, so its figures cost one
 * addition per configuration, O(N) rather than O(N·T), and finding n* and its rank is O(N) too
 * (no sort). 1,000 configurations × 2,000 periods × 12,870 splits take 0.3–0.6 s
 * (`npm run bench:sweep` reports it).
 */
import { ConfigError } from '../core/errors.js';

/** The performance measures CSCV ranks configurations by. */
export const CscvMetric = {
  SharpeRatio: 'sharpe_ratio',
  TotalReturn: 'total_return',
} as const;
export type CscvMetric = (typeof CscvMetric)[keyof typeof CscvMetric];

/** S when none is given, as in the paper's examples: 12,870 splits. */
export const DEFAULT_CSCV_BLOCKS = 16;
/** The largest S accepted: C(20, 10) = 184,756 splits. */
export const MAX_CSCV_BLOCKS = 20;

/** What {@link cscv} takes. */
export interface CscvInput {
  /** One array per configuration, each holding the same T periods' returns (fractions, ≥ −1). */
  readonly returns: readonly Float64Array[];
  /** S: an even number from 2 to {@link MAX_CSCV_BLOCKS}, at most T; default 16. */
  readonly blocks?: number | undefined;
  /** Default `sharpe_ratio`. */
  readonly metric?: CscvMetric | undefined;
}

/** The outcome of {@link cscv}; per-split arrays are in the order the splits were enumerated. */
export interface CscvResult {
  readonly metric: CscvMetric;
  /** N. */
  readonly configurations: number;
  /** T. */
  readonly periods: number;
  /** S. */
  readonly blocks: number;
  /** C(S, S/2). */
  readonly splits: number;
  /** Probability of backtest overfitting: the share of splits with λ ≤ 0. */
  readonly pbo: number;
  /** λ of each split. */
  readonly logits: Float64Array;
  /** The IS performance of each split's IS winner. */
  readonly inSample: Float64Array;
  /** The OOS performance of each split's IS winner. */
  readonly outOfSample: Float64Array;
  /** The configuration index of each split's IS winner. */
  readonly winners: Int32Array;
  /** OLS slope of OOS on IS performance over the splits; `null` when IS performance never varies. */
  readonly slope: number | null;
  readonly intercept: number | null;
  /** R² of that regression; `null` when either performance never varies. */
  readonly rSquared: number | null;
  /** The share of splits in which the IS winner's OOS performance is below 0. */
  readonly probabilityOfLoss: number;
}

/**
 * A variance below this share of the mean square counts as none (a per-period Sharpe ratio
 * above 10⁷): what rounding leaves of returns that do not vary.
 */
const ZERO_VARIANCE_SHARE = 1e-14;

/**
 * Runs CSCV over a returns matrix; see the module comment for every convention. Throws a
 * `ConfigError` for fewer than 2 configurations, arrays of different lengths, a return that is
 * not finite or below −1, or S not even, outside 2…20, or above T.
 *
 * @example
 * const { pbo, slope, probabilityOfLoss } = cscv({ returns: perConfiguration, blocks: 16 });
 */
export function cscv(input: CscvInput): CscvResult {
  const metric = input.metric ?? CscvMetric.SharpeRatio;
  if (metric !== CscvMetric.SharpeRatio && metric !== CscvMetric.TotalReturn) {
    throw new ConfigError(`CSCV metric "${String(metric)}" is not one of sharpe_ratio, total_return`);
  }
  const blocks = input.blocks ?? DEFAULT_CSCV_BLOCKS;
  const { returns } = input;
  const n = returns.length;
  if (n < 2) throw new ConfigError(`CSCV needs at least 2 configurations to compare, not ${n}`);
  const t = (returns[0] as Float64Array).length;
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0 || blocks > MAX_CSCV_BLOCKS) {
    throw new ConfigError(`blocks is ${blocks}; it must be an even whole number from 2 to ${MAX_CSCV_BLOCKS}`);
  }
  if (t < blocks) throw new ConfigError(`CSCV with ${blocks} blocks needs at least ${blocks} periods, not ${t}`);
  for (let j = 0; j < n; j++) {
    const column = returns[j] as Float64Array;
    if (column.length !== t) {
      throw new ConfigError(
        `configuration ${j + 1} has ${column.length} periods but configuration 1 has ${t}; they must match`,
      );
    }
    for (let i = 0; i < t; i++) {
      const r = column[i] as number;
      if (!(r >= -1) || r === Infinity) {
        throw new ConfigError(
          `configuration ${j + 1}, period ${i + 1}: the return ${r} is not a finite fraction of at least -1`,
        );
      }
    }
  }

  // Per-block figures: Σr and Σr² (Sharpe ratio) or ∏(1 + r) (total return) of each block and
  // configuration, laid out [block * n + configuration].
  const starts = Array.from({ length: blocks + 1 }, (_, b) => Math.floor((b * t) / blocks));
  const sharpe = metric === CscvMetric.SharpeRatio;
  const blockSum = new Float64Array(blocks * n);
  const blockSquare = new Float64Array(blocks * n);
  for (let b = 0; b < blocks; b++) {
    const from = starts[b] as number;
    const to = starts[b + 1] as number;
    for (let j = 0; j < n; j++) {
      const column = returns[j] as Float64Array;
      let s = 0;
      let q = sharpe ? 0 : 1;
      for (let i = from; i < to; i++) {
        const r = column[i] as number;
        if (sharpe) {
          s += r;
          q += r * r;
        } else {
          q *= 1 + r;
        }
      }
      blockSum[b * n + j] = s;
      blockSquare[b * n + j] = q;
    }
  }

  // Meet in the middle: the blocks are two halves, low (0 … S/2−1) and high (S/2 … S−1), and
  // the figures of every subset of each half are summed once (2 × 2^(S/2) subsets; 512 for
  // S = 16). A split is a subset of each half, so its IS figures are one addition per
  // configuration. Subset sums are built from scratch (highest block first), never updated, so
  // no rounding accumulates, and zero blocks add nothing: a set of zero returns sums to exactly 0.
  const half = blocks / 2;
  const subsets = 1 << half;
  const halves = [0, half].map((first) => {
    const sum = new Float64Array(subsets * n);
    const square = new Float64Array(subsets * n);
    const count = new Float64Array(subsets);
    if (!sharpe) square.fill(1, 0, n);
    for (let mask = 1; mask < subsets; mask++) {
      const low = 31 - Math.clz32(mask & -mask);
      const rest = (mask & (mask - 1)) * n;
      const block = (first + low) * n;
      const at = mask * n;
      count[mask] =
        (count[mask & (mask - 1)] as number) + (starts[first + low + 1] as number) - (starts[first + low] as number);
      for (let j = 0; j < n; j++) {
        if (sharpe) {
          sum[at + j] = (sum[rest + j] as number) + (blockSum[block + j] as number);
          square[at + j] = (square[rest + j] as number) + (blockSquare[block + j] as number);
        } else {
          square[at + j] = (square[rest + j] as number) * (blockSquare[block + j] as number);
        }
      }
    }
    return { sum, square, count };
  });
  const [lowHalf, highHalf] = halves as [(typeof halves)[0], (typeof halves)[0]];
  const full = subsets - 1;

  const splits = binomial(blocks, half);
  const logits = new Float64Array(splits);
  const inSample = new Float64Array(splits);
  const outOfSample = new Float64Array(splits);
  const winners = new Int32Array(splits);
  const isPerformance = new Float64Array(n);
  const oosPerformance = new Float64Array(n);
  const { sum: lowSum, square: lowSquare } = lowHalf;
  const { sum: highSum, square: highSquare } = highHalf;

  // Splits in increasing order of their block bitmask (block b is bit b).
  let split = 0;
  for (let mask = 0; mask < 1 << blocks; mask++) {
    if (popCount(mask) !== half) continue;
    const lowMask = mask & full;
    const highMask = mask >>> half;
    const lowIs = lowMask * n;
    const highIs = highMask * n;
    const lowOos = (full ^ lowMask) * n;
    const highOos = (full ^ highMask) * n;
    const isCount = (lowHalf.count[lowMask] as number) + (highHalf.count[highMask] as number);
    const oosCount = t - isCount;
    if (sharpe) {
      for (let j = 0; j < n; j++) {
        isPerformance[j] = sharpeFromSums(
          (lowSum[lowIs + j] as number) + (highSum[highIs + j] as number),
          (lowSquare[lowIs + j] as number) + (highSquare[highIs + j] as number),
          isCount,
        );
        oosPerformance[j] = sharpeFromSums(
          (lowSum[lowOos + j] as number) + (highSum[highOos + j] as number),
          (lowSquare[lowOos + j] as number) + (highSquare[highOos + j] as number),
          oosCount,
        );
      }
    } else {
      for (let j = 0; j < n; j++) {
        isPerformance[j] = (lowSquare[lowIs + j] as number) * (highSquare[highIs + j] as number) - 1;
        oosPerformance[j] = (lowSquare[lowOos + j] as number) * (highSquare[highOos + j] as number) - 1;
      }
    }
    let winner = 0;
    let best = isPerformance[0] as number;
    for (let j = 1; j < n; j++) {
      const v = isPerformance[j] as number;
      if (v > best) {
        best = v;
        winner = j;
      }
    }
    const oos = oosPerformance[winner] as number;
    let below = 0;
    let tied = 0;
    for (let j = 0; j < n; j++) {
      const v = oosPerformance[j] as number;
      if (v < oos) below++;
      else if (v === oos) tied++;
    }
    // Mid-rank: the tied group (n* included) holds ranks below+1 … below+tied.
    const rank = below + (tied + 1) / 2;
    const omega = rank / (n + 1);
    logits[split] = Math.log(omega / (1 - omega));
    inSample[split] = best;
    outOfSample[split] = oos;
    winners[split] = winner;
    split++;
  }

  let overfit = 0;
  let losses = 0;
  for (let s = 0; s < splits; s++) {
    if ((logits[s] as number) <= 0) overfit++;
    if ((outOfSample[s] as number) < 0) losses++;
  }
  return {
    metric,
    configurations: n,
    periods: t,
    blocks,
    splits,
    pbo: overfit / splits,
    logits,
    inSample,
    outOfSample,
    winners,
    ...regression(inSample, outOfSample),
    probabilityOfLoss: losses / splits,
  };
}

/** Mean over sample standard deviation from Σr, Σr² and the count; 0 when it is undefined. */
function sharpeFromSums(sum: number, square: number, count: number): number {
  if (count < 2) return 0;
  const mean = sum / count;
  const variance = (square - sum * mean) / (count - 1);
  if (!(variance > ZERO_VARIANCE_SHARE * (square / count))) return 0;
  return mean / Math.sqrt(variance);
}

/** Ordinary least squares of y on x, two passes. */
function regression(
  x: Float64Array,
  y: Float64Array,
): { slope: number | null; intercept: number | null; rSquared: number | null } {
  const count = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < count; i++) {
    meanX += x[i] as number;
    meanY += y[i] as number;
  }
  meanX /= count;
  meanY /= count;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < count; i++) {
    const dx = (x[i] as number) - meanX;
    const dy = (y[i] as number) - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !Number.isFinite(sxx) || !Number.isFinite(sxy)) {
    return { slope: null, intercept: null, rSquared: null };
  }
  const slope = sxy / sxx;
  return {
    slope,
    intercept: meanY - slope * meanX,
    rSquared: syy > 0 && Number.isFinite(syy) ? (sxy * sxy) / (sxx * syy) : null,
  };
}

/** C(n, k), exact for the sizes used here. */
function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/** Number of set bits of a 32-bit integer. */
function popCount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
