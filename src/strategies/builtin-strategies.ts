import { ConfigError } from '../core/errors.js';
import type { StrategyDefinition } from '../core/strategy.js';
import { buyAndHold } from './buy-and-hold.js';
import { rsi } from './rsi.js';
import { smaCross } from './sma-cross.js';

/**
 * The strategies that ship with the toolkit, in the order `--help` lists them.
 *
 * @example
 * const names = BUILTIN_STRATEGIES.map((definition) => definition.name); // ['buy-and-hold', 'sma-cross', 'rsi']
 */
export const BUILTIN_STRATEGIES: readonly StrategyDefinition[] = Object.freeze([buyAndHold, smaCross, rsi]);

/**
 * The built-in strategy with this exact name, or `undefined` when there is none.
 *
 * @example
 * findStrategy('sma-cross')?.description;
 */
export function findStrategy(name: string): StrategyDefinition | undefined {
  return BUILTIN_STRATEGIES.find((definition) => definition.name === name);
}

/**
 * The built-in strategy with this exact name.
 *
 * @throws ConfigError naming the valid strategies when there is none
 *
 * @example
 * const definition = getStrategy('rsi');
 */
export function getStrategy(name: string): StrategyDefinition {
  const definition = findStrategy(name);
  if (definition === undefined) {
    const names = BUILTIN_STRATEGIES.map((builtin) => builtin.name).join(', ');
    throw new ConfigError(`unknown strategy ${JSON.stringify(name)}; built-in strategies are ${names}`);
  }
  return definition;
}
