import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import type { CliIO } from '../cli-io.js';
import { renderSplitMetricsTable, renderTable } from '../format.js';
import { runJson } from '../../app/stored-out-of-sample.js';
import { prettyConfig, rowFields } from '../format-rows.js';
import { formatTimeMs } from '../../app/format-values.js';
import { renderTradeList } from '../format-trades.js';
import { runOriginOf } from '../../app/run-origin.js';

/** Flags and arguments of `backtest show`. */
export interface ShowCommandOptions {
  readonly id: number;
  /** Also print the stored trade list. */
  readonly trades?: boolean;
  readonly db?: string;
  readonly json: boolean;
}

/** `backtest show ID`: every stored field of one run, the config pretty-printed. */
export async function showCommand(options: ShowCommandOptions, io: CliIO): Promise<void> {
  const { row, points, trades, oos, origin } = await withDatabase(
    openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }),
    async (store) => {
      const found = await store.getRun(options.id);
      const curve = await store.equityCurve(options.id);
      return {
        row: found,
        points: curve?.timeMs.length ?? 0,
        trades: await store.trades(options.id),
        oos: (await store.outOfSample([options.id])).get(options.id),
        origin: await runOriginOf(store, options.id, found.sweep_id),
      };
    },
  );
  if (options.json) {
    const json = {
      ...runJson(row, oos),
      ...(origin === undefined ? {} : { run_user: origin.user, run_host: origin.host }),
    };
    io.out(`${toJsonText(options.trades === true ? { ...json, trades: trades ?? null } : json)}\n`);
    return;
  }
  if (row.out_of_money_time_ms !== null) {
    io.out(
      `Out of money: equity reached zero at ${formatTimeMs(row.out_of_money_time_ms)}; positions were closed and nothing traded after that.\n`,
    );
  }
  io.out(
    renderTable(
      ['Field', 'Value'],
      [
        ...rowFields(row, { wholeNotes: true }),
        ['equity curve points stored', String(points)],
        ['trades stored', trades === undefined ? 'none (saved without its trade list)' : String(trades.length)],
      ],
      2,
    ),
  );
  if (origin !== undefined) {
    io.out(`Produced by: ${origin.user ?? '(unknown user)'}@${origin.host ?? '(unknown host)'}\n`);
  }
  io.out(`config:\n${prettyConfig(row)}\n`);
  if (oos !== undefined) {
    io.out(
      `Split run: the fields above are the in-sample part's; out of sample from ${formatTimeMs(oos.fromMs)} to ${formatTimeMs(oos.toMs)} ` +
        `(${oos.barsCount} bars, sha256 ${oos.barsSha256.slice(0, 12)}…), started flat with the cash after a warm-up over the bars before it` +
        (oos.outOfMoneyTimeMs === null ? '.\n' : `; out of money at ${formatTimeMs(oos.outOfMoneyTimeMs)}.\n`),
    );
    io.out(renderSplitMetricsTable(row, oos.metrics));
  }
  if (options.trades === true) {
    if (trades === undefined) io.out('No trade list is stored with this run (it was saved by another program).\n');
    else io.out(renderTradeList(trades));
  }
}
