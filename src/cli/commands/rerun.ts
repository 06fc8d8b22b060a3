import { resolve } from 'node:path';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { formatMetricValue, metricHeader } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import { type RerunReport, rerunStoredBacktest } from '../../app/rerun-stored.js';
import { AppError } from '../../core/errors.js';
import { canonicalTimeframe } from '../../core/timeframe.js';
import { loadBarsFromFile } from '../../data/index.js';
import type { BacktestRow } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';

/** Flags and arguments of `backtest rerun`. */
export interface RerunCommandOptions {
  readonly id: number;
  readonly data?: string;
  readonly db?: string;
  readonly json: boolean;
}

/** Exit code when a run did not reproduce (different bars, model or numbers). */
const NOT_REPRODUCED_EXIT_CODE = 1;

class NotReproducedError extends AppError {
  constructor(id: number) {
    super(`run ${id} did not reproduce (see above)`, { code: 'not-reproduced', exitCode: NOT_REPRODUCED_EXIT_CODE });
  }
}

/**
 * `backtest rerun ID`: runs a saved backtest again from its stored config, on the stored bars
 * (or `--data FILE`), and checks every stored metric, the bars and the model file.
 */
export async function rerunCommand(options: RerunCommandOptions, io: CliIO): Promise<void> {
  const { data } = options;
  const fromFile =
    data === undefined
      ? undefined
      : (row: BacktestRow) =>
          loadBarsFromFile(resolve(io.cwd, data), {
            symbol: row.symbol,
            // A timeframe this version does not know is read from the file, as for run --data.
            timeframe: canonicalTimeframe(row.timeframe),
            shownAs: data,
          });
  const report = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (db) =>
    rerunStoredBacktest(db, options.id, fromFile),
  );
  if (options.json) io.out(`${toJsonText(summary(report))}\n`);
  else io.out(render(report));
  if (!report.reproduced) throw new NotReproducedError(options.id);
}

function summary(report: RerunReport) {
  return {
    id: report.row.id,
    reproduced: report.reproduced,
    sameBars: report.sameBars ?? null,
    sameModel: report.sameModel ?? null,
    changes: report.changes,
    unchecked: report.unchecked,
    metrics: report.metrics,
    ...(report.windows === undefined ? {} : { windows: report.windows }),
  };
}

function render(report: RerunReport): string {
  const { row } = report;
  const lines = [
    report.windows === undefined
      ? `Run ${row.id}: ${row.symbol} ${row.timeframe}, run again from its stored config`
      : `Run ${row.id}: the stitched run of walk-forward ${row.walk_forward_id}, the whole walk-forward run again from its stored definition (${report.windows.length} windows)`,
    ...(report.windows ?? [])
      .filter((w) => !w.same)
      .map((w) => `window ${w.index + 1} chose ${w.rerun} now, ${w.stored} when saved`),
    ...report.changes.map((c) => `${c.input} changed: ${c.stored} when saved, ${c.now} now`),
    ...report.unchecked.map((input) => `${input}: not recorded with the run, so not checked`),
  ];
  const differing = report.metrics.filter((m) => !m.same);
  const table =
    differing.length === 0
      ? `All ${report.metrics.length} stored metrics are the same.\n`
      : renderTable(
          ['Metric that differs', 'Stored', 'Re-run'],
          differing.map((m) => [
            m.sample === 'oos' ? `${metricHeader(m.metric)} (out of sample)` : metricHeader(m.metric),
            formatMetricValue(m.metric, m.stored),
            formatMetricValue(m.metric, m.rerun),
          ]),
        );
  const verdict = report.reproduced
    ? 'Reproduced: same bars, model, strategy and config, and the same value for every stored metric.'
    : 'Not reproduced.';
  return `${lines.join('\n')}\n${table}${verdict}\n`;
}
