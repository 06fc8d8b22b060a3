import { findBestRun } from '../../app/best-run-report.js';
import { describeDeflatedSharpe } from '../../app/family-deflated-sharpe.js';
import { formatMetricValue, formatTimeMs, metricNameWithUnit, printable } from '../../app/format-values.js';
import { modelFilterFor } from '../../app/model-filter.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import { runJson } from '../../app/stored-out-of-sample.js';
import type { MetricSample } from '../../store/index.js';
import { AppError, ConfigError } from '../../core/errors.js';
import { findMetric, RANKABLE_METRICS } from '../../core/metric-catalog.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { prettyConfig, rowFields } from '../format-rows.js';

/** Flags and arguments of `backtest best`. */
export interface BestCommandOptions {
  readonly symbol: string;
  readonly timeframe: string;
  readonly metric: string;
  readonly sweep?: string;
  readonly model?: string;
  /** Runs with fewer closed trades are left out; default 1 (a run that never traded is not "best"). */
  readonly minTrades?: number;
  /** The best run is turned down (exit 1) when its deflated Sharpe ratio is below this probability. */
  readonly minDsr?: number;
  /** `--sample oos`: rank split runs by their out-of-sample metric. */
  readonly sample?: MetricSample;
  /** Rank walk-forward training runs too. */
  readonly includeTraining?: boolean;
  readonly db?: string;
  readonly json: boolean;
}

/** Exit code of `best` when no stored run qualifies: a negative answer, as grep's 1 for "no match". */
export const NO_QUALIFYING_RUN_EXIT_CODE = 1;

class NoQualifyingRunError extends AppError {
  constructor(message: string) {
    super(message, { code: 'no-qualifying-run', exitCode: NO_QUALIFYING_RUN_EXIT_CODE });
  }
}

/**
 * `backtest best SYMBOL TIMEFRAME`: the best saved run by a metric, in that metric's right
 * direction, among runs with at least `--min-trades` trades (default 1), saying how many it
 * ranked and its deflated Sharpe ratio over every run it was chosen from (`--min-dsr` turns it
 * down below a probability).
 */
export async function bestCommand(options: BestCommandOptions, io: CliIO): Promise<void> {
  const metric = findMetric(options.metric);
  if (metric === undefined || metric.better === undefined) {
    throw new ConfigError(`cannot rank by "${options.metric}"; use one of ${RANKABLE_METRICS.join(', ')}`);
  }
  const minTrades = options.minTrades ?? 1;
  if (options.minDsr !== undefined && !(options.minDsr >= 0 && options.minDsr <= 1)) {
    throw new ConfigError(`--min-dsr is ${options.minDsr}; give a probability from 0 to 1, such as 0.95`);
  }
  const best = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    findBestRun(store, {
      symbol: options.symbol,
      timeframe: options.timeframe,
      metric: metric.name,
      sweepId: options.sweep,
      modelPath: options.model === undefined ? undefined : modelFilterFor(options.model, io.cwd),
      minTrades,
      minDsr: options.minDsr,
      sample: options.sample,
      includeTraining: options.includeTraining === true,
    }),
  );
  const sample = best.sample === 'oos' ? ' out of sample' : '';
  const oos = best.outOfSample;
  const row = best.best;
  const considered =
    `ranked ${best.ranked} of ${best.matching} saved run${best.matching === 1 ? '' : 's'}` +
    ` (${best.matching - best.withValue} without a ${metric.name} value, ${best.withValue - best.ranked} with fewer than ${minTrades} trade${minTrades === 1 ? '' : 's'} left out)`;
  if (options.json) {
    const { outOfSample: _shownInBest, ...report } = best;
    io.out(`${toJsonText({ ...report, best: best.best === null ? null : runJson(best.best, oos ?? undefined) })}\n`);
  }
  const dsr = best.deflatedSharpe;
  if (row === null && dsr !== null) {
    const value =
      dsr.probability === null
        ? `no deflated Sharpe ratio (${dsr.unavailable})`
        : `a deflated Sharpe ratio of ${dsr.probability.toFixed(3)}`;
    throw new NoQualifyingRunError(
      `no saved run of ${options.symbol} ${options.timeframe} qualifies for best by ${metric.name} with --min-dsr ${best.minDsr}: ` +
        `the best, id=${dsr.runId}, has ${value} over ${dsr.trials} run${dsr.trials === 1 ? '' : 's'}`,
    );
  }
  if (row === null) {
    throw new NoQualifyingRunError(
      `no saved run of ${options.symbol} ${options.timeframe} qualifies for best by ${metric.name}${sample}: ${considered}`,
    );
  }
  if (options.json) return;
  const direction = metric.name === 'max_drawdown' ? 'closest to zero' : `${metric.better} is better`;
  const outOfMoney =
    row.out_of_money_time_ms === null ? '' : ` [out of money ${formatTimeMs(row.out_of_money_time_ms)}]`;
  // The other sample's value goes beside the ranked one: in-sample and out-of-sample, always both for a split run.
  const inSampleValue = formatMetricValue(metric.name, row[metric.name]);
  const oosValue = oos === null ? undefined : formatMetricValue(metric.name, oos.metrics[metric.name]);
  const values =
    oosValue === undefined
      ? inSampleValue
      : best.sample === 'oos'
        ? `${oosValue} out of sample (${inSampleValue} in sample)`
        : `${inSampleValue} in sample (${oosValue} out of sample)`;
  io.out(
    `Best ${printable(String(row.symbol))} ${printable(String(row.timeframe))} run by ${metric.name}${sample} (${direction}): id=${row.id}, ` +
      `${metricNameWithUnit(metric.name)} = ${values}${outOfMoney}\n`,
  );
  io.out(`Considered: ${considered}.\n`);
  if (dsr !== null) io.out(`${describeDeflatedSharpe(dsr)}.\n`);
  io.out(renderTable(['Field', 'Value'], rowFields(row), 2));
  io.out(`config:\n${prettyConfig(row)}\n`);
}
