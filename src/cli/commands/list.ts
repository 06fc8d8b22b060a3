import { formatMetricValue, formatUnixSeconds, printable } from '../../app/format-values.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import { findMetric, type MetricName } from '../../core/metric-catalog.js';
import { UsageError } from '../../core/errors.js';
import { METRIC_CATALOG } from '../../core/metric-catalog.js';
import type { CliIO } from '../cli-io.js';
import { renderFittedTable } from '../format.js';
import { LIST_METRICS, shortMetricHeader } from '../format-rows.js';
import { describeRunSource } from '../../app/stored-run.js';
import { modelFilterFor } from '../../app/model-filter.js';
import { runJson } from '../../app/stored-out-of-sample.js';
import type { MetricSample } from '../../store/index.js';

/** Marks a run whose account ran out of money, after its id. */
const OUT_OF_MONEY_MARK = '!';

/** Flags of `backtest list`. */
export interface ListCommandOptions {
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly model?: string;
  readonly sweep?: string;
  readonly since?: number;
  readonly limit: number;
  readonly sort?: string;
  /** Only runs with at least this many closed trades. */
  readonly minTrades?: number;
  /** `--sample oos`: `--sort` and `--min-trades` read the out-of-sample metrics of split runs. */
  readonly sample?: MetricSample;
  /** Only runs of this walk-forward group. */
  readonly walkForward?: string;
  /** Also list walk-forward training runs (hidden by default). */
  readonly includeTraining?: boolean;
  readonly db?: string;
  readonly json: boolean;
  /** Print every column and full names even when the terminal is narrower than the table. */
  readonly wide?: boolean;
}

/** `backtest list`: saved runs, newest first unless sorted by a metric (best first). */
export async function listCommand(options: ListCommandOptions, io: CliIO): Promise<void> {
  const sort = options.sort === undefined ? undefined : checkSortMetric(options.sort);
  const sample = options.sample ?? 'is';
  const { rows, outOfSample } = await withDatabase(
    openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }),
    async (store) => {
      const found = await store.listRuns({
        symbol: options.symbol,
        timeframe: options.timeframe,
        modelPath: options.model === undefined ? undefined : modelFilterFor(options.model, io.cwd),
        sweepId: options.sweep,
        sinceTimestamp: options.since,
        minTrades: options.minTrades,
        walkForwardId: options.walkForward,
        includeTraining: options.includeTraining === true,
        sample,
        limit: options.limit,
        sort,
      });
      return { rows: found, outOfSample: await store.outOfSample(found.map((row) => row.id)) };
    },
  );
  if (options.json) {
    io.out(`${toJsonText(rows.map((row) => runJson(row, outOfSample.get(row.id))))}\n`);
    return;
  }
  if (rows.length === 0) {
    io.out('No saved runs match.\n');
    return;
  }
  const metrics: MetricName[] =
    sort === undefined || LIST_METRICS.includes(sort) ? [...LIST_METRICS] : [sort, ...LIST_METRICS];
  // Split runs: the sort metric (Sharpe ratio unsorted) gets its out-of-sample value beside it.
  const oosMetric = outOfSample.size > 0 ? (sort ?? 'sharpe_ratio') : undefined;
  // Too narrow a terminal drops the right-hand metrics first, then the save time; never the sort metric.
  const dropRanks: Partial<Record<MetricName, number>> = {
    total_trades: 7,
    profit_factor: 6,
    win_rate: 5,
    max_drawdown: 3,
    sharpe_ratio: 2,
    total_return: 1,
  };
  io.out(
    renderFittedTable(
      {
        columns: [
          { header: 'ID' },
          { header: 'Saved (UTC)', dropRank: 4 },
          { header: 'Symbol' },
          { header: 'Timeframe' },
          { header: 'Strategy / model', shrink: true },
          ...metrics.flatMap((m) => {
            const column = {
              header: m === oosMetric ? `${shortMetricHeader(m)} IS` : shortMetricHeader(m),
              align: 'right' as const,
              ...(m === sort || dropRanks[m] === undefined ? {} : { dropRank: dropRanks[m] }),
            };
            return m === oosMetric
              ? [column, { header: `${shortMetricHeader(m)} OOS`, align: 'right' as const }]
              : [column];
          }),
        ],
        rows: rows.map((row) => [
          row.out_of_money_time_ms === null ? String(row.id) : `${row.id}${OUT_OF_MONEY_MARK}`,
          formatUnixSeconds(row.run_timestamp),
          printable(String(row.symbol)),
          printable(String(row.timeframe)),
          describeRunSource(row),
          ...metrics.flatMap((m) =>
            m === oosMetric
              ? [formatMetricValue(m, row[m]), formatMetricValue(m, outOfSample.get(row.id)?.metrics[m] ?? null)]
              : [formatMetricValue(m, row[m])],
          ),
        ]),
      },
      options.wide === true ? undefined : io.columns,
    ),
  );
  if (oosMetric !== undefined) {
    io.out(
      `IS: in sample; OOS: out of sample (runs split with --oos-from or --oos-fraction; n/a for the others)` +
        (sort === undefined ? '\n' : `; sorted by the ${sample === 'oos' ? 'out-of-sample' : 'in-sample'} value\n`),
    );
  }
  if (rows.some((row) => row.out_of_money_time_ms !== null)) {
    io.out(`${OUT_OF_MONEY_MARK} the account ran out of money: positions closed, no trading after that bar\n`);
  }
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
