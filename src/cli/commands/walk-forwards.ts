import { formatTimeMs, formatUnixSeconds, printable } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { StoreError } from '../../core/errors.js';
import { isPartialWalkForward, type RunStore, type WalkForwardRecord } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderFittedTable, renderMetricsTable, renderTable } from '../format.js';
import { describeEfficiency, renderWindows } from './walk-forward.js';

/** Flags of `backtest walk-forwards [list]`. */
export interface WalkForwardsListOptions {
  readonly db?: string;
  readonly json: boolean;
  readonly wide?: boolean;
}

/** Flags and argument of `backtest walk-forwards show ID`. */
export interface WalkForwardsShowOptions {
  readonly id: string;
  readonly db?: string;
  readonly json: boolean;
}

/** Marks a group that stopped before every window finished. */
const PARTIAL_MARK = '*';

/** `backtest walk-forwards`: the stored walk-forward groups, newest first; partial ones marked. */
export async function walkForwardsListCommand(options: WalkForwardsListOptions, io: CliIO): Promise<void> {
  const records = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    store.listWalkForwards(),
  );
  if (options.json) {
    io.out(`${toJsonText(records.map(recordJson))}\n`);
    return;
  }
  if (records.length === 0) {
    io.out('No walk-forward is saved (backtest walk-forward ... --save-to-db).\n');
    return;
  }
  io.out(
    renderFittedTable(
      {
        columns: [
          { header: 'Group' },
          { header: 'Saved (UTC)', dropRank: 3 },
          { header: 'Symbol' },
          { header: 'Timeframe' },
          { header: 'Strategy', shrink: true },
          { header: 'Windows', align: 'right' as const },
          { header: 'Layout', dropRank: 2 },
          { header: 'Status' },
          { header: 'Stitched run', align: 'right' as const },
          { header: 'WFE', align: 'right' as const, dropRank: 1 },
        ],
        rows: records.map((r) => {
          const d = r.definition;
          const flat = r.windows.filter((w) => w.flat).length;
          return [
            `${printable(d.groupId)}${isPartialWalkForward(r) ? PARTIAL_MARK : ''}`,
            formatUnixSeconds(Math.floor(r.createdMs / 1000)),
            printable(d.symbol),
            printable(d.timeframe),
            printable(d.strategy.module?.path ?? d.strategy.name),
            `${r.windows.length}/${r.windowCount}${flat > 0 ? ` (${flat} flat)` : ''}`,
            `${d.anchored ? 'anchored' : 'rolling'} ${d.train}/${d.test}/${d.step}`,
            r.status,
            r.stitchedRunId === null ? '' : String(r.stitchedRunId),
            r.summary?.efficiency === null || r.summary === null ? 'n/a' : r.summary.efficiency.toFixed(3),
          ];
        }),
      },
      options.wide === true ? undefined : io.columns,
    ),
  );
  if (records.some(isPartialWalkForward)) {
    io.out(`${PARTIAL_MARK} partial: stopped before every window finished (the finished windows are kept)\n`);
  }
}

/** `backtest walk-forwards show ID`: the definition, the windows, the stitched metrics and the efficiency. */
export async function walkForwardsShowCommand(options: WalkForwardsShowOptions, io: CliIO): Promise<void> {
  const record = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    requireWalkForward(store, options.id),
  );
  if (options.json) {
    io.out(`${toJsonText(recordJson(record))}\n`);
    return;
  }
  const d = record.definition;
  const fields: [string, string][] = [
    ['Group', d.groupId],
    ['Status', isPartialWalkForward(record) ? `${record.status} (partial)` : record.status],
    ['Symbol', d.symbol],
    ['Timeframe', d.timeframe],
    ['Strategy', d.strategy.module === undefined ? d.strategy.name : `${d.strategy.name} (${d.strategy.module.path})`],
    ['Grid', d.grid.join(' ')],
    ['Where', d.where ?? ''],
    [
      'Fixed parameters',
      Object.entries(d.fixedParams)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
    ],
    ['Layout', `${d.anchored ? 'anchored' : 'rolling'}: train ${d.train}, test ${d.test}, step ${d.step}`],
    ['Chosen by', `${d.metric}, at least ${d.minTrades} training trade${d.minTrades === 1 ? '' : 's'}`],
    [
      'Bars',
      `${d.bars.count} from ${formatTimeMs(d.bars.firstTimeMs)} to ${formatTimeMs(d.bars.lastTimeMs)} (sha256 ${d.bars.sha256.slice(0, 12)}…)`,
    ],
    ['Data file', d.dataFile ?? '(none: bars from the database)'],
    ['Windows', `${record.windows.length} of ${record.windowCount}`],
    ['Stitched run', record.stitchedRunId === null ? '(none)' : String(record.stitchedRunId)],
    ['Saved', `${formatUnixSeconds(Math.floor(record.createdMs / 1000))} UTC`],
    ['Notes', d.notes ?? ''],
  ];
  io.out(
    renderTable(
      ['Field', 'Value'],
      fields.map(([k, v]) => [k, printable(v)]),
      2,
    ),
  );
  io.out(`config:\n${JSON.stringify(d.config, null, 2)}\n`);
  io.out(
    renderWindows({
      metric: d.metric,
      minTrades: d.minTrades,
      swept: d.grid.map((flag) => (flag.split('=')[0] ?? flag).trim()),
      results: record.windows,
    }),
  );
  const summary = record.summary;
  if (summary === null) {
    io.out('No stitched run: the walk-forward stopped before every window finished.\n');
    return;
  }
  io.out(`Stitched out-of-sample run ${record.stitchedRunId ?? ''}:\n`);
  io.out(renderMetricsTable(summary.stitchedMetrics as Parameters<typeof renderMetricsTable>[0]));
  io.out(`${describeEfficiency(summary)}\n`);
}

async function requireWalkForward(store: RunStore, id: string): Promise<WalkForwardRecord> {
  const record = await store.findWalkForward(id);
  if (record === undefined) {
    throw new StoreError(`${store.location} has no walk-forward ${id}; backtest walk-forwards lists them`);
  }
  return record;
}

/** A stored group for `--json`. */
function recordJson(record: WalkForwardRecord): Record<string, unknown> {
  return {
    groupId: record.definition.groupId,
    status: record.status,
    partial: isPartialWalkForward(record),
    windowCount: record.windowCount,
    stitchedRunId: record.stitchedRunId,
    createdMs: record.createdMs,
    updatedMs: record.updatedMs,
    definition: record.definition,
    windows: record.windows.map((w) => ({
      index: w.index,
      trainFromMs: w.trainFromMs,
      trainToMs: w.trainToMs,
      testFromMs: w.testFromMs,
      testToMs: w.testToMs,
      chosenParams: w.chosenParams,
      flat: w.flat,
      metrics: w.inSampleMetrics,
      oos_metrics: w.outOfSampleMetrics,
    })),
    summary:
      record.summary === null
        ? null
        : {
            stitchedMetrics: record.summary.stitchedMetrics,
            inSampleAnnualReturn: record.summary.inSampleAnnualReturn,
            outOfSampleAnnualReturn: record.summary.outOfSampleAnnualReturn,
            efficiency: record.summary.efficiency,
          },
  };
}
