/**
 * The catalogue of observation features a model may declare in its `backtest.features` metadata,
 * and the parser that turns that JSON into checked {@link FeatureSpec}s. What each feature
 * computes, with its conventions, is in `src/strategies/onnx/MODEL-CONTRACT.md` ("Declared
 * features"); the Python twin of the catalogue is `scripts/backtest_features.py`.
 */
import { StrategyError } from '../../core/errors.js';

/**
 * The features in the catalogue, by the name a spec gives in its `feature` field.
 *
 * @example
 * const spec = { feature: FeatureName.Rsi, window: 14 };
 */
export const FeatureName = {
  /** Simple return of an OHLC column over `window` bars: `x[i] / x[i−window] − 1`. */
  Return: 'return',
  /** Log return of an OHLC column over `window` bars: `ln(x[i] / x[i−window])`. */
  LogReturn: 'log_return',
  /** Open, high or low relative to the same bar's close: `x[i] / close[i] − 1`. */
  RelativeToClose: 'relative_to_close',
  /** The bar's volume as it is. */
  Volume: 'volume',
  /** Volume's z-score over the last `window` bars (sample standard deviation). */
  VolumeZscore: 'volume_zscore',
  /** `close / SMA(close, window) − 1`. */
  SmaRatio: 'sma_ratio',
  /** `close / EMA(close, window) − 1`, the EMA seeded with the SMA of the first `window` closes. */
  EmaRatio: 'ema_ratio',
  /** Wilder's RSI of close, 0 to 100. */
  Rsi: 'rsi',
  /** Wilder's average true range as a percentage of close. */
  AtrPct: 'atr_pct',
  /** Sample standard deviation of the last `window` simple close-to-close returns. */
  Volatility: 'volatility',
  /** Time of day of the bar's open (UTC) as sine and cosine: two values. */
  TimeOfDay: 'time_of_day',
  /** Day of the week of the bar's open (UTC, Monday = 0) as sine and cosine: two values. */
  DayOfWeek: 'day_of_week',
  /** State: the position held at the bar's close, −1, 0 or 1. */
  Position: 'position',
  /** State: the open position's unrealised P&L in percent of its entry price; 0 while flat. */
  UnrealizedPnlPct: 'unrealized_pnl_pct',
  /** State: cash divided by equity at the bar's close (1 while flat). */
  CashFraction: 'cash_fraction',
} as const;
export type FeatureName = (typeof FeatureName)[keyof typeof FeatureName];

/** A bar column a price feature reads. */
export type PriceColumn = 'open' | 'high' | 'low' | 'close';

/**
 * How a feature's value is normalised after `scale`: not at all, by a z-score with the mean and
 * standard deviation training computed (one pair per value, optionally clipped to ±`clip`), or by
 * clipping to `[min, max]`.
 *
 * @example
 * const norm: FeatureNorm = { kind: 'zscore', mean: [0.01], std: [1.3], clip: 10 };
 */
export type FeatureNorm =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'zscore';
      /** One mean per value of the feature (`width` of them). */
      readonly mean: readonly number[];
      /** One standard deviation (> 0) per value of the feature. */
      readonly std: readonly number[];
      /** After the z-score, values are clipped to `[−clip, clip]`; `undefined` = no clipping. */
      readonly clip: number | undefined;
    }
  | { readonly kind: 'clip'; readonly min: number; readonly max: number };

/**
 * One checked entry of `backtest.features`.
 *
 * @example
 * parseFeatureSpecs('[{"feature":"return","lags":16,"scale":100}]', 'm.onnx')[0]!.width; // 16
 */
export interface FeatureSpec {
  readonly feature: FeatureName;
  /** The OHLC column of `return`, `log_return` and `relative_to_close`; `undefined` for the others. */
  readonly column: PriceColumn | undefined;
  /** The feature's lookback in bars; `undefined` for features that have none. */
  readonly window: number | undefined;
  /** How many bars of the feature the row holds, newest first (`x[i]`, `x[i−1]`, …). */
  readonly lags: number;
  /** Factor applied to the raw value before normalisation (100 turns a return into percent). */
  readonly scale: number;
  readonly norm: FeatureNorm;
  /** Values per bar: 2 for the sine and cosine features, 1 otherwise. */
  readonly valuesPerBar: number;
  /** Columns the feature adds to the observation row: `valuesPerBar × lags`. */
  readonly width: number;
  /** Whether the value comes from the account as the engine steps (position, P&L, cash). */
  readonly state: boolean;
  /** The first bar index at which the newest value exists (its warm-up, before lags). */
  readonly warmUp: number;
}

