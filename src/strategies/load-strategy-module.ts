import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError, StrategyError } from '../core/errors.js';
import type { ParamSpec, ParamValue, Strategy, StrategyDefinition } from '../core/strategy.js';

/**
 * File extensions of strategy modules. A name ending in one of them (any case) is read as a path,
 * both here and by `isStrategyModulePath`, so the CLI and the library agree on what a path is.
 *
 * @example
 * STRATEGY_MODULE_EXTENSIONS.includes('.cjs'); // true
 */
export const STRATEGY_MODULE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const PARAM_TYPES: readonly string[] = ['integer', 'number', 'boolean', 'string'];

/**
 * Loads a user's strategy from a `.ts`, `.mts`, `.cts`, `.js`, `.mjs` or `.cjs` file. The module must
 * export a {@link StrategyDefinition} as its default export, or as a named export `strategy`
 * (the default wins when both exist). `params` may be left out, meaning none; `description`
 * may be left out, meaning empty. `.ts` files need the process to run under tsx, as the CLI does.
 *
 * The definition is checked once here (name, `create`, every parameter spec and its default),
 * and the returned copy's `create` also checks that the strategy it builds has an `onBar`
 * method, so a broken module fails with one line naming its file rather than deep in a run.
 * A relative path is resolved against the current directory. Node caches modules, so loading
 * the same file twice in one process returns the first version.
 *
 * @throws StrategyError naming the file when it is missing, fails to import, or has the wrong shape
 *
 * @example
 * const definition = await loadStrategyModule('examples/strategies/momentum.ts');
 * const strategy = definition.create(resolveParams(definition, { lookback: '20' }));
 */
export async function loadStrategyModule(path: string): Promise<StrategyDefinition> {
  const where = `strategy module ${path}`;
  const absolutePath = resolve(path);
  if (!STRATEGY_MODULE_EXTENSIONS.includes(extname(absolutePath).toLowerCase())) {
    throw new StrategyError(`${where} must be a ${STRATEGY_MODULE_EXTENSIONS.join(', ')} file`);
  }

  let isFile: boolean;
  try {
    isFile = (await stat(absolutePath)).isFile();
  } catch (error) {
    const reason = errorCode(error) === 'ENOENT' ? 'does not exist' : `cannot be read (${firstLine(error)})`;
    throw new StrategyError(`${where} ${reason}`, { cause: error });
  }
  if (!isFile) throw new StrategyError(`${where} is not a file`);

  let namespace: Record<string, unknown>;
  try {
    if (/\.(ts|mts|cts)$/i.test(absolutePath)) await enableTypeScriptImports();
    namespace = (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
  } catch (error) {
    const hint =
      errorCode(error) === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? '; run through tsx (as the backtest CLI does) to load .ts files'
        : '';
    throw new StrategyError(`${where} failed to load: ${firstLine(error)}${hint}`, { cause: error });
  }

  const exported = pickExport(namespace);
  if (exported === undefined) {
    throw new StrategyError(`${where} must export a strategy definition as its default export or as "strategy"`);
  }
  return checkDefinition(exported, where, absolutePath);
}

function checkDefinition(value: unknown, where: string, module: string): StrategyDefinition {
  if (typeof value !== 'object' || value === null) {
    throw new StrategyError(`${where}: the exported strategy must be an object with name, params and create`);
  }
  const definition = value as Record<string, unknown>;
  const name = definition.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new StrategyError(`${where}: the strategy's name must be a non-empty string`);
  }
  const create = definition.create;
  if (typeof create !== 'function') throw new StrategyError(`${where}: strategy ${name} has no create function`);
  const description = definition.description ?? '';
  if (typeof description !== 'string') {
    throw new StrategyError(`${where}: the description of strategy ${name} must be a string`);
  }
  const check = definition.check;
  if (check !== undefined && typeof check !== 'function') {
    throw new StrategyError(`${where}: check of strategy ${name} must be a function when given`);
  }
  const rawParams = definition.params ?? [];
  if (!Array.isArray(rawParams)) throw new StrategyError(`${where}: params of strategy ${name} must be an array`);
  const params = rawParams.map((spec: unknown, index: number) => checkParamSpec(spec, `${where}: params[${index}]`));
  const seen = new Set<string>();
  for (const spec of params) {
    if (seen.has(spec.name))
      throw new StrategyError(`${where}: strategy ${name} declares parameter ${spec.name} twice`);
    seen.add(spec.name);
  }

  const label = `strategy ${name} (${where})`;
  // Bound, because a definition written as a class instance may use `this` in its methods.
  const userCreate = (create as StrategyDefinition['create']).bind(value);
  const checked: StrategyDefinition = {
    name,
    module,
    description,
    params: Object.freeze(params),
    create(values: Readonly<Record<string, ParamValue>>): Strategy {
      let strategy: unknown;
      try {
        strategy = userCreate(values);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new StrategyError(`${label} failed to start: ${firstLine(error)}`, { cause: error });
      }
      if (typeof strategy !== 'object' || strategy === null || typeof (strategy as Strategy).onBar !== 'function') {
        throw new StrategyError(`${label}: create must return an object with an onBar method`);
      }
      return strategy as Strategy;
    },
  };
  if (typeof check === 'function') {
    return Object.freeze({ ...checked, check: (check as NonNullable<StrategyDefinition['check']>).bind(value) });
  }
  return Object.freeze(checked);
}

