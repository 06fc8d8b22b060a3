import type { BarSeries } from '../core/bars.js';
import type { Timeframe } from '../core/timeframe.js';
import { checkBarFile, DEFAULT_MAX_BAR_FILE_BYTES, loadBarsFromFile, loadBarsFromFileBySymbol } from '../data/index.js';

/** `--symbol`, `--timeframe`, `--adjusted` and `--tz`, any left out. */
export interface BarsFileFlags {
  readonly symbol?: string | undefined;
  readonly timeframe?: Timeframe | undefined;
  /** Scale open, high, low and close by `Adj Close / Close`. */
  readonly adjusted?: boolean | undefined;
  /** IANA zone of file times written without an offset. */
  readonly tz?: string | undefined;
}

/**
 * Bars from a CSV or Parquet file named on the command line, one symbol's. The symbol is
 * `--symbol`, else the file's `symbol` column, else its name (`GOOGL_1Hour.csv` and
 * `GOOGL.csv` → `GOOGL`); the timeframe is `--timeframe`, else the name's, else the bar
 * spacing's. A file holding several symbols needs `--symbol`, and a `--timeframe` the spacing
 * contradicts is refused (see `loadBarsCsv`). Messages name the file as `shownAs`; notices
 * (an ignored `Adj Close` column) go to `onNotice`.
 *
 * @example
 * const bars = await loadBarsFile('/data/GOOG.csv', 'GOOG.csv', {}, (line) => process.stderr.write(`${line}\n`));
 */
export async function loadBarsFile(
  path: string,
  shownAs: string,
  flags: BarsFileFlags,
  onNotice?: (message: string) => void,
): Promise<BarSeries> {
  checkBarFile(path, shownAs, maxBarFileBytes());
  return loadBarsFromFile(path, fileOptions(shownAs, flags, onNotice));
}

/**
 * Every symbol's bars from a CSV or Parquet file named on the command line, one series per
 * symbol (one for a file without a `symbol` column); otherwise as {@link loadBarsFile}.
 *
 * @example
 * const series = await loadBarsFileBySymbol('/data/universe.csv', 'universe.csv', {});
 */
export async function loadBarsFileBySymbol(
  path: string,
  shownAs: string,
  flags: BarsFileFlags,
  onNotice?: (message: string) => void,
): Promise<BarSeries[]> {
  checkBarFile(path, shownAs, maxBarFileBytes());
  return loadBarsFromFileBySymbol(path, fileOptions(shownAs, flags, onNotice));
}

/** `BACKTEST_MAX_DATA_MB` in bytes when set to a positive number, else the default (4 GiB). */
function maxBarFileBytes(): number {
  const mb = Number(process.env.BACKTEST_MAX_DATA_MB);
  if (process.env.BACKTEST_MAX_DATA_MB === undefined || !Number.isFinite(mb) || mb <= 0)
    return DEFAULT_MAX_BAR_FILE_BYTES;
  return mb * 1024 ** 2;
}

function fileOptions(shownAs: string, flags: BarsFileFlags, onNotice: ((message: string) => void) | undefined) {
  return {
    symbol: flags.symbol,
    timeframe: flags.timeframe,
    adjusted: flags.adjusted,
    timeZone: flags.tz,
    onNotice,
    shownAs,
  };
}
