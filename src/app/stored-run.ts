/**
 * Reading what produced a stored run. Rows written by this toolkit carry `strategy_name` and
 * `strategy_params_json`; rows written by other programs (the older tool) may only have a
 * `config_json`, or nothing: every reader here falls back in that order and never throws on
 * text another program wrote.
 */
import type { BacktestRow } from '../store/index.js';
import { printable } from './format-values.js';

type RunSource = Pick<BacktestRow, 'model_path' | 'strategy_name' | 'strategy_params_json' | 'config_json'>;

function parseLenient(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configStrategy(row: RunSource): Record<string, unknown> | undefined {
  const config = parseLenient(row.config_json);
  return isRecord(config) && isRecord(config.strategy) ? config.strategy : undefined;
}

/**
 * The strategy name of a stored run: `strategy_name`, else the config's `strategy.name`.
 *
 * @example
 * rowStrategyName(row); // 'sma-cross'
 */
export function rowStrategyName(row: RunSource): string | undefined {
  if (row.strategy_name !== null) return row.strategy_name;
  const name = configStrategy(row)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The strategy parameters of a stored run: from `strategy_params_json`, else from the config's
 * `strategy.params`; `undefined` when neither is there (the older tool's rows).
 *
 * @example
 * rowParams(row); // { fast: 10, slow: 30 }
 */
export function rowParams(row: RunSource): Record<string, unknown> | undefined {
  const params = parseLenient(row.strategy_params_json);
  if (isRecord(params)) return params;
  const fromConfig = configStrategy(row)?.params;
  return isRecord(fromConfig) ? fromConfig : undefined;
}

/**
 * What produced a run, in a few words: the model file, or the strategy with its parameters.
 *
 * @example
 * describeRunSource(row); // 'sma-cross fast=10 short=false slow=30'
 */
export function describeRunSource(
  row: RunSource & Partial<Pick<BacktestRow, 'walk_forward_role' | 'walk_forward_id'>>,
): string {
  // Printable: the text is stored, possibly by other programs, and lands in terminals and pages.
  if (row.model_path !== null) return printable(String(row.model_path));
  const name = rowStrategyName(row) ?? '?';
  // A stitched run's parameters change from window to window: name its walk-forward instead.
  if (row.walk_forward_role === 'stitched') return printable(`${name} walk-forward ${String(row.walk_forward_id)}`);
  const params = Object.entries(rowParams(row) ?? {})
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return printable(params === '' ? name : `${name} ${params}`);
}
