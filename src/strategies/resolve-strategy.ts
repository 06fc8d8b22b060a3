import { extname, resolve } from 'node:path';
import type { StrategyDefinition } from '../core/strategy.js';
import { getStrategy } from './builtin-strategies.js';
import { loadStrategyModule, STRATEGY_MODULE_EXTENSIONS } from './load-strategy-module.js';

/**
 * True when the text names a module file rather than a built-in strategy: it has a path
 * separator, or ends in one of {@link STRATEGY_MODULE_EXTENSIONS} (`.ts`, `.mts`, `.cts`, `.js`,
 * `.mjs`, `.cjs`, in any case).
 *
 * @example
 * isStrategyModulePath('./breakout.ts'); // true
 * isStrategyModulePath('breakout.cjs'); // true
 * isStrategyModulePath('sma-cross'); // false
 */
export function isStrategyModulePath(nameOrPath: string): boolean {
  return /[\\/]/.test(nameOrPath) || STRATEGY_MODULE_EXTENSIONS.includes(extname(nameOrPath).toLowerCase());
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