function checkParamSpec(value: unknown, where: string): ParamSpec {
  if (typeof value !== 'object' || value === null) {
    throw new StrategyError(`${where} must be an object with name, type, default and description`);
  }
  const spec = value as Record<string, unknown>;
  const name = spec.name;
  if (typeof name !== 'string' || name.trim() === '')
    throw new StrategyError(`${where}.name must be a non-empty string`);
  const at = `${where} (${name})`;
  const type = spec.type;
  if (typeof type !== 'string' || !PARAM_TYPES.includes(type)) {
    throw new StrategyError(
      `${at}.type must be one of ${PARAM_TYPES.join(', ')}; ${JSON.stringify(type) ?? String(type)} is not`,
    );
  }
  const description = spec.description ?? '';
  if (typeof description !== 'string') throw new StrategyError(`${at}.description must be a string`);

  const bounds: { min?: number; max?: number } = {};
  for (const key of ['min', 'max'] as const) {
    const bound = spec[key];
    if (bound === undefined) continue;
    if (typeof bound !== 'number' || Number.isNaN(bound) || (type !== 'integer' && type !== 'number')) {
      throw new StrategyError(`${at}.${key} must be a number, and only on integer or number parameters`);
    }
    bounds[key] = bound;
  }

  const fallback = spec.default;
  const fits =
    type === 'integer'
      ? Number.isSafeInteger(fallback)
      : type === 'number'
        ? typeof fallback === 'number' && Number.isFinite(fallback)
        : typeof fallback === type;
  if (!fits) {
    throw new StrategyError(
      `${at}.default must be a${type === 'integer' ? 'n' : ''} ${type}; ${JSON.stringify(fallback) ?? String(fallback)} is not`,
    );
  }
  const number = fallback as number;
  if ((bounds.min !== undefined && number < bounds.min) || (bounds.max !== undefined && number > bounds.max)) {
    throw new StrategyError(`${at}.default ${number} is outside its own bounds`);
  }
  return Object.freeze({
    name,
    type: type as ParamSpec['type'],
    default: fallback as ParamValue,
    description,
    ...bounds,
  });
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const first = lines[0] ?? text;
  // Transpilers head their message with "Transform failed with 1 error:"; the next line says where.
  return first.endsWith(':') && lines[1] !== undefined ? `${first} ${lines[1]}` : first;
}

let typeScriptImportsEnabled = false;

/**
 * Lets `import()` load a user's `.ts` module. When this file itself runs as TypeScript (tests,
 * `npm run backtest`), a loader is already active; the compiled CLI registers tsx on first use,
 * so runs without a TypeScript strategy never load it.
 */
async function enableTypeScriptImports(): Promise<void> {
  if (typeScriptImportsEnabled || import.meta.url.endsWith('.ts')) return;
  // Both loaders: a .ts file outside an ESM package ("type": "module") loads as CommonJS.
  const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
  esm.register();
  cjs.register();
  typeScriptImportsEnabled = true;
}

/**
 * The default export, or else a named `strategy` export. A TypeScript file loaded as CommonJS
 * (outside a `"type": "module"` package) arrives wrapped: its exports object is the `default`.
 */
function pickExport(namespace: Record<string, unknown>): unknown {
  const direct = namespace.default ?? namespace.strategy;
  if (typeof direct !== 'object' || direct === null || 'create' in direct) return direct;
  const wrapped = direct as Record<string, unknown>;
  return wrapped.default ?? wrapped.strategy ?? direct;
}
