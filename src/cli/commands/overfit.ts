/**
 * `backtest overfit SWEEP_ID`: the probability of backtest overfitting of a stored sweep, by
 * combinatorially symmetric cross-validation over its runs' period returns (Bailey, Borwein,
 * López de Prado and Zhu, 2017; see src/metrics/cscv.ts), stored with the sweep.
 */
import { formatParams, printable } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import { openHistoryForReading, openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import {
  assessSweepOverfit,
  storeSweepOverfit,
  type SweepOverfitOptions,
  type SweepOverfitReport,
} from '../../app/sweep-overfit.js';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { overfitJson, overfitRows } from '../format-overfit.js';

/** Flags and argument of `backtest overfit`. */
export interface OverfitCommandOptions {
  readonly id: string;
  /** S, even, 2 to 20; default 16. */
  readonly blocks?: number | undefined;
  /** `sharpe_ratio` (default) or `total_return`. */
  readonly metric?: string | undefined;
  readonly db?: string | undefined;
  readonly json: boolean;
}

const METRICS: readonly string[] = ['sharpe_ratio', 'total_return'];

/**
 * Computes a sweep's PBO, the out-of-sample on in-sample regression and the probability of
 * out-of-sample loss, stores them with the sweep and prints them. The sweep is looked up
 * read-only first, so an unknown id (exit 5), a sweep without period returns (exit 3) or too
 * few runs or periods (exit 2) neither create nor upgrade the database.
 *
 * @example
 * await overfitCommand({ id: 'sweep-20260101-120000-abc123', blocks: 16, json: false }, io);
 */
export async function overfitCommand(options: OverfitCommandOptions, io: CliIO): Promise<void> {
  const metric = options.metric ?? 'sharpe_ratio';
  if (!METRICS.includes(metric)) {
    throw new UsageError(`--metric ${metric} is not one of ${METRICS.join(', ')}`);
  }
  const location = { db: options.db, cwd: io.cwd, env: io.env };
  const report = await withDatabase(openHistoryForReading(location), (store) =>
    assessSweepOverfit(store, options.id, { blocks: options.blocks, metric: metric as SweepOverfitOptions['metric'] }),
  );
  await withDatabase(openHistoryForWriting({ ...location, onNotice: (message) => io.err(`${message}\n`) }), (store) =>
    storeSweepOverfit(store, report),
  );
  if (options.json) {
    io.out(
      `${toJsonText({
        sweepId: report.sweepId,
        ...overfitJson(report.overfit),
        runsWithoutPeriodReturns: report.runsWithoutPeriodReturns,
        periodGrid: report.record?.definition.periodGrid ?? null,
        mostChosenInSample: report.mostChosen.map((choice) => ({ ...choice, params: paramsOf(choice) ?? null })),
      })}\n`,
    );
    return;
  }
  io.out(describe(report));
}

function describe(report: SweepOverfitReport): string {
  const { record, overfit } = report;
  const definition = record?.definition;
  const grid = definition?.periodGrid;
  const head =
    `Sweep ${report.sweepId}` +
    (definition === undefined
      ? ''
      : `: ${printable(definition.strategy.name)} on ${printable(definition.symbol)} ${printable(definition.timeframe)}`) +
    (grid === undefined ? '' : `, periods of ${grid.barsPerPeriod} bar${grid.barsPerPeriod === 1 ? '' : 's'}`) +
    '\n';
  const lines = [head, renderTable(['Field', 'Value'], overfitRows(overfit), 2)];
  if (report.mostChosen.length > 0) {
    const chosen = report.mostChosen
      .slice(0, 3)
      .map(
        (c) =>
          `run ${c.runId} (${printable(formatParams(paramsOf(c)) || 'no parameters')}) in ${(c.share * 100).toFixed(1)} %`,
      )
      .join('; ');
    lines.push(`Best in-sample most often: ${chosen} of splits.\n`);
  }
  if (report.runsWithoutPeriodReturns > 0) {
    const n = report.runsWithoutPeriodReturns;
    lines.push(
      `${n} run${n === 1 ? '' : 's'} without period returns (saved before they were kept) ${n === 1 ? 'was' : 'were'} left out.\n`,
    );
  }
  lines.push(
    `PBO is the share of splits in which the run that is best in-sample is at or below the median run out of sample; stored with the sweep (backtest sweeps show ${report.sweepId}, and its dashboard page).\n`,
  );
  return lines.join('');
}

function paramsOf(choice: { readonly strategyParamsJson: string | null }): Record<string, unknown> | undefined {
  if (choice.strategyParamsJson === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(choice.strategyParamsJson);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
