import type { Timeframe } from './timeframe.js';

/**
 * A checked series of OHLCV bars for one symbol and timeframe, stored column by column in
 * typed arrays so the engine's inner loop touches only flat memory.
 *
 * Invariants (enforced where bars enter the program, in `data/`): every array has
 * `length` elements; prices and volumes are finite and non-negative;
 * `low <= min(open, close)` and `max(open, close) <= high`; `timeMs` strictly increases.
 *
 * @example
 * const closeOfLastBar = bars.close[bars.length - 1];
 */
export interface BarSeries {
  /** Ticker or pair, e.g. `GOOG`, `EURUSD`. */
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Number of bars. */
  readonly length: number;
  /** Bar open time, unix epoch milliseconds, UTC. */
  readonly timeMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** Traded volume in the data's own unit (shares, contracts, ticks). */
  readonly volume: Float64Array;
}

/** The raw columns of a bar series, before symbol and timeframe are attached. */
export type BarColumns = Pick<BarSeries, 'timeMs' | 'open' | 'high' | 'low' | 'close' | 'volume'>;

/** Builds a {@link BarSeries} from columns that are already checked. */
export function createBarSeries(symbol: string, timeframe: Timeframe, columns: BarColumns): BarSeries {
  const { timeMs, open, high, low, close, volume } = columns;
  return { symbol, timeframe, length: timeMs.length, timeMs, open, high, low, close, volume };
}

/** A copy of bars `[start, end)` sharing no memory with the original. */
export function sliceBars(bars: BarSeries, start: number, end: number): BarSeries {
  return createBarSeries(bars.symbol, bars.timeframe, {
    timeMs: bars.timeMs.slice(start, end),
    open: bars.open.slice(start, end),
    high: bars.high.slice(start, end),
    low: bars.low.slice(start, end),
    close: bars.close.slice(start, end),
    volume: bars.volume.slice(start, end),
  });
}
