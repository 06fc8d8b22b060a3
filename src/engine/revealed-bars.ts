import type { BarSeries } from '../core/bars.js';
import type { Timeframe } from '../core/timeframe.js';

type Column = 'timeMs' | 'open' | 'high' | 'low' | 'close' | 'volume';

/**
 * The strategy's view of the bars: a column holds values up to the bar that just closed and NaN
 * after it, so a strategy cannot read the future even by accident.
 *
 * Columns are copied lazily: a column is allocated on the strategy's first read and kept in step
 * from then on, so a strategy that only reads closes costs one array and one copy per bar, not six.
 *
 * @example
 * const view = new RevealedBars(bars);
 * view.reveal(0);
 * view.close[1]; // NaN
 */
export class RevealedBars implements BarSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly length: number;
  /** Index of the last bar revealed; -1 before the first. */
  private last = -1;
  private readonly source: BarSeries;
  private timeMsView: Float64Array | undefined;
  private openView: Float64Array | undefined;
  private highView: Float64Array | undefined;
  private lowView: Float64Array | undefined;
  private closeView: Float64Array | undefined;
  private volumeView: Float64Array | undefined;

  constructor(source: BarSeries) {
    this.source = source;
    this.symbol = source.symbol;
    this.timeframe = source.timeframe;
    this.length = source.length;
  }

  get timeMs(): Float64Array {
    this.timeMsView ??= this.copyRevealed('timeMs');
    return this.timeMsView;
  }

  get open(): Float64Array {
    this.openView ??= this.copyRevealed('open');
    return this.openView;
  }

  get high(): Float64Array {
    this.highView ??= this.copyRevealed('high');
    return this.highView;
  }

  get low(): Float64Array {
    this.lowView ??= this.copyRevealed('low');
    return this.lowView;
  }

  get close(): Float64Array {
    this.closeView ??= this.copyRevealed('close');
    return this.closeView;
  }

  get volume(): Float64Array {
    this.volumeView ??= this.copyRevealed('volume');
    return this.volumeView;
  }

  /** Makes bar `index` visible; bars are revealed in order, one at a time. */
  reveal(index: number): void {
    this.last = index;
    const source = this.source;
    if (this.closeView !== undefined) this.closeView[index] = source.close[index] as number;
    if (this.openView !== undefined) this.openView[index] = source.open[index] as number;
    if (this.highView !== undefined) this.highView[index] = source.high[index] as number;
    if (this.lowView !== undefined) this.lowView[index] = source.low[index] as number;
    if (this.volumeView !== undefined) this.volumeView[index] = source.volume[index] as number;
    if (this.timeMsView !== undefined) this.timeMsView[index] = source.timeMs[index] as number;
  }

  private copyRevealed(column: Column): Float64Array {
    const view = new Float64Array(this.length).fill(Number.NaN);
    view.set(this.source[column].subarray(0, this.last + 1));
    return view;
  }
}
