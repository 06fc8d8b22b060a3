/**
 * The deflated Sharpe ratio of a stored run over the family of runs it was chosen from (Bailey
 * and López de Prado, 2014; the formulas are in `../metrics/deflated-sharpe.ts`), for `best`
 * and the dashboard's run page.
 *
 * - Trials N: every run of the family, including runs without a Sharpe ratio and runs that
 *   `--min-trades` leaves out of the ranking: they were tried.
 * - V[SR_n]: the sample variance (n − 1) of the family's Sharpe ratios, each de-annualized with
 *   its own run's periods per year, ppy = per-bar returns / years from first to last bar (the
 *   `periodsPerYear` the metric was annualized with). Runs whose Sharpe ratio is undefined, or
 *   that store no bar count or time span (rows other programs wrote), cannot enter it.
 * - The run's own Sharpe ratio per bar, its number of returns T, and its skewness and kurtosis;
 *   a run saved before those were stored is treated as normal (0 and 3), and flagged.
 * - With one trial the answer is the probabilistic Sharpe ratio against 0.
 */
import { deflatedSharpeRatio, expectedMaxSharpe, YEAR_MS } from '../metrics/index.js';
import type { BacktestFilter, BacktestRow, RunStore, SharpeFamilyMember } from '../store/index.js';

/** The deflated Sharpe ratio of one run over its family, with everything it was computed from. */
export interface FamilyDeflatedSharpe {
  /** The run it is about. */
  readonly runId: number;
  /** Trials N: the runs of the family, every one, with or without a Sharpe ratio. */
  readonly trials: number;
  /** Of those, runs whose Sharpe ratio entered the variance (a value, and the bars to de-annualize it). */
  readonly sharpeCount: number;
  /** V[SR_n]: sample variance of their Sharpe ratios per bar; `null` with fewer than 2. */
  readonly sharpeVariance: number | null;
  /** SR₀ per bar: what the best of `trials` runs without any edge would show by luck; `null` when unknown. */
  readonly expectedMaxSharpe: number | null;
  /** The run's Sharpe ratio per bar (annualized ÷ √periodsPerYear); `null` when it has none. */
  readonly sharpe: number | null;
  /** The run's bars per year, which annualizes the per-bar figures for display; `null` when unknown. */
  readonly periodsPerYear: number | null;
  /** T: the run's number of per-bar returns; `null` when unknown. */
  readonly observations: number | null;
  /** Skewness of the run's returns used (0 when assumed normal). */
  readonly skewness: number;
  /** Kurtosis (not excess) of the run's returns used (3 when assumed normal). */
  readonly kurtosis: number;
  /** True when the run has no stored skewness and kurtosis (saved before they were), so normal returns were assumed. */
  readonly assumedNormal: boolean;
  /**
   * The probability that the run's true Sharpe ratio exceeds SR₀: the deflated Sharpe ratio (the
   * probabilistic one against 0 when `trials` is 1). `null` when it cannot be computed; see `unavailable`.
   */
  readonly probability: number | null;
  /** Why `probability` is `null`, in words; `null` when it is not. */
  readonly unavailable: string | null;
}

/** The number of per-bar returns of a run: stored since schema 5, else bars − 1. */
function returnCount(returnsCount: number | null, barsCount: number | null): number | null {
  if (returnsCount !== null) return returnsCount;
  return barsCount === null ? null : barsCount - 1;
}

/** Bars per year of a run, `returns / years`; `null` without a count or a time span. */
function runPeriodsPerYear(count: number | null, firstTimeMs: number | null, lastTimeMs: number | null): number | null {
  if (count === null || firstTimeMs === null || lastTimeMs === null || !(count >= 1)) return null;
  const years = (lastTimeMs - firstTimeMs) / YEAR_MS;
  if (!(years > 0)) return null;
  const ppy = count / years;
  return Number.isFinite(ppy) ? ppy : null;
}

