import { StrategyError } from '../core/errors.js';

/**
 * Throws when a stateful strategy is not fed one bar after another. Built-ins keep running
 * indicator state, so a skipped or repeated bar (or one instance reused for a second run)
 * would silently corrupt every later decision; failing loudly is the only safe option.
 *
 * @example
 * if (context.index !== this.nextIndex && this.nextIndex !== -1) throwOutOfOrder('sma-cross', this.nextIndex, context.index);
 */
export function throwOutOfOrder(strategyName: string, expectedIndex: number, index: number): never {
  throw new StrategyError(
    `strategy ${strategyName} expected bar ${expectedIndex} next but was called for bar ${index}; ` +
      'call onBar once per bar in order, with a new strategy instance for each run',
  );
}
