import type { BarSeries } from './bars.js';

/**
 * Where a strategy wants to be after a bar closes: `1` long, `-1` short, `0` flat.
 * Returning `undefined` from {@link Strategy.onBar} keeps the current position.
 */
export type Direction = -1 | 0 | 1;

/** What a strategy sees when a bar closes. The engine reuses one object for speed: do not keep it. */
export interface StrategyContext {
  /** Index of the bar that just closed (0-based). */
  readonly index: number;
  /**
   * The bars seen so far. Entries after `index` are NaN: the engine reveals each bar as it
   * closes, so a strategy cannot read the future even by accident.
   */
  readonly bars: BarSeries;
  /** The position held at this bar's close: 1 long, -1 short, 0 flat. */
  readonly position: Direction;
  /** Account equity at this bar's close, in account currency. */
  readonly equity: number;
  /**
   * Cash at this bar's close, account currency (a short's sale proceeds included), so the
   * open position is worth `equity − cash`. The engine always sets it; a context built by hand
   * may leave it out.
   */
  readonly cash?: number;
  /**
   * Fill price of the open position's entry, slippage included; NaN while flat. The engine
   * always sets it; a context built by hand may leave it out.
   */
  readonly entryPrice?: number;
}

/**
 * A trading strategy: one instance per run, created by its {@link StrategyDefinition}.
 *
 * @example
 * const alwaysLong: Strategy = { onBar: () => 1 };
 */
export interface Strategy {
  /**
   * Optional one-off preparation with the whole series, for work that is cheaper in bulk
   * (batched model inference). It must be causal: anything it derives for bar i may use
   * bars 0..i only. The built-ins and the ONNX adapter are checked for this by tests that
   * compare decisions on truncated data with decisions on the full series.
   */
  prepare?(bars: BarSeries): void | Promise<void>;
  /** Decides after bar `context.index` closes. */
  onBar(context: StrategyContext): Direction | undefined;
}

/** A strategy parameter value as it appears in configs and on the command line. */
export type ParamValue = number | boolean | string;

/** Declares one strategy parameter so it can be parsed, validated and shown in `--help`. */
export interface ParamSpec {
  readonly name: string;
  readonly type: 'integer' | 'number' | 'boolean' | 'string';
  readonly default: ParamValue;
  readonly description: string;
  /** Inclusive lower bound for numeric parameters. */
  readonly min?: number;
  /** Inclusive upper bound for numeric parameters. */
  readonly max?: number;
}

/**
 * A named, parameterised strategy that the CLI and the library can build by name.
 *
 * @example
 * const definition: StrategyDefinition = {
 *   name: 'always-long', description: 'Long from the first bar', params: [],
 *   create: () => ({ onBar: () => 1 }),
 * };
 */
export interface StrategyDefinition {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /**
   * Checks relations between parameters (e.g. `fast < slow`); returns a message saying
   * what is wrong, or `undefined` when the set is valid.
   */
  readonly check?: (params: Readonly<Record<string, ParamValue>>) => string | undefined;
  /**
   * The module file the definition was loaded from (absolute path); absent for built-ins.
   * Recorded in the run config so the run can be reproduced.
   */
  readonly module?: string;
  create(params: Readonly<Record<string, ParamValue>>): Strategy;
}
