import type { Direction, Strategy, StrategyContext, StrategyDefinition } from '../core/strategy.js';
import { throwOutOfOrder } from './bar-order-guard.js';
import { resolveParams } from './resolve-params.js';
import { WilderRsi } from './wilder-rsi.js';

class RsiStrategy implements Strategy {
  private readonly rsi: WilderRsi;
  private readonly lower: number;
  private readonly upper: number;
  private readonly upperDirection: Direction;
  private nextIndex = -1;

  constructor(period: number, lower: number, upper: number, short: boolean) {
    this.rsi = new WilderRsi(period);
    this.lower = lower;
    this.upper = upper;
    this.upperDirection = short ? -1 : 0;
  }

  onBar(context: StrategyContext): Direction | undefined {
    const index = context.index;
    if (index !== this.nextIndex && this.nextIndex !== -1) throwOutOfOrder('rsi', this.nextIndex, index);
    this.nextIndex = index + 1;

    const value = this.rsi.push(context.bars.close[index]!);
    // NaN during warm-up fails both comparisons, so it keeps the position.
    if (value < this.lower) return 1;
    if (value > this.upper) return this.upperDirection;
    return undefined;
  }
}

/**
 * Mean reversion on Wilder's RSI of closing prices (see {@link WilderRsi} for the formula).
 *
 * Parameters: `period` (whole number ≥ 2, default 14), `lower` and `upper` (numbers strictly
 * between 0 and 100, defaults 30 and 70, with `lower < upper`), `short` (default false).
 *
 * Decisions, made after bar i closes, by level rather than by crossing:
 * - RSI(i) < lower → long (1): oversold.
 * - RSI(i) > upper → flat (0), or short (−1) when `short` is true: overbought.
 * - Otherwise (including exactly at a level) → keep (undefined).
 * - The first RSI exists at i = period, so bars 0..period−1 keep the starting position.
 *
 * @example
 * const strategy = rsi.create({ period: 14, lower: 30, upper: 70, short: false });
 */
export const rsi: StrategyDefinition = {
  name: 'rsi',
  description: "Mean reversion on Wilder's RSI: long below the lower level, flat (or short) above the upper one",
  params: [
    { name: 'period', type: 'integer', default: 14, min: 2, description: 'RSI smoothing period, in bars' },
    {
      name: 'lower',
      type: 'number',
      default: 30,
      min: 0,
      max: 100,
      description: 'Go long when RSI is below this level (0-100, exclusive)',
    },
    {
      name: 'upper',
      type: 'number',
      default: 70,
      min: 0,
      max: 100,
      description: 'Exit (or go short) when RSI is above this level (0-100, exclusive)',
    },
    { name: 'short', type: 'boolean', default: false, description: 'Go short above the upper level instead of flat' },
  ],
  check(params) {
    const lower = params.lower as number;
    const upper = params.upper as number;
    // ParamSpec bounds are inclusive; lower = 0 or upper = 100 could never trigger, so exclude them here.
    if (lower <= 0 || lower >= 100) return `lower must be strictly between 0 and 100; ${lower} is not`;
    if (upper <= 0 || upper >= 100) return `upper must be strictly between 0 and 100; ${upper} is not`;
    if (lower >= upper) return `lower (${lower}) must be less than upper (${upper})`;
    return undefined;
  },
  create(params) {
    const resolved = resolveParams(rsi, params);
    return new RsiStrategy(
      resolved.period as number,
      resolved.lower as number,
      resolved.upper as number,
      resolved.short as boolean,
    );
  },
};
