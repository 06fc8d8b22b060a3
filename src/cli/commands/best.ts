import { formatMetricValue, formatTimeMs, metricNameWithUnit, printable } from '../../app/format-values.js';
import { modelFilterFor } from '../../app/model-filter.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
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
 * direction, among runs with at least `--min-trades` trades (default 1), saying how many it ranked.
 */
export async function bestCommand(options: BestCommandOptions, io: CliIO): Promise<void> {
  const metric = findMetric(options.metric);
  if (metric === undefined || metric.better === undefined) {
    throw new ConfigError(`cannot rank by "${options.metric}"; use one of ${RANKABLE_METRICS.join(', ')}`);
  }
  const minTrades = options.minTrades ?? 1;
  const best = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    store.bestRun(options.symbol, options.timeframe, metric.name, {
      sweepId: options.sweep,
      modelPath: options.model === undefined ? undefined : modelFilterFor(options.model, io.cwd),
      minTrades,
    }),
  );
  const { row } = best;
  const considered =
    `ranked ${best.ranked} of ${best.matching} saved run${best.matching === 1 ? '' : 's'}` +
    ` (${best.matching - best.withValue} without a ${metric.name} value, ${best.withValue - best.ranked} with fewer than ${minTrades} trade${minTrades === 1 ? '' : 's'} left out)`;
  if (options.json) {
    io.out(
      `${toJsonText({ best: row ?? null, matching: best.matching, withValue: best.withValue, ranked: best.ranked, minTrades })}\n`,
    );
  }
  if (row === undefined) {
    throw new NoQualifyingRunError(
      `no saved run of ${options.symbol} ${options.timeframe} qualifies for best by ${metric.name}: ${considered}`,
    );
  }
  if (options.json) return;
  const direction = metric.name === 'max_drawdown' ? 'closest to zero' : `${metric.better} is better`;
  const outOfMoney =
    row.out_of_money_time_ms === null ? '' : ` [out of money ${formatTimeMs(row.out_of_money_time_ms)}]`;
  io.out(
    `Best ${printable(String(row.symbol))} ${printable(String(row.timeframe))} run by ${metric.name} (${direction}): id=${row.id}, ` +
      `${metricNameWithUnit(metric.name)} = ${formatMetricValue(metric.name, row[metric.name])}${outOfMoney}\n`,
  );
  io.out(`Considered: ${considered}.\n`);
  io.out(renderTable(['Field', 'Value'], rowFields(row), 2));
  io.out(`config:\n${prettyConfig(row)}\n`);
}
