import { toJsonText } from '../../app/json-text.js';
import type { ParamSpec, ParamValue, StrategyDefinition } from '../../core/strategy.js';
import { BUILTIN_STRATEGIES, resolveStrategy } from '../../strategies/index.js';
import type { CliIO } from '../cli-io.js';
import { renderFittedTable } from '../format.js';

/** Flags and argument of `backtest strategies`. */
export interface StrategiesCommandOptions {
  /** A built-in name or a strategy module path; without it, every built-in is listed. */
  readonly name?: string;
  readonly json: boolean;
}

/** One strategy as `--json` prints it: the definition without its functions. */
export interface StrategyDescription {
  readonly name: string;
  readonly description: string;
  /** Absolute path of the module file, for a strategy loaded from one. */
  readonly module?: string;
  /** Every parameter: `name`, `type`, `default`, `description`, and `min`/`max` when bounded. */
  readonly params: readonly ParamSpec[];
}

/**
 * `backtest strategies [NAME]`: without a name, the built-in strategies with their descriptions
 * and parameter defaults; with a built-in name or a module path, that strategy's parameters with
 * types, defaults and allowed values.
 *
 * @example
 * await strategiesCommand({ name: 'rsi', json: false }, io);
 */
export async function strategiesCommand(options: StrategiesCommandOptions, io: CliIO): Promise<void> {
  if (options.name === undefined) {
    const all = BUILTIN_STRATEGIES.map(describeStrategy);
    if (options.json) {
      io.out(`${toJsonText(all)}\n`);
      return;
    }
    io.out(
      renderFittedTable(
        {
          columns: [
            { header: 'Strategy' },
            { header: 'Parameters (default)', shrink: true },
            { header: 'Description', shrink: true },
          ],
          rows: all.map((strategy) => [strategy.name, parameterSummary(strategy.params), strategy.description]),
          overflow: 'wrap',
        },
        io.columns,
      ),
    );
    io.out('Parameters of one: backtest strategies NAME, or a module file: backtest strategies ./my-strategy.ts\n');
    return;
  }

  const strategy = describeStrategy(await resolveStrategy(options.name, io.cwd));
  if (options.json) {
    io.out(`${toJsonText(strategy)}\n`);
    return;
  }
  io.out(`${strategy.name}${strategy.description === '' ? '' : `: ${strategy.description}`}\n`);
  if (strategy.module !== undefined) io.out(`Module ${strategy.module}\n`);
  if (strategy.params.length === 0) {
    io.out('No parameters.\n');
    return;
  }
  io.out(
    renderFittedTable(
      {
        columns: [
          { header: 'Parameter' },
          { header: 'Type' },
          { header: 'Default', align: 'right' },
          { header: 'Allowed values' },
          { header: 'Description', shrink: true },
        ],
        rows: strategy.params.map((spec) => [
          spec.name,
          spec.type,
          formatParamValue(spec.default),
          allowedValues(spec),
          spec.description,
        ]),
        overflow: 'wrap',
      },
      io.columns,
    ),
  );
  io.out(`Set with --param name=value, e.g. --param ${exampleParam(strategy.params[0]!)}\n`);
}

function describeStrategy(definition: StrategyDefinition): StrategyDescription {
  return {
    name: definition.name,
    description: definition.description,
    ...(definition.module === undefined ? {} : { module: definition.module }),
    params: definition.params.map((spec) => ({
      name: spec.name,
      type: spec.type,
      default: spec.default,
      description: spec.description,
      ...(spec.min === undefined ? {} : { min: spec.min }),
      ...(spec.max === undefined ? {} : { max: spec.max }),
    })),
  };
}

function parameterSummary(params: readonly ParamSpec[]): string {
  if (params.length === 0) return 'none';
  return params.map((spec) => `${spec.name}=${formatParamValue(spec.default)}`).join(' ');
}

function formatParamValue(value: ParamValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The values a parameter accepts, in words: its type's range cut by `min` and `max` (both inclusive). */
function allowedValues(spec: ParamSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'any text';
    case 'integer':
    case 'number': {
      const kind = spec.type === 'integer' ? 'whole numbers' : 'numbers';
      if (spec.min !== undefined && spec.max !== undefined) return `${kind} from ${spec.min} to ${spec.max}`;
      if (spec.min !== undefined) return `${kind} ≥ ${spec.min}`;
      if (spec.max !== undefined) return `${kind} ≤ ${spec.max}`;
      return `any ${spec.type === 'integer' ? 'whole number' : 'number'}`;
    }
  }
}

function exampleParam(spec: ParamSpec): string {
  return `${spec.name}=${spec.type === 'boolean' ? String(!spec.default) : String(spec.default)}`;
}
