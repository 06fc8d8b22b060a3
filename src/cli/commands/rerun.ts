import { resolve } from 'node:path';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { formatMetricValue, metricHeader } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import { type RerunReport, rerunStoredBacktest } from '../../app/rerun-stored.js';
import { AppError } from '../../core/errors.js';
import { isTimeframe } from '../../core/timeframe.js';
import { loadBarsCsv } from '../../data/index.js';
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
          loadBarsCsv(resolve(io.cwd, data), {
            symbol: row.symbol,
            timeframe: isTimeframe(row.timeframe) ? row.timeframe : '1Day',
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
    metrics: report.metrics,
  };
}

function render(report: RerunReport): string {
  const { row } = report;
  const check = (same: boolean | undefined, what: string) =>
    same === undefined ? `${what}: not recorded with the run` : same ? `${what}: same` : `${what}: DIFFERENT`;
  const lines = [
    `Run ${row.id}: ${row.symbol} ${row.timeframe}, run again from its stored config`,
    check(report.sameBars, 'Bars (SHA-256)'),
    ...(row.model_path === null ? [] : [check(report.sameModel, `Model ${row.model_path} (SHA-256)`)]),
  ];
  const table = renderTable(
    ['Metric', 'Stored', 'Re-run', ''],
    report.metrics.map((m) => [
      metricHeader(m.metric),
      formatMetricValue(m.metric, m.stored),
      formatMetricValue(m.metric, m.rerun),
      m.same ? 'same' : 'DIFFERENT',
    ]),
  );
  const verdict = report.reproduced
    ? 'Reproduced: same bars, same model and the same value for every stored metric.'
    : 'Not reproduced.';
  return `${lines.join('\n')}\n${table}${verdict}\n`;
}
