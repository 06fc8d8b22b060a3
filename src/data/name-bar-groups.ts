import { type BarSeries, createBarSeries } from '../core/bars.js';
import { DataError, UsageError } from '../core/errors.js';
import type { Timeframe } from '../core/timeframe.js';
import { barsFileIdentity } from './bars-file-identity.js';
import type { BarGroup } from './bar-rows.js';
import { measureSpacing, spacingContradicts } from './infer-timeframe.js';

/**
 * What a bar file (CSV or Parquet) may not say about its bars, and how to read it; each is
 * inferred or defaulted when left out, as the CLI does.
 */
export interface BarFileOptions {
  /**
   * Ticker or pair, e.g. `GOOG`; stored upper-case. When the file has a `symbol` column, only
   * this symbol's rows are read. Default: the `symbol` column, else the file name
   * (`GOOGL_1Hour.csv` and `GOOGL.csv` are `GOOGL`).
   */
  readonly symbol?: string | undefined;
  /**
   * Any accepted spelling is stored canonically by the caller (see `canonicalTimeframe`). It is
   * refused when the bars' spacing contradicts it (see `spacingContradicts`). Default: from a
   * `SYMBOL_TIMEFRAME.csv` file name, else the bars' spacing.
   */
  readonly timeframe?: Timeframe | undefined;
  /**
   * Scale open, high, low and close by `Adj Close / Close` (Yahoo's dividend- and
   * split-adjusted prices); the file must then have an `Adj Close` column. Default false: such
   * a column is ignored, and `onNotice` is told so once.
   */
  readonly adjusted?: boolean | undefined;
  /**
   * IANA time zone (`America/New_York`) of times written without an offset; an hour repeated
   * when clocks go back reads in file order. Default: such times are UTC. An unknown zone
   * throws a `UsageError`.
   */
  readonly timeZone?: string | undefined;
  /** Receives one-line notices, such as an ignored `Adj Close` column. Default: none are shown. */
  readonly onNotice?: ((message: string) => void) | undefined;
}

/**
 * Gives each group of a file its symbol and timeframe, as {@link BarFileOptions} describes,
 * keeping only the group `options.symbol` names when the file has a symbol column.
 *
 * @example
 * const [bars] = nameBarGroups(groups, 'data/GOOG.csv', {}); // GOOG, timeframe from the spacing
 */
export function nameBarGroups(groups: readonly BarGroup[], source: string, options: BarFileOptions): BarSeries[] {
  const wanted = options.symbol?.trim().toUpperCase();
  let chosen = groups;
  if (wanted !== undefined && (groups[0] as BarGroup).symbol !== undefined) {
    chosen = groups.filter((group) => group.symbol === wanted);
    if (chosen.length === 0) {
      const symbols = groups.map((group) => group.symbol).join(', ');
      throw new UsageError(`${source} has no rows for --symbol ${wanted}; it holds ${symbols}`);
    }
  }
  const fromName = barsFileIdentity(source);
  const spacing = measureSpacing(chosen.map((group) => group.columns.timeMs));
  let timeframe = options.timeframe ?? fromName.timeframe;
  if (timeframe !== undefined && spacingContradicts(spacing, timeframe)) {
    if (options.timeframe !== undefined) {
      throw new UsageError(
        `--timeframe ${timeframe} contradicts the bars of ${source}, whose spacing is ${spacing.timeframe}`,
      );
    }
    throw new DataError({
      source,
      reason: `the file name says ${timeframe} but the bars' spacing is ${spacing.timeframe}; rename the file or pass --timeframe ${spacing.timeframe}`,
    });
  }
  timeframe ??= spacing.timeframe;
  if (timeframe === undefined) {
    throw new UsageError(`cannot tell the timeframe of ${source} from its bar spacing; pass --timeframe`);
  }
  const known: Timeframe = timeframe;
  return chosen.map((group) => createBarSeries(wanted ?? group.symbol ?? fromName.symbol, known, group.columns));
}

/**
 * The one series of a file read for one symbol; a file of several symbols without
 * `options.symbol` throws a {@link UsageError} listing them.
 *
 * @example
 * const bars = oneBarSeries(groups, 'data.csv', { symbol: 'MSFT' });
 */
export function oneBarSeries(groups: readonly BarGroup[], source: string, options: BarFileOptions): BarSeries {
  if (groups.length > 1 && options.symbol === undefined) {
    const symbols = groups.map((group) => group.symbol).join(', ');
    throw new UsageError(`${source} holds ${groups.length} symbols (${symbols}); pick one with --symbol`);
  }
  return nameBarGroups(groups, source, options)[0] as BarSeries;
}