interface CatalogueEntry {
  readonly columns?: readonly PriceColumn[];
  readonly defaultColumn?: PriceColumn;
  /** Default and smallest window; absent when the feature has no window. */
  readonly window?: { readonly default: number; readonly min: number };
  readonly valuesPerBar: number;
  readonly state: boolean;
  /** Bars before the first value, given the window. */
  readonly warmUp: (window: number) => number;
  readonly summary: string;
}

const OHLC: readonly PriceColumn[] = ['open', 'high', 'low', 'close'];

/**
 * Every feature with its parameters, in the order `backtest model inspect` and the docs list them.
 */
const CATALOGUE: Readonly<Record<FeatureName, CatalogueEntry>> = {
  return: {
    columns: OHLC,
    defaultColumn: 'close',
    window: { default: 1, min: 1 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w,
    summary: 'x[i] / x[i−window] − 1',
  },
  log_return: {
    columns: OHLC,
    defaultColumn: 'close',
    window: { default: 1, min: 1 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w,
    summary: 'ln(x[i] / x[i−window])',
  },
  relative_to_close: {
    columns: ['open', 'high', 'low'],
    valuesPerBar: 1,
    state: false,
    warmUp: () => 0,
    summary: 'x[i] / close[i] − 1',
  },
  volume: { valuesPerBar: 1, state: false, warmUp: () => 0, summary: 'volume[i]' },
  volume_zscore: {
    window: { default: 20, min: 2 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w - 1,
    summary: '(volume[i] − mean) / sample std over the last window bars; 0 when the std is 0',
  },
  sma_ratio: {
    window: { default: 20, min: 1 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w - 1,
    summary: 'close[i] / SMA(close, window)[i] − 1',
  },
  ema_ratio: {
    window: { default: 20, min: 1 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w - 1,
    summary: 'close[i] / EMA(close, window)[i] − 1; α = 2/(window+1), seeded with the SMA at bar window−1',
  },
  rsi: {
    window: { default: 14, min: 1 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w,
    summary: "Wilder's RSI of close, 0–100",
  },
  atr_pct: {
    window: { default: 14, min: 1 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w,
    summary: "Wilder's ATR / close[i] × 100",
  },
  volatility: {
    window: { default: 20, min: 2 },
    valuesPerBar: 1,
    state: false,
    warmUp: (w) => w,
    summary: 'sample std of the last window simple close returns',
  },
  time_of_day: {
    valuesPerBar: 2,
    state: false,
    warmUp: () => 0,
    summary: 'sin, cos of 2π × (seconds since UTC midnight of the bar open) / 86400',
  },
  day_of_week: {
    valuesPerBar: 2,
    state: false,
    warmUp: () => 0,
    summary: 'sin, cos of 2π × weekday / 7 (UTC, Monday = 0)',
  },
  position: { valuesPerBar: 1, state: true, warmUp: () => 0, summary: 'position at the close: −1, 0, 1' },
  unrealized_pnl_pct: {
    valuesPerBar: 1,
    state: true,
    warmUp: () => 0,
    summary: 'position × (close / entry price − 1) × 100; 0 while flat',
  },
  cash_fraction: { valuesPerBar: 1, state: true, warmUp: () => 0, summary: 'cash / equity at the close' },
};

/** The feature names in catalogue order. */
export const FEATURE_NAMES: readonly FeatureName[] = Object.keys(CATALOGUE) as FeatureName[];

/**
 * One line per feature: its name, parameters and formula, for `--help`-style listings.
 *
 * @example
 * describeCatalogue()[0]; // 'return (column=close, window=1): x[i] / x[i−window] − 1'
 */
export function describeCatalogue(): string[] {
  return FEATURE_NAMES.map((name) => {
    const entry = CATALOGUE[name];
    const params = [
      entry.columns === undefined ? undefined : `column=${entry.defaultColumn ?? entry.columns.join('|')}`,
      entry.window === undefined ? undefined : `window=${entry.window.default}`,
    ].filter((p) => p !== undefined);
    return `${name}${params.length === 0 ? '' : ` (${params.join(', ')})`}: ${entry.summary}${entry.state ? ' [state]' : ''}`;
  });
}

/** The largest window or lag count a spec may ask for, the same bound as `backtest.window`. */
export const MAX_FEATURE_WINDOW = 4096;
/** The most columns an observation row may have. */
export const MAX_OBSERVATION_WIDTH = 4096;

const COMMON_FIELDS = ['feature', 'lags', 'scale', 'norm'];

/**
 * Parses and checks `backtest.features`: a JSON array of feature objects, each
 * `{ "feature": NAME, "column"?, "window"?, "lags"?, "scale"?, "norm"? }`. Unknown fields and
 * unknown names are errors, so a typo cannot silently change what the model is fed.
 *
 * @param source the model file, put at the start of error messages
 * @throws StrategyError naming the file, the entry and what is wrong
 *
 * @example
 * parseFeatureSpecs('[{"feature":"rsi","window":14,"norm":{"kind":"zscore","mean":50,"std":10}}]', 'm.onnx');
 */
export function parseFeatureSpecs(json: string, source: string): FeatureSpec[] {
  const key = 'backtest.features';
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StrategyError(`${source}: metadata ${key} is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new StrategyError(`${source}: metadata ${key} must be a non-empty JSON array of feature objects`);
  }
  const specs = value.map((entry, index) => parseOne(entry, `${source}: metadata ${key}[${index}]`));
  const width = specs.reduce((sum, spec) => sum + spec.width, 0);
  if (width > MAX_OBSERVATION_WIDTH) {
    throw new StrategyError(
      `${source}: metadata ${key} makes rows ${width} wide; at most ${MAX_OBSERVATION_WIDTH} columns`,
    );
  }
  return specs;
}

/**
 * Builds a spec from its parts with the catalogue's defaults, checked as {@link parseFeatureSpecs}
 * checks JSON (used for the legacy `backtest.window` contract and by tests).
 *
 * @throws StrategyError when a field is invalid
 *
 * @example
 * featureSpec({ feature: 'return', lags: 16, scale: 100 });
 */
export function featureSpec(fields: Readonly<Record<string, unknown>>, source = 'feature'): FeatureSpec {
  return parseOne(fields, source);
}

function parseOne(entry: unknown, where: string): FeatureSpec {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new StrategyError(`${where} must be an object such as {"feature": "return"}`);
  }
  const fields = entry as Record<string, unknown>;
  const name = fields.feature;
  if (typeof name !== 'string' || !Object.hasOwn(CATALOGUE, name)) {
    throw new StrategyError(
      `${where}: feature ${JSON.stringify(name)} is not in the catalogue; known features are ${FEATURE_NAMES.join(', ')}`,
    );
  }
  const feature = name as FeatureName;
  const entryOf = CATALOGUE[feature];
  const at = `${where} (${feature})`;
  const allowed = new Set([
    ...COMMON_FIELDS,
    ...(entryOf.columns === undefined ? [] : ['column']),
    ...(entryOf.window === undefined ? [] : ['window']),
  ]);
  for (const field of Object.keys(fields)) {
    if (!allowed.has(field)) {
      throw new StrategyError(`${at}: unknown field ${field}; this feature takes ${[...allowed].join(', ')}`);
    }
  }

  let column: PriceColumn | undefined;
  if (entryOf.columns !== undefined) {
    const given = fields.column ?? entryOf.defaultColumn;
    if (given === undefined) {
      throw new StrategyError(`${at}: column is required, one of ${entryOf.columns.join(', ')}`);
    }
    if (typeof given !== 'string' || !entryOf.columns.includes(given as PriceColumn)) {
      throw new StrategyError(`${at}: column ${JSON.stringify(given)} must be one of ${entryOf.columns.join(', ')}`);
    }
    column = given as PriceColumn;
  }

  let window: number | undefined;
  if (entryOf.window !== undefined) {
    window = wholeNumber(fields.window, entryOf.window.default, entryOf.window.min, `${at}: window`);
  }
  const lags = wholeNumber(fields.lags, 1, 1, `${at}: lags`);
  if (entryOf.state && lags !== 1) {
    throw new StrategyError(`${at}: lags must be 1; state features are observed for the current bar only`);
  }
  const scale = fields.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0) {
    throw new StrategyError(`${at}: scale must be a finite number other than 0, not ${JSON.stringify(scale)}`);
  }
  const width = entryOf.valuesPerBar * lags;
  return {
    feature,
    column,
    window,
    lags,
    scale,
    norm: parseNorm(fields.norm, width, at),
    valuesPerBar: entryOf.valuesPerBar,
    width,
    state: entryOf.state,
    warmUp: entryOf.warmUp(window ?? 0),
  };
}

function wholeNumber(value: unknown, fallback: number, min: number, where: string): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_FEATURE_WINDOW) {
    throw new StrategyError(
      `${where} must be a whole number from ${min} to ${MAX_FEATURE_WINDOW}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function parseNorm(value: unknown, width: number, at: string): FeatureNorm {
  if (value === undefined || value === 'none') return { kind: 'none' };
  const where = `${at}: norm`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StrategyError(
      `${where} must be "none", {"kind": "zscore", "mean": M, "std": S, "clip"?: C} or {"kind": "clip", "min": A, "max": B}`,
    );
  }
  const norm = value as Record<string, unknown>;
  const onlyFields = (fields: readonly string[]): void => {
    for (const field of Object.keys(norm)) {
      if (!fields.includes(field)) {
        throw new StrategyError(`${where}: unknown field ${field}; ${norm.kind} takes ${fields.join(', ')}`);
      }
    }
  };
  const finite = (field: string): number => {
    const n = norm[field];
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new StrategyError(`${where}.${field} must be a finite number, not ${JSON.stringify(n)}`);
    }
    return n;
  };
  switch (norm.kind) {
    case 'none':
      onlyFields(['kind']);
      return { kind: 'none' };
    case 'clip': {
      onlyFields(['kind', 'min', 'max']);
      const min = finite('min');
      const max = finite('max');
      if (!(min < max)) throw new StrategyError(`${where}: min (${min}) must be below max (${max})`);
      return { kind: 'clip', min, max };
    }
    case 'zscore': {
      onlyFields(['kind', 'mean', 'std', 'clip']);
      const mean = perValue(norm.mean, width, `${where}.mean`, (n) => Number.isFinite(n), 'finite numbers');
      const std = perValue(norm.std, width, `${where}.std`, (n) => Number.isFinite(n) && n > 0, 'finite numbers > 0');
      let clip: number | undefined;
      if (norm.clip !== undefined) {
        clip = finite('clip');
        if (!(clip > 0)) throw new StrategyError(`${where}.clip must be above 0, not ${clip}`);
      }
      return { kind: 'zscore', mean, std, clip };
    }
    default:
      throw new StrategyError(`${where}.kind must be none, zscore or clip, not ${JSON.stringify(norm.kind)}`);
  }
}

/** A number for every value, or an array of exactly `width` numbers. */
function perValue(
  value: unknown,
  width: number,
  where: string,
  ok: (n: number) => boolean,
  what: string,
): readonly number[] {
  const list = typeof value === 'number' ? new Array<number>(width).fill(value) : value;
  if (
    !Array.isArray(list) ||
    list.length !== width ||
    !list.every((n): n is number => typeof n === 'number' && ok(n))
  ) {
    throw new StrategyError(
      `${where} must be a number or an array of ${width} ${what} (one per value of the feature), not ${JSON.stringify(value)}`,
    );
  }
  return list;
}

/**
 * A spec as JSON again, the way the exporter writes it: defaults that were not given are filled in,
 * so the text shows exactly what the model is fed.
 *
 * @example
 * featureSpecToJson(featureSpec({ feature: 'rsi' })); // { feature: 'rsi', window: 14, lags: 1, scale: 1, norm: 'none' }
 */
export function featureSpecToJson(spec: FeatureSpec): Record<string, unknown> {
  const json: Record<string, unknown> = { feature: spec.feature };
  if (spec.column !== undefined) json.column = spec.column;
  if (spec.window !== undefined) json.window = spec.window;
  json.lags = spec.lags;
  json.scale = spec.scale;
  const norm = spec.norm;
  if (norm.kind === 'none') json.norm = 'none';
  else if (norm.kind === 'clip') json.norm = { kind: 'clip', min: norm.min, max: norm.max };
  else {
    const compact = (values: readonly number[]): number | readonly number[] =>
      values.every((v) => v === values[0]) ? values[0]! : values;
    json.norm = {
      kind: 'zscore',
      mean: compact(norm.mean),
      std: compact(norm.std),
      ...(norm.clip === undefined ? {} : { clip: norm.clip }),
    };
  }
  return json;
}

/**
 * A short human label for a spec, as `backtest model inspect` prints it.
 *
 * @example
 * describeFeatureSpec(featureSpec({ feature: 'return', lags: 16, scale: 100 })); // 'return close window=1 ×16 lags scale=100'
 */
export function describeFeatureSpec(spec: FeatureSpec): string {
  const parts: string[] = [spec.feature];
  if (spec.column !== undefined) parts.push(spec.column);
  if (spec.window !== undefined) parts.push(`window=${spec.window}`);
  if (spec.lags > 1) parts.push(`×${spec.lags} lags`);
  if (spec.scale !== 1) parts.push(`scale=${spec.scale}`);
  const norm = spec.norm;
  if (norm.kind === 'clip') parts.push(`clip [${norm.min}, ${norm.max}]`);
  if (norm.kind === 'zscore') {
    const show = (values: readonly number[]): string =>
      values.every((v) => v === values[0]) ? String(values[0]) : `[${values.join(', ')}]`;
    parts.push(
      `z-score mean ${show(norm.mean)} std ${show(norm.std)}${norm.clip === undefined ? '' : ` clip ±${norm.clip}`}`,
    );
  }
  if (spec.state) parts.push('(state)');
  return parts.join(' ');
}
