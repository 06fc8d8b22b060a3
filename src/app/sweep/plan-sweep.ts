import { ConfigError, UsageError } from '../../core/errors.js';
import type { ParamValue, StrategyDefinition } from '../../core/strategy.js';
import { resolveParams } from '../../strategies/index.js';
import { type GridAxis, gridCombinations, gridSize, MAX_GRID_COMBINATIONS } from './parse-grid.js';
import { ITEMS_PER_SLICE, runInSlices, runToEnd, type Slices } from './run-in-slices.js';
import { compileWhere } from './where-expression.js';

/** The parameter sets a sweep will run, and how many combinations were left out and why. */
export interface SweepPlan {
  /** Complete parameter sets (defaults filled in), in grid order. */
  readonly params: readonly Readonly<Record<string, ParamValue>>[];
  /** Combinations in the grid before any filtering. */
  readonly gridSize: number;
  /** Combinations the strategy's own `check` rejected (e.g. fast >= slow). */
  readonly skippedByCheck: number;
  /** Combinations `--where` left out. */
  readonly skippedByWhere: number;
}

/**
 * Expands a grid into the parameter sets to run: each combination gets the `fixed` values
 * (`--param`) and the strategy's defaults for the other parameters not swept, combinations the strategy's `check` rejects are
 * counted and skipped, then `where` filters further. Refuses grids over
 * {@link MAX_GRID_COMBINATIONS} with a {@link UsageError}.
 *
 * @example
 * const plan = planSweep(smaCross, parseGridFlags(['fast=5..50:5', 'slow=20..200:10'], smaCross), 'slow - fast >= 10');
 * plan.params.length; // the runs to do
 */
export function planSweep(
  definition: StrategyDefinition,
  axes: readonly GridAxis[],
  where?: string,
  fixed: Readonly<Record<string, string | ParamValue>> = {},
): SweepPlan {
  return runToEnd(planSlices(definition, axes, where, fixed));
}

/**
 * {@link planSweep} in slices of a few thousand combinations with a turn of the event loop
 * between them, so that a million-combination grid (seconds of work) hears Ctrl-C at once.
 *
 * @throws InterruptedError when `signal` is aborted while planning
 *
 * @example
 * const plan = await planSweepInSlices(smaCross, axes, undefined, {}, controller.signal);
 */
export function planSweepInSlices(
  definition: StrategyDefinition,
  axes: readonly GridAxis[],
  where: string | undefined,
  fixed: Readonly<Record<string, string | ParamValue>>,
  signal: AbortSignal | undefined,
): Promise<SweepPlan> {
  return runInSlices(
    planSlices(definition, axes, where, fixed),
    signal,
    'sweep stopped by Ctrl-C while planning its combinations; nothing was run or saved',
  );
}

function* planSlices(
  definition: StrategyDefinition,
  axes: readonly GridAxis[],
  where: string | undefined,
  fixed: Readonly<Record<string, string | ParamValue>>,
): Slices<SweepPlan> {
  for (const axis of axes) {
    if (Object.hasOwn(fixed, axis.name)) {
      throw new UsageError(`${axis.name} is both swept (--grid) and fixed (--param); keep one`);
    }
  }
  // Fixed values are checked alone (names, types, bounds) so that a typo is named, not counted
  // as every combination failing the strategy's relation check.
  const { check: _relation, ...typeOnly } = definition;
  resolveParams(typeOnly, fixed, '--param');
  const size = gridSize(axes);
  if (size > MAX_GRID_COMBINATIONS) {
    throw new UsageError(
      `--grid: ${size.toLocaleString('en-US')} combinations is more than the ${MAX_GRID_COMBINATIONS.toLocaleString('en-US')} allowed; use larger steps or fewer values`,
    );
  }
  const keep =
    where === undefined || where.trim() === ''
      ? undefined
      : compileWhere(
          where,
          definition.params.map((p) => p.name),
        );
  const params: Readonly<Record<string, ParamValue>>[] = [];
  let skippedByCheck = 0;
  let skippedByWhere = 0;
  let sinceYield = 0;
  for (const combo of gridCombinations(axes)) {
    if (++sinceYield === ITEMS_PER_SLICE) {
      sinceYield = 0;
      yield;
    }
    let resolved: Readonly<Record<string, ParamValue>>;
    try {
      resolved = resolveParams(definition, { ...fixed, ...combo });
    } catch (error) {
      // Each value was checked alone by parseGridFlags, so a ConfigError here is the relation check.
      if (error instanceof ConfigError) {
        skippedByCheck++;
        continue;
      }
      throw error;
    }
    if (keep !== undefined && !keep(resolved)) {
      skippedByWhere++;
      continue;
    }
    params.push(resolved);
  }
  return { params, gridSize: size, skippedByCheck, skippedByWhere };
}
