import { formatMetricValue, metricNameWithUnit } from '../../app/format-values.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import { ConfigError } from '../../core/errors.js';
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
  readonly db?: string;
  readonly json: boolean;
}

/** `backtest best SYMBOL TIMEFRAME`: the best saved run by a metric, in that metric's right direction. */
export async function bestCommand(options: BestCommandOptions, io: CliIO): Promise<void> {
  const metric = findMetric(options.metric);
  if (metric === undefined || metric.better === undefined) {
    throw new ConfigError(`cannot rank by "${options.metric}"; use one of ${RANKABLE_METRICS.join(', ')}`);
  }
  const row = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (db) =>
    db.getBestBacktest(options.symbol, options.timeframe, metric.name, {
      sweepId: options.sweep,
      modelPath: options.model,
    }),
  );
  if (options.json) {
    io.out(`${toJsonText(row ?? null)}\n`);
    return;
  }
  if (row === undefined) {
    io.out(`No saved run for ${options.symbol} ${options.timeframe} has a ${metric.name} value.\n`);
    return;
  }
  const direction = metric.name === 'max_drawdown' ? 'closest to zero' : `${metric.better} is better`;
  io.out(
    `Best ${row.symbol} ${row.timeframe} run by ${metric.name} (${direction}): id=${row.id}, ` +
      `${metricNameWithUnit(metric.name)} = ${formatMetricValue(metric.name, row[metric.name])}\n`,
  );
  io.out(renderTable(['Field', 'Value'], rowFields(row), 2));
  io.out(`config:\n${prettyConfig(row)}\n`);
}
