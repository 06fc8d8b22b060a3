import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { toJsonText } from '../../app/json-text.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { prettyConfig, rowFields } from '../format-rows.js';

/** Flags and arguments of `backtest show`. */
export interface ShowCommandOptions {
  readonly id: number;
  readonly db?: string;
  readonly json: boolean;
}

/** `backtest show ID`: every stored field of one run, the config pretty-printed. */
export async function showCommand(options: ShowCommandOptions, io: CliIO): Promise<void> {
  const { row, points } = await withDatabase(
    openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }),
    (db) => {
      const found = db.getBacktestOrThrow(options.id);
      return { row: found, points: db.getEquityCurve(options.id)?.timeMs.length ?? 0 };
    },
  );
  if (options.json) {
    io.out(`${toJsonText(row)}\n`);
    return;
  }
  io.out(renderTable(['Field', 'Value'], [...rowFields(row), ['equity curve points stored', String(points)]], 2));
  io.out(`config:\n${prettyConfig(row)}\n`);
}
