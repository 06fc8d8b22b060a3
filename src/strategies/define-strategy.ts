import { fileURLToPath } from 'node:url';
import { ConfigError } from '../core/errors.js';
import type { StrategyDefinition } from '../core/strategy.js';

/**
 * Marks a strategy definition with the file it lives in, so that a run of it — even when the
 * definition is imported and passed as an object rather than by path — records that file and
 * its SHA-256 and can be run again (`backtest rerun`). Pass `import.meta.url`.
 *
 * @example
 * // my-strategy.ts
 * export default defineStrategy({ name: 'breakout', description: '…', params: [], create }, import.meta.url);
 */
export function defineStrategy(definition: Omit<StrategyDefinition, 'module'>, moduleUrl: string): StrategyDefinition {
  if (typeof moduleUrl !== 'string' || !moduleUrl.startsWith('file:')) {
    throw new ConfigError(
      `defineStrategy(${JSON.stringify(definition?.name)}): pass import.meta.url of the strategy's own file, not ${JSON.stringify(moduleUrl)}`,
    );
  }
  return { ...definition, module: fileURLToPath(moduleUrl) };
}
