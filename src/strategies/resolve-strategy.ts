import { resolve } from 'node:path';
import type { StrategyDefinition } from '../core/strategy.js';
import { getStrategy } from './builtin-strategies.js';
import { loadStrategyModule } from './load-strategy-module.js';

/**
 * True when the text names a module file (it has a path separator or a script extension)
 * rather than a built-in strategy.
 *
 * @example
 * isStrategyModulePath('./breakout.ts'); // true
 * isStrategyModulePath('sma-cross'); // false
 */
export function isStrategyModulePath(nameOrPath: string): boolean {
  return /[\\/]/.test(nameOrPath) || /\.(ts|mts|js|mjs)$/.test(nameOrPath);
}

/**
 * The strategy a user named: a built-in by name, or a module file loaded from a path resolved
 * against `cwd`. Unknown names and bad modules are one-line errors.
 *
 * @example
 * const definition = await resolveStrategy('./my-strategy.ts', process.cwd());
 */
export async function resolveStrategy(nameOrPath: string, cwd: string = process.cwd()): Promise<StrategyDefinition> {
  return isStrategyModulePath(nameOrPath) ? loadStrategyModule(resolve(cwd, nameOrPath)) : getStrategy(nameOrPath);
}
