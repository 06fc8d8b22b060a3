/**
 * Parameter sweeps: grid parsing, the `--where` filter, planning and the parallel runner.
 *
 * @example
 * import { runSweep } from './app/sweep/index.js';
 * const summary = await runSweep({ bars, strategy: 'sma-cross', grid: ['fast=5..50:5', 'slow=20..200:10'] });
 */
export { createSweepId } from './create-sweep-id.js';
export { INTERRUPTED_EXIT_CODE, InterruptedError } from './interrupted-error.js';
export {
  type GridAxis,
  gridCombinations,
  gridSize,
  MAX_GRID_COMBINATIONS,
  parseGridFlag,
  parseGridFlags,
} from './parse-grid.js';
export { planSweep, type SweepPlan } from './plan-sweep.js';
export {
  type RunSweepHooks,
  type RunSweepOptions,
  runSweep,
  type SweepFailure,
  type SweepProgress,
  type SweepRow,
  type SweepStart,
  type SweepSummary,
} from './run-sweep.js';
export { compileWhere, type WherePredicate } from './where-expression.js';
