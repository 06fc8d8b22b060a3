import { ConfigError, StrategyError } from '../core/errors.js';
import type { ParamSpec, ParamValue, StrategyDefinition } from '../core/strategy.js';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no']);

/**
 * Turns raw strategy parameters (strings from `--param`, or JSON values from a config file)
 * into a complete, checked set: defaults filled in, strings converted to the declared type,
 * bounds and the definition's own `check` applied.
 *
 * - `integer`: a whole number, from a number or a decimal string (`"10"`, `"1e3"`, `"10.0"`).
 * - `number`: a finite number, from a number or a decimal string (no `Infinity`, no hex).
 * - `boolean`: `true`/`false`, or the strings `true`/`false`, `yes`/`no`, `1`/`0` in any case,
 *   or the numbers 1/0.
 * - `string`: any string; numbers and booleans are converted with `String`.
 *
 * The result is frozen and lists the parameters in the definition's order, so that two runs
 * with the same settings give the same config (and the same config hash).
 *
 * @param source where the values came from (`"--param"`, `"run.json"`), put at the start of
 *   error messages
 * @throws ConfigError with one line naming the strategy, the parameter and what is wrong
 * @throws StrategyError when the definition's own `check` throws
 *
 * @example
 * resolveParams(smaCross, { fast: '5' }); // { fast: 5, slow: 30, short: false }
 */
export function resolveParams(
  definition: StrategyDefinition,
  raw: Readonly<Record<string, string | ParamValue>>,
  source?: string,
): Readonly<Record<string, ParamValue>> {
  const where = source === undefined ? `strategy ${definition.name}` : `${source}, strategy ${definition.name}`;
  const specs = definition.params;

  for (const name of Object.keys(raw)) {
    if (specs.some((spec) => spec.name === name)) continue;
    if (specs.length === 0) {
      throw new ConfigError(`${where}: this strategy takes no parameters; remove ${JSON.stringify(name)}`);
    }
    throw new ConfigError(
      `${where}: there is no parameter ${JSON.stringify(name)}; valid parameters are ${specs.map((spec) => spec.name).join(', ')}`,
    );
  }

  const entries: [string, ParamValue][] = [];
  for (const spec of specs) {
    const given = Object.hasOwn(raw, spec.name) ? raw[spec.name] : undefined;
    entries.push([spec.name, given === undefined ? spec.default : convert(spec, given, where)]);
  }
  const params: Readonly<Record<string, ParamValue>> = Object.freeze(Object.fromEntries(entries));

  if (definition.check !== undefined) {
    let problem: string | undefined;
    try {
      problem = definition.check(params);
    } catch (error) {
      throw new StrategyError(`${where}: its parameter check failed: ${describe(error)}`, { cause: error });
    }
    // Loaded modules are plain JavaScript, so only a non-empty string counts as a complaint.
    if (typeof problem === 'string' && problem !== '') throw new ConfigError(`${where}: ${problem}`);
  }
  return params;
}

/** Converts one given value to the spec's type and checks its bounds. */
function convert(spec: ParamSpec, given: unknown, where: string): ParamValue {
  const shown = show(given);
  const fail = (message: string): never => {
    throw new ConfigError(`${where}: ${message}`);
  };
  switch (spec.type) {
    case 'boolean': {
      if (typeof given === 'boolean') return given;
      if (given === 1 || given === 0) return given === 1;
      const word = typeof given === 'string' ? given.trim().toLowerCase() : undefined;
      if (word !== undefined && TRUE_WORDS.has(word)) return true;
      if (word !== undefined && FALSE_WORDS.has(word)) return false;
      return fail(`${spec.name} must be true or false (yes/no and 1/0 work too); ${shown} is not`);
    }
    case 'integer':
    case 'number': {
      const value = toNumber(given);
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) {
        return fail(`${spec.name} must be a whole number; ${shown} is not`);
      }
      if (!Number.isFinite(value)) return fail(`${spec.name} must be a number; ${shown} is not`);
      if (spec.min !== undefined && value < spec.min) {
        return fail(`${spec.name} must be at least ${spec.min}; ${value} is not`);
      }
      if (spec.max !== undefined && value > spec.max) {
        return fail(`${spec.name} must be at most ${spec.max}; ${value} is not`);
      }
      return value;
    }
    case 'string': {
      if (typeof given === 'string') return given;
      if (typeof given === 'number' || typeof given === 'boolean') return String(given);
      return fail(`${spec.name} must be text; ${shown} is not`);
    }
  }
}

function toNumber(given: unknown): number {
  if (typeof given === 'number') return given;
  if (typeof given === 'string') {
    const text = given.trim();
    return DECIMAL.test(text) ? Number(text) : Number.NaN;
  }
  return Number.NaN;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0] ?? text;
}
