import { formatMetricValue, metricHeader, printable } from '../../app/format-values.js';
import { compareRuns, type MetricComparison } from '../../app/compare-runs.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../cli-io.js';
import { renderFittedTable } from '../format.js';
import { describeRunSource } from '../../app/stored-run.js';

/** Flags and arguments of `backtest compare`. */
export interface CompareCommandOptions {
  readonly ids: readonly number[];
  readonly db?: string;
  readonly json: boolean;
  /** Print full strategy and model names even when the terminal is narrower than the table. */
  readonly wide?: boolean;
}

/** Marks the best value in each metric row. */
const BEST_MARK = ' *';

/** `backtest compare ID ID ...`: metrics as rows, runs as columns, best marked, differing config keys. */
export async function compareCommand(options: CompareCommandOptions, io: CliIO): Promise<void> {
  const ids = [...new Set(options.ids)];
  if (ids.length < 2) throw new UsageError('compare needs at least two different run ids');
  const { runs, outOfSample } = await withDatabase(
    openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }),
    async (store) => ({
      runs: await Promise.all(ids.map((id) => store.getRun(id))),
      outOfSample: await store.outOfSample(ids),
    }),
  );
  const comparison = compareRuns(runs, outOfSample);
  if (options.json) {
    io.out(`${toJsonText(comparison)}\n`);
    return;
  }
  const head = ['', ...runs.map((run) => `#${run.id}${run.out_of_money_time_ms === null ? '' : ' (out of money)'}`)];
  const identity = [
    ['Symbol', ...runs.map((r) => printable(String(r.symbol)))],
    ['Timeframe', ...runs.map((r) => printable(String(r.timeframe)))],
    ['Strategy / model', ...runs.map(describeRunSource)],
  ];
  const split = comparison.oosMetrics.length > 0;
  const metricRow = (m: MetricComparison, label: string) => [
    label,
    ...m.values.map(
      (value, i) =>
        formatMetricValue(m.metric, value) + (m.bestIds.includes(runs[i]!.id) && runs.length > 1 ? BEST_MARK : ''),
    ),
  ];
  // A split run's in-sample and out-of-sample values of each metric sit on two rows, side by side with the others'.
  const metricRows = comparison.metrics.flatMap((m, k) => {
    const oos = comparison.oosMetrics[k];
    if (!split || oos === undefined) return [metricRow(m, metricHeader(m.metric))];
    return [metricRow(m, `${metricHeader(m.metric)} IS`), metricRow(oos, `${metricHeader(m.metric)} OOS`)];
  });
  // Runs are columns, so nothing is dropped: long strategy and model names and metric labels wrap instead.
  io.out(
    renderFittedTable(
      {
        columns: head.map((header, i) =>
          i === 0 ? { header, shrink: true, minWidth: 16 } : { header, align: 'right' as const },
        ),
        rows: [...identity, ...metricRows],
        shrinkRows: [identity.length - 1],
        overflow: 'wrap',
      },
      options.wide === true ? undefined : io.columns,
    ),
  );
  io.out('* best in its row (max drawdown: closest to zero; volatility and drawdown duration: lowest)\n');
  if (split) {
    io.out(
      'IS: in sample (a run’s own metrics); OOS: out of sample, for runs split with --oos-from or --oos-fraction (n/a for the others)\n',
    );
  }
  if (comparison.configDifferences.length === 0) {
    io.out('Configs: identical.\n');
    return;
  }
  io.out('Config settings that differ:\n');
  io.out(
    renderFittedTable(
      {
        columns: [
          { header: 'Setting', shrink: true, minWidth: 16 },
          ...runs.map((run) => ({ header: `#${run.id}`, shrink: true })),
        ],
        rows: comparison.configDifferences.map((d) => [
          d.key,
          ...d.values.map((v) => (v === undefined ? '(not set)' : JSON.stringify(v))),
        ]),
        overflow: 'wrap',
      },
      options.wide === true ? undefined : io.columns,
    ),
  );
}
