/**
 * `--grid` flags: `name=start..end:step` (inclusive range), `name=a,b,c` (list) or `name=value`.
 *
 * Numeric trap: adding `step` repeatedly drifts (0.1 + 0.1 + 0.1 = 0.30000000000000004), so
 * every range value is computed as `start + k * step` and rounded to the most decimals that
 * `start`, `end` or `step` were written with.
 */
import { ConfigError, UsageError } from '../../core/errors.js';
import type { ParamValue, StrategyDefinition } from '../../core/strategy.js';
import { resolveParams } from '../../strategies/index.js';
import { ITEMS_PER_SLICE, runInSlices, runToEnd, type Slices } from './run-in-slices.js';

/** One swept parameter and the values it takes, in order. */
export interface GridAxis {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

/** Most combinations a grid may have before any filtering. */
export const MAX_GRID_COMBINATIONS = 1_000_000;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const RANGE = /^(.+?)\.\.(.+?)(?::(.+))?$/;

/**
 * Parses `--grid` flags against a strategy's parameters. Each value is converted and checked
 * (type and bounds) as `--param` would be; relations between parameters are left to
 * {@link planSweep}. Throws a {@link UsageError} naming the flag on bad syntax, an unknown
 * parameter, a parameter given twice or a value the parameter cannot take.
 *
 * @example
 * parseGridFlags(['fast=5..15:5', 'short=true,false'], smaCross);
 * // [{ name: 'fast', values: [5, 10, 15] }, { name: 'short', values: [true, false] }]
 */
export function parseGridFlags(flags: readonly string[], definition: StrategyDefinition): GridAxis[] {
  return runToEnd(gridAxesSlices(flags, definition));
}

/**
 * {@link parseGridFlags} in slices with a turn of the event loop between them, so that a range
 * of a million values hears Ctrl-C at once.
 *
 * @throws InterruptedError when `signal` is aborted while parsing
 *
 * @example
 * const axes = await parseGridFlagsInSlices(['fast=1..1000000'], smaCross, controller.signal);
 */
export function parseGridFlagsInSlices(
  flags: readonly string[],
  definition: StrategyDefinition,
  signal: AbortSignal | undefined,
): Promise<GridAxis[]> {
  return runInSlices(
    gridAxesSlices(flags, definition),
    signal,
    'sweep stopped by Ctrl-C while reading its --grid values; nothing was run or saved',
  );
}

function* gridAxesSlices(flags: readonly string[], definition: StrategyDefinition): Slices<GridAxis[]> {
  const axes: GridAxis[] = [];
  for (const flag of flags) {
    const axis = yield* gridAxisSlices(flag, definition);
    if (axes.some((a) => a.name === axis.name)) {
      throw new UsageError(`--grid ${flag}: parameter "${axis.name}" is already swept by another --grid flag`);
    }
    axes.push(axis);
  }
  return axes;
}

/** Parses one `--grid` flag; see {@link parseGridFlags}. */
export function parseGridFlag(flag: string, definition: StrategyDefinition): GridAxis {
  return runToEnd(gridAxisSlices(flag, definition));
}

function* gridAxisSlices(flag: string, definition: StrategyDefinition): Slices<GridAxis> {
  const fail = (reason: string): never => {
    throw new UsageError(`--grid ${flag}: ${reason}`);
  };
  const eq = flag.indexOf('=');
  if (eq <= 0) fail('expected name=start..end:step, name=a,b,c or name=value');
  const name = flag.slice(0, eq).trim();
  const text = flag.slice(eq + 1).trim();
  const spec = definition.params.find((p) => p.name === name);
  if (spec === undefined) {
    const valid = definition.params.map((p) => p.name).join(', ');
    fail(
      `strategy ${definition.name} has no parameter "${name}"${valid === '' ? '' : `; valid parameters are ${valid}`}`,
    );
  }
  if (text === '') fail(`no value after "${name}="`);

  const raw = RANGE.test(text) ? yield* expandRange(text, fail) : text.split(',').map((v) => v.trim());
  if (raw.some((v) => v === '')) fail('empty value in the list');

  // Convert and check each value alone, through the same rules as --param; relations between
  // parameters (fast < slow) are not checked here, since other parameters still hold defaults.
  const typeOnly: StrategyDefinition = {
    name: definition.name,
    description: definition.description,
    params: definition.params,
    create: definition.create,
  };
  const values: ParamValue[] = [];
  let sinceYield = 0;
  for (const value of raw) {
    if (++sinceYield === ITEMS_PER_SLICE) {
      sinceYield = 0;
      yield;
    }
    try {
      const resolved = resolveParams(typeOnly, { [name]: value });
      values.push(resolved[name] as ParamValue);
    } catch (error) {
      if (error instanceof ConfigError) fail(error.message);
      throw error;
    }
  }
  return { name, values: dedupe(values) };
}

function* expandRange(text: string, fail: (reason: string) => never): Slices<string[]> {
  const [, startText = '', endText = '', stepText = '1'] = RANGE.exec(text) ?? [];
  for (const part of [startText, endText, stepText]) {
    if (!NUMBER.test(part.trim())) fail(`"${part}" in the range is not a number; write start..end:step, e.g. 5..50:5`);
  }
  const start = Number(startText);
  const end = Number(endText);
  const step = Number(stepText);
  if (!(step > 0)) fail(`step ${stepText} must be greater than 0`);
  if (end < start) fail(`the range ends (${endText}) before it starts (${startText})`);
  const decimals = Math.max(decimalPlaces(startText), decimalPlaces(endText), decimalPlaces(stepText));
  const count = Math.floor((end - start) / step + 1e-9) + 1;
  if (count > MAX_GRID_COMBINATIONS)
    fail(`the range has ${count} values; at most ${MAX_GRID_COMBINATIONS} are allowed`);
  const values: string[] = [];
  for (let k = 0; k < count; k++) {
    if (k > 0 && k % ITEMS_PER_SLICE === 0) yield;
    const value = roundTo(start + k * step, decimals);
    if (value > end) break;
    values.push(String(value));
  }
  return values;
}

/** Decimal places a number was written with: `0.25` → 2, `1e-3` → 3, `10` → 0. */
function decimalPlaces(text: string): number {
  const [mantissa = '', exponent = '0'] = text.trim().toLowerCase().split('e');
  const dot = mantissa.indexOf('.');
  const fraction = dot === -1 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, fraction - Number(exponent));
}

