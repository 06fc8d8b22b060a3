/**
 * The probabilistic and deflated Sharpe ratios of D. H. Bailey and M. López de Prado: how likely
 * a run's true Sharpe ratio beats a benchmark, given how long, skewed and fat-tailed its returns
 * were (PSR, "The Sharpe Ratio Efficient Frontier", Journal of Risk, 2012), and how likely it
 * beats what the best of N tries would show by luck alone (DSR, "The Deflated Sharpe Ratio:
 * Correcting for Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio
 * Management 40 (5), 2014):
 *
 * - PSR(SR*) = Φ( (SR̂ − SR*) √(T − 1) / √(1 − γ₃ SR̂ + (γ₄ − 1)/4 SR̂²) )
 * - SR₀ = √V[SR_n] ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))), γ the Euler–Mascheroni constant
 * - DSR = PSR(SR₀)
 *
 * Every Sharpe ratio here is per observation (per bar, not annualized) and the kurtosis is the
 * plain fourth standardized moment (3 for a normal distribution, not the excess 0). The skewness
 * and kurtosis the paper uses are population moments (`returns_skewness`, `returns_kurtosis`,
 * see `return-shape.ts`); with them the term under the root is never negative, since
 * γ₄ ≥ 1 + γ₃² holds for every sample.
 */
import { ConfigError } from '../core/errors.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';

/** The Euler–Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

/** What {@link probabilisticSharpeRatio} needs. */
export interface ProbabilisticSharpeInput {
  /** The observed Sharpe ratio SR̂, per observation (not annualized). */
  readonly sharpe: number;
  /** The benchmark SR*, per observation; 0 asks "is the true Sharpe ratio above zero?". */
  readonly benchmarkSharpe: number;
  /** Number of returns T the Sharpe ratio was measured on, at least 2. */
  readonly observations: number;
  /** Skewness γ₃ of those returns (0 for a normal distribution). */
  readonly skewness: number;
  /** Kurtosis γ₄ of those returns, not excess (3 for a normal distribution). */
  readonly kurtosis: number;
}

/** What {@link expectedMaxSharpe} needs. */
export interface ExpectedMaxSharpeInput {
  /** Variance V[SR_n] of the trials' Sharpe ratios, per observation squared; 0 or more. */
  readonly sharpeVariance: number;
  /** Number of independent trials N, at least 1 (may be fractional: an effective count). */
  readonly trials: number;
}

/** What {@link deflatedSharpeRatio} needs: the chosen run's figures and its trials'. */
export interface DeflatedSharpeInput
  extends Omit<ProbabilisticSharpeInput, 'benchmarkSharpe'>,
    ExpectedMaxSharpeInput {}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ConfigError(message);
}

function checkShape(input: Omit<ProbabilisticSharpeInput, 'benchmarkSharpe'>): void {
  check(Number.isFinite(input.sharpe), `sharpe is ${input.sharpe}; it must be a finite number`);
  check(
    Number.isFinite(input.observations) && input.observations >= 2,
    `observations is ${input.observations}; a Sharpe ratio needs at least 2 returns`,
  );
  check(Number.isFinite(input.skewness), `skewness is ${input.skewness}; it must be a finite number`);
  check(
    Number.isFinite(input.kurtosis) && input.kurtosis >= 1,
    `kurtosis is ${input.kurtosis}; it must be at least 1 (it is the non-excess kurtosis: 3 for normal returns)`,
  );
}

/**
 * The probabilistic Sharpe ratio: the probability that the true Sharpe ratio exceeds
 * `benchmarkSharpe`, given the observed one and the length, skewness and kurtosis of its returns.
 * When skewness and kurtosis leave no variance at all (1 − γ₃ SR̂ + (γ₄ − 1)/4 SR̂² ≤ 0, possible
 * only for values no sample has), the answer is 1 or 0 by the sign of SR̂ − SR*, ½ when equal.
 *
 * @throws {ConfigError} for a non-finite Sharpe ratio or moment, fewer than 2 observations or a
 * kurtosis below 1.
 *
 * @example
 * probabilisticSharpeRatio({ sharpe: 0.1, benchmarkSharpe: 0, observations: 252, skewness: 0, kurtosis: 3 }); // ≈ 0.9430
 */
export function probabilisticSharpeRatio(input: ProbabilisticSharpeInput): number {
  checkShape(input);
  check(Number.isFinite(input.benchmarkSharpe), `benchmarkSharpe is ${input.benchmarkSharpe}; it must be finite`);
  const { sharpe, benchmarkSharpe, observations, skewness, kurtosis } = input;
  const spread = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  const edge = sharpe - benchmarkSharpe;
  if (!(spread > 0)) return edge > 0 ? 1 : edge < 0 ? 0 : 0.5;
  return normalCdf((edge * Math.sqrt(observations - 1)) / Math.sqrt(spread));
}

/**
 * SR₀: the Sharpe ratio that the best of `trials` independent tries is expected to reach when
 * none has any skill (every true Sharpe ratio 0), their estimates spreading with variance
 * `sharpeVariance`. 0 for a single trial, which is chosen from nothing. The paper's formula
 * approximates the maximum of many trials and dips below 0 for fractional counts just above 1
 * (up to N ≈ 1.28); it is taken as 0 there, so SR₀ never falls as trials grow.
 *
 * @throws {ConfigError} for fewer than 1 trial or a negative or non-finite variance.
 *
 * @example
 * expectedMaxSharpe({ sharpeVariance: 0.5 / 250, trials: 100 }); // ≈ 0.1132 (1.7894 annualized over 250 days)
 */
export function expectedMaxSharpe(input: ExpectedMaxSharpeInput): number {
  const { sharpeVariance, trials } = input;
  check(Number.isFinite(trials) && trials >= 1, `trials is ${trials}; it must be at least 1`);
  check(
    Number.isFinite(sharpeVariance) && sharpeVariance >= 0,
    `sharpeVariance is ${sharpeVariance}; it must be a finite number, 0 or more`,
  );
  if (trials === 1 || sharpeVariance === 0) return 0;
  const extreme =
    (1 - EULER_MASCHERONI) * normalQuantile(1 - 1 / trials) +
    EULER_MASCHERONI * normalQuantile(1 - 1 / (trials * Math.E));
  return Math.sqrt(sharpeVariance) * Math.max(0, extreme);
}

/**
 * The deflated Sharpe ratio, a probability in [0, 1]: the probabilistic Sharpe ratio of the
 * chosen run against SR₀ ({@link expectedMaxSharpe}), so the chance that its true Sharpe ratio
 * beats what the best of `trials` skill-less tries would show by luck. It falls as trials grow.
 * With one trial it is the probabilistic Sharpe ratio against 0.
 *
 * @throws {ConfigError} as {@link probabilisticSharpeRatio} and {@link expectedMaxSharpe} do.
 *
 * @example
 * // The paper's example: the best of 100 trials, annualized Sharpe ratio 2.5 on 5 years of daily
 * // returns (250 a year), the trials' annualized Sharpe ratios varying by 0.5, skewness −3, kurtosis 10.
 * deflatedSharpeRatio({
 *   sharpe: 2.5 / Math.sqrt(250), sharpeVariance: 0.5 / 250, trials: 100,
 *   observations: 1250, skewness: -3, kurtosis: 10,
 * }); // ≈ 0.9004
 */
export function deflatedSharpeRatio(input: DeflatedSharpeInput): number {
  checkShape(input);
  const benchmarkSharpe = expectedMaxSharpe(input);
  return probabilisticSharpeRatio({ ...input, benchmarkSharpe });
}
