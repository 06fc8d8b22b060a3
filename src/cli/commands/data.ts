import { formatTimeMs } from '../../app/format-values.js';
import { resolve } from 'node:path';
import { openHistoryForReading, openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import { StoreError, UsageError } from '../../core/errors.js';
import { importBars } from '../../app/stored-bars.js';
import { toJsonText } from '../../app/json-text.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { CliIO } from '../cli-io.js';
import { loadBarsFileBySymbol } from '../load-bars-file.js';
import { renderTable } from '../format.js';

/** Flags of `backtest data import`. */
export interface DataImportOptions {
  /** Add this project's tables to another program's SQLite file. */
  readonly init?: boolean;
  readonly file: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
  /** Scale the file's prices by `Adj Close / Close`. */
  readonly adjusted?: boolean;
  /** IANA zone of the file's times written without an offset. */
  readonly tz?: string;
  readonly db?: string;
}

/**
 * `backtest data import FILE`: checks the whole CSV or Parquet file, then stores its bars (replacing any overlap),
 * one bar set per symbol when its `symbol` column holds several, each in one transaction, and
 * prints one line per symbol.
 */
export async function dataImportCommand(options: DataImportOptions, io: CliIO): Promise<void> {
  const series = await loadBarsFileBySymbol(resolve(io.cwd, options.file), options.file, options, (line) =>
    io.err(`${line}\n`),
  );
  for (const bars of series) {
    const { inserted, replaced } = await importBars(bars, {
      db: options.db,
      cwd: io.cwd,
      env: io.env,
      init: options.init,
      onNotice: (line) => io.err(`${line}\n`),
    });
    io.out(
      `Imported ${inserted.toLocaleString('en-US')} bars for ${bars.symbol} ${bars.timeframe} ` +
        `(${formatTimeMs(bars.timeMs[0] as number)} → ${formatTimeMs(bars.timeMs[bars.length - 1] as number)}` +
        `${replaced > 0 ? `; replaced ${replaced.toLocaleString('en-US')} stored bars in that range` : ''}).\n`,
    );
  }
}

/** Flags of `backtest data list`. */
export interface DataListOptions {
  readonly db?: string;
  readonly json: boolean;
}

/** `backtest data list`: each stored bar set with its count, first and last time, and provenance. */
export async function dataListCommand(options: DataListOptions, io: CliIO): Promise<void> {
  const sets = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    store.listBarSets(),
  );
  if (options.json) {
    io.out(`${toJsonText(sets)}\n`);
    return;
  }
  if (sets.length === 0) {
    io.out('No bars stored yet; add some with backtest data import FILE --symbol S --timeframe T.\n');
    return;
  }
  io.out(
    renderTable(
      ['Symbol', 'Timeframe', 'Source', 'Feed', 'Adjustment', 'Bars', 'First (UTC)', 'Last (UTC)'],
      sets.map((s) => [
        s.symbol,
        s.timeframe,
        s.source,
        s.feed ?? '-',
        s.adjustment ?? '-',
        s.count.toLocaleString('en-US'),
        formatTimeMs(s.firstTimeMs),
        formatTimeMs(s.lastTimeMs),
      ]),
      5,
    ),
  );
}

/** Arguments and flags of `backtest data delete`. */
export interface DataDeleteOptions {
  /** Any spelling `symbolKey` matches: `BTCUSD` deletes `BTC/USD`. */
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly yes: boolean;
  readonly db?: string;
}

/**
 * `backtest data delete SYMBOL TIMEFRAME`: deletes one bar set with all its bars in one
 * transaction, asking first unless `--yes`. Saved runs stay (their bar fingerprints still
 * identify the bars they used). A missing set is an error and nothing is written; a missing
 * database is not created.
 */
export async function dataDeleteCommand(options: DataDeleteOptions, io: CliIO): Promise<void> {
  const location = { db: options.db, cwd: io.cwd, env: io.env };
  const set = await withDatabase(openHistoryForReading(location), (store) =>
    store.getBarSet(options.symbol, options.timeframe),
  );
  if (set === undefined) {
    throw new StoreError(
      `no stored bars for ${options.symbol} ${options.timeframe}; nothing was deleted (see backtest data list)`,
    );
  }
  const what = `${set.count.toLocaleString('en-US')} bar${set.count === 1 ? '' : 's'} of ${set.symbol} ${set.timeframe}`;
  if (!options.yes) {
    if (!io.interactive) throw new UsageError(`not deleting ${what} without confirmation; pass --yes`);
    const question = `Delete ${what} (${formatTimeMs(set.firstTimeMs)} → ${formatTimeMs(set.lastTimeMs)}, source ${set.source})?`;
    if (!(await io.confirm(question))) {
      io.err('Nothing deleted.\n');
      return;
    }
  }
  const deleted = await withDatabase(openHistoryForWriting(location), (store) =>
    store.deleteBarSet(set.symbol, options.timeframe),
  );
  io.out(
    `Deleted ${deleted.toLocaleString('en-US')} bar${deleted === 1 ? '' : 's'} of ${set.symbol} ${set.timeframe}.\n`,
  );
}
