import type { Direction, Strategy, StrategyDefinition } from '../core/strategy.js';
import { resolveParams } from './resolve-params.js';

/** Asks for long on every bar, so an entry the engine could not fill is retried on the next one. */
const alwaysLong: Strategy = { onBar: (): Direction => 1 };

/**
 * Long from the first bar and never exits; the engine closes the position at the end of the data.
 * No parameters. It is the benchmark the other strategies have to beat.
 *
 * @example
 * const strategy = buyAndHold.create({});
 */
export const buyAndHold: StrategyDefinition = {
  name: 'buy-and-hold',
  description: 'Long from the first bar to the last',
  params: [],
  create(params) {
    resolveParams(buyAndHold, params);
    // Stateless, so one shared instance is safe across runs.
    return alwaysLong;
  },
};