/** A member's Sharpe ratio per bar, or `null` when it has none or it cannot be de-annualized. */
function perBarSharpe(member: SharpeFamilyMember): number | null {
  const { sharpeRatio } = member;
  if (sharpeRatio === null || !Number.isFinite(sharpeRatio)) return null;
  const ppy = runPeriodsPerYear(
    returnCount(member.returnsCount, member.barsCount),
    member.firstTimeMs,
    member.lastTimeMs,
  );
  return ppy === null ? null : sharpeRatio / Math.sqrt(ppy);
}

/** Sample variance (n − 1), two passes; `null` with fewer than two values. */
function sampleVariance(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  let sum = 0;
  for (const v of values) sum += (v - mean) * (v - mean);
  return sum / (values.length - 1);
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The deflated Sharpe ratio of `run` over `family` (the runs it was chosen from, itself
 * included, as `RunStore.sharpeFamily` returns them). Pure: no store access.
 *
 * @example
 * const dsr = familyDeflatedSharpe(row, await store.sharpeFamily({ sweepId: row.sweep_id }));
 * console.log(describeDeflatedSharpe(dsr));
 */
export function familyDeflatedSharpe(run: BacktestRow, family: readonly SharpeFamilyMember[]): FamilyDeflatedSharpe {
  const perBar = family.map(perBarSharpe).filter((v): v is number => v !== null);
  const trials = family.length;
  const sharpeVariance = sampleVariance(perBar);
  const observations = returnCount(
    isNumber(run.returns_count) ? run.returns_count : null,
    isNumber(run.bars_count) ? run.bars_count : null,
  );
  const ppy = runPeriodsPerYear(
    observations,
    isNumber(run.bars_first_time_ms) ? run.bars_first_time_ms : null,
    isNumber(run.bars_last_time_ms) ? run.bars_last_time_ms : null,
  );
  const annualized = isNumber(run.sharpe_ratio) ? run.sharpe_ratio : null;
  const sharpe = annualized === null || ppy === null ? null : annualized / Math.sqrt(ppy);
  const stored =
    isNumber(run.returns_skewness) && isNumber(run.returns_kurtosis) && run.returns_kurtosis >= 1
      ? { skewness: run.returns_skewness, kurtosis: run.returns_kurtosis }
      : undefined;
  const { skewness, kurtosis } = stored ?? { skewness: 0, kurtosis: 3 };
  const base = {
    runId: run.id,
    trials,
    sharpeCount: perBar.length,
    sharpeVariance,
    sharpe,
    periodsPerYear: ppy,
    observations,
    skewness,
    kurtosis,
    assumedNormal: stored === undefined,
  };
  const unavailable = (reason: string): FamilyDeflatedSharpe => ({
    ...base,
    expectedMaxSharpe: trials === 1 ? 0 : null,
    probability: null,
    unavailable: reason,
  });
  if (trials === 0) return unavailable('no runs to compare it with');
  const variance = trials === 1 ? 0 : sharpeVariance;
  const benchmark = variance === null ? null : expectedMaxSharpe({ sharpeVariance: variance, trials });
  if (annualized === null) return { ...unavailable('the run has no Sharpe ratio'), expectedMaxSharpe: benchmark };
  if (sharpe === null || observations === null) {
    return {
      ...unavailable('the run stores no bar count or time span to de-annualize its Sharpe ratio with'),
      expectedMaxSharpe: benchmark,
    };
  }
  if (observations < 2) return { ...unavailable('the run has fewer than 2 returns'), expectedMaxSharpe: benchmark };
  if (variance === null) {
    return unavailable(
      `fewer than 2 of the ${trials} runs have a Sharpe ratio that can be de-annualized, so their spread is unknown`,
    );
  }
  const probability = deflatedSharpeRatio({
    sharpe,
    sharpeVariance: variance,
    trials,
    observations,
    skewness,
    kurtosis,
  });
  return { ...base, expectedMaxSharpe: benchmark, probability, unavailable: null };
}

/** A probability with three decimals, never rounded to a certainty: `0.900`, `> 0.999`, `< 0.001`. */
function probabilityText(probability: number): string {
  if (probability >= 0.9995) return '> 0.999';
  if (probability < 0.0005) return '< 0.001';
  return probability.toFixed(3);
}

/** `0.900` → `90.0%`; never rounds a probability to a certainty. */
function percent(probability: number): string {
  if (probability > 0.999) return 'over 99.9%';
  if (probability < 0.001) return 'under 0.1%';
  return `${(probability * 100).toFixed(1)}%`;
}

/**
 * One line for people: what the probability means, with the number of runs. Flags a run whose
 * returns were assumed normal and a variance taken from only part of the family.
 *
 * @example
 * describeDeflatedSharpe(dsr);
 * // 'Deflated Sharpe ratio 0.900: a probability of 90.0% that this run's true Sharpe ratio is above 1.789
 * // (annualized), which the best of 100 runs without any edge would reach by luck alone'
 */
export function describeDeflatedSharpe(dsr: FamilyDeflatedSharpe): string {
  const runs = `${dsr.trials} run${dsr.trials === 1 ? '' : 's'}`;
  const notes: string[] = [];
  if (dsr.assumedNormal)
    notes.push('returns assumed normal: the run was saved before their skewness and kurtosis were');
  if (dsr.trials > 1 && dsr.sharpeCount < dsr.trials && dsr.sharpeVariance !== null) {
    notes.push(`spread taken from the ${dsr.sharpeCount} of ${runs} with a Sharpe ratio`);
  }
  const tail = notes.length === 0 ? '' : ` (${notes.join('; ')})`;
  if (dsr.probability === null) {
    const name = dsr.trials === 1 ? 'Probabilistic' : 'Deflated';
    return `${name} Sharpe ratio: not available over ${runs}: ${dsr.unavailable ?? 'unknown'}`;
  }
  const value = probabilityText(dsr.probability);
  if (dsr.trials === 1) {
    return (
      `Probabilistic Sharpe ratio ${value}: a probability of ${percent(dsr.probability)} that this run's true ` +
      `Sharpe ratio is above 0 (it is the only run, so there was no choice to deflate for)${tail}`
    );
  }
  const benchmark = (dsr.expectedMaxSharpe ?? 0) * Math.sqrt(dsr.periodsPerYear ?? 1);
  return (
    `Deflated Sharpe ratio ${value}: a probability of ${percent(dsr.probability)} that this run's true Sharpe ratio ` +
    `is above ${benchmark.toFixed(3)} (annualized), which the best of ${runs} without any edge would reach by luck alone${tail}`
  );
}

/**
 * The family a stored run belongs to on its own page: its sweep when it has one, else the runs
 * of the same symbol, timeframe and strategy (and model file, for a model's runs).
 *
 * @example
 * const family = await store.sharpeFamily(runFamilyFilter(row));
 */
export function runFamilyFilter(row: BacktestRow): BacktestFilter {
  // String(): rows other programs wrote may hold a number where text belongs.
  if (row.sweep_id !== null) return { sweepId: String(row.sweep_id) };
  return {
    symbol: String(row.symbol),
    timeframe: String(row.timeframe),
    ...(row.strategy_name === null ? {} : { strategyName: String(row.strategy_name) }),
    ...(row.model_path === null ? {} : { modelPath: { paths: [String(row.model_path)] } }),
  };
}

/**
 * Loads `run`'s family (`filter`, default {@link runFamilyFilter}) and computes its deflated
 * Sharpe ratio over it.
 *
 * @example
 * const dsr = await loadFamilyDeflatedSharpe(store, row);
 */
export async function loadFamilyDeflatedSharpe(
  store: RunStore,
  run: BacktestRow,
  filter: BacktestFilter = runFamilyFilter(run),
): Promise<FamilyDeflatedSharpe> {
  return familyDeflatedSharpe(run, await store.sharpeFamily(filter));
}
