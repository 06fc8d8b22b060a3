import { formatMetricValue, formatUnixSeconds } from '../../app/format-values.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import { findMetric, type MetricName } from '../../core/metric-catalog.js';
import { UsageError } from '../../core/errors.js';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { LIST_METRICS, shortMetricHeader } from '../format-rows.js';
import { describeRunSource } from '../../app/stored-run.js';

/** Flags of `backtest list`. */
export interface ListCommandOptions {
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly model?: string;
  readonly sweep?: string;
  readonly since?: number;
  readonly limit: number;
  readonly sort?: string;
  readonly db?: string;
  readonly json: boolean;
}

/** `backtest list`: saved runs, newest first unless sorted by a metric (best first). */
export async function listCommand(options: ListCommandOptions, io: CliIO): Promise<void> {
  const sort = options.sort === undefined ? undefined : checkSortMetric(options.sort);
  const rows = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (db) =>
    db.getBacktestResults({
      symbol: options.symbol,
      timeframe: options.timeframe,
      modelPath: options.model,
      sweepId: options.sweep,
      sinceTimestamp: options.since,
      limit: options.limit,
      sort,
    }),
  );
  if (options.json) {
    io.out(`${toJsonText(rows)}\n`);
    return;
  }
  if (rows.length === 0) {
    io.out('No saved runs match.\n');
    return;
  }
  const metrics: MetricName[] =
    sort === undefined || LIST_METRICS.includes(sort) ? [...LIST_METRICS] : [sort, ...LIST_METRICS];
  io.out(
    renderTable(
      ['ID', 'Saved (UTC)', 'Symbol', 'Timeframe', 'Strategy / model', ...metrics.map(shortMetricHeader)],
      rows.map((row) => [
        String(row.id),
        formatUnixSeconds(row.run_timestamp),
        row.symbol,
        row.timeframe,
        truncate(describeRunSource(row), 40),
        ...metrics.map((m) => formatMetricValue(m, row[m])),
      ]),
      5,
    ),
  );
}

function checkSortMetric(name: string): MetricName {
  const metric = findMetric(name);
  if (metric === undefined) {
    throw new UsageError(
      `unknown metric "${name}" for --sort; use one of ${METRIC_CATALOG.map((m) => m.name).join(', ')}`,
    );
  }
  return metric.name;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