function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(Math.min(decimals, 100)));
}

/** First occurrences, in order; a Set keeps a range of a million values linear. */
function dedupe(values: readonly ParamValue[]): ParamValue[] {
  return [...new Set(values)];
}

/** Number of combinations of a grid before filtering: the product of the axis sizes. */
export function gridSize(axes: readonly GridAxis[]): number {
  return axes.reduce((product, axis) => product * axis.values.length, 1);
}

/**
 * Every combination of a grid, the last axis varying fastest.
 *
 * @example
 * [...gridCombinations([{ name: 'a', values: [1, 2] }, { name: 'b', values: [true] }])];
 * // [{ a: 1, b: true }, { a: 2, b: true }]
 */
export function* gridCombinations(axes: readonly GridAxis[]): Generator<Record<string, ParamValue>> {
  if (axes.some((axis) => axis.values.length === 0)) return;
  const indexes = axes.map(() => 0);
  while (true) {
    const combo: Record<string, ParamValue> = {};
    axes.forEach((axis, a) => {
      combo[axis.name] = axis.values[indexes[a] as number] as ParamValue;
    });
    yield combo;
    let a = axes.length - 1;
    while (a >= 0) {
      const axis = axes[a] as GridAxis;
      indexes[a] = (indexes[a] as number) + 1;
      if ((indexes[a] as number) < axis.values.length) break;
      indexes[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}
