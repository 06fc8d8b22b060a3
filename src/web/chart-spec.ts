/**
 * Chart descriptions embedded in a page's JSON and drawn by `assets/charts.js`. Times are unix
 * seconds (what lightweight-charts expects); values are plain numbers.
 */
import type { BarSeries } from '../core/bars.js';
import type { EquityCurve, Trade } from '../core/result.js';
import { downsampleCandles, MAX_CANDLES } from './downsample-candles.js';
import { drawdownPct } from './drawdown-pct.js';

/** One line of a line chart. */
export interface LineSeriesSpec {
  readonly name: string;
  /** CSS colour. */
  readonly color: string;
  /** Unix seconds, strictly increasing. */
  readonly t: readonly number[];
  readonly v: readonly number[];
}

/** A trade marker: which side of which trade, at a candle's time (unix seconds). */
export interface MarkerSpec {
  readonly t: number;
  readonly kind: 'entry-long' | 'exit-long' | 'entry-short' | 'exit-short';
}

/** One chart, drawn into the element with id `chart-${id}`. */
export type ChartSpec =
  | {
      readonly id: string;
      readonly type: 'lines' | 'drawdown';
      readonly format: 'money' | 'percent';
      readonly series: readonly LineSeriesSpec[];
      readonly markers?: readonly MarkerSpec[];
      readonly intraday: boolean;
      /** Charts with the same group scroll and zoom together. */
      readonly sync?: string;
    }
  | {
      readonly id: string;
      readonly type: 'candles';
      readonly format: 'money';
      readonly t: readonly number[];
      readonly o: readonly number[];
      readonly h: readonly number[];
      readonly l: readonly number[];
      readonly c: readonly number[];
      readonly markers: readonly MarkerSpec[];
      readonly intraday: boolean;
    };

/** Colours for overlaid runs, distinguishable and calm. */
export const SERIES_COLORS: readonly string[] = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777', '#0891b2'];

const toSeconds = (timeMs: number): number => Math.floor(timeMs / 1000);

/** True when any time is not at midnight UTC, so the time axis should show hours. */
export function isIntraday(timeMs: Float64Array): boolean {
  for (let i = 0; i < timeMs.length; i++) if ((timeMs[i] as number) % 86_400_000 !== 0) return true;
  return false;
}

/**
 * A line series from an equity curve (or any times and values).
 *
 * @example
 * lineSeries('Equity', '#2563eb', curve.timeMs, curve.equity);
 */
export function lineSeries(name: string, color: string, timeMs: Float64Array, values: Float64Array): LineSeriesSpec {
  return { name, color, t: Array.from(timeMs, toSeconds), v: Array.from(values) };
}

/**
 * The equity chart and the drawdown (%) chart below it, scrolling together.
 *
 * @example
 * const [equity, drawdown] = equityChartSpecs(result.equityCurve);
 */
export function equityChartSpecs(curve: EquityCurve, idPrefix = ''): [ChartSpec, ChartSpec] {
  const intraday = isIntraday(curve.timeMs);
  const sync = `${idPrefix}equity`;
  return [
    {
      id: `${idPrefix}equity`,
      type: 'lines',
      format: 'money',
      series: [lineSeries('Equity', SERIES_COLORS[0] as string, curve.timeMs, curve.equity)],
      intraday,
      sync,
    },
    {
      id: `${idPrefix}drawdown`,
      type: 'drawdown',
      format: 'percent',
      series: [lineSeries('Drawdown', '#b91c1c', curve.timeMs, drawdownPct(curve.equity))],
      intraday,
      sync,
    },
  ];
}

/**
 * The price chart: candles (merged to at most `maxCandles`) with an entry and an exit marker
 * per trade, placed on the candle that holds the fill's bar.
 *
 * @example
 * const price = priceChartSpec(bars, result.trades);
 */
export function priceChartSpec(bars: BarSeries, trades: readonly Trade[], maxCandles: number = MAX_CANDLES): ChartSpec {
  const candles = downsampleCandles(bars, maxCandles);
  const candleTime = (barIndex: number): number => {
    const c = Math.min(candles.timeMs.length - 1, Math.max(0, Math.floor(barIndex / candles.barsPerCandle)));
    return toSeconds(candles.timeMs[c] as number);
  };
  const markers: MarkerSpec[] = [];
  for (const trade of trades) {
    const long = trade.side === 'long';
    markers.push({ t: candleTime(trade.entryIndex), kind: long ? 'entry-long' : 'entry-short' });
    markers.push({ t: candleTime(trade.exitIndex), kind: long ? 'exit-long' : 'exit-short' });
  }
  return {
    id: 'price',
    type: 'candles',
    format: 'money',
    t: Array.from(candles.timeMs, toSeconds),
    o: Array.from(candles.open),
    h: Array.from(candles.high),
    l: Array.from(candles.low),
    c: Array.from(candles.close),
    markers,
    intraday: isIntraday(bars.timeMs),
  };
}
