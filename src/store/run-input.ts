/**
 * What a save takes, checked at the edge: {@link BacktestInput} in, column values out. Shared by
 * every store implementation, so SQLite and PostgreSQL refuse exactly the same inputs.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { canonicalTimeframe } from '../core/timeframe.js';
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';
import type { BacktestResultData, BarsFingerprint, EquityCurve, Metrics, Trade } from '../core/result.js';
import type { ParamValue } from '../core/strategy.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';
import { downsampleEquity, monthEndPoints } from './downsample-equity.js';
import { encodeFloat64 } from './float64-codec.js';
import type { BacktestRowValues } from './run-row.js';
import { newRunUuid, UUID_PATTERN } from './run-uuid.js';
import { encodeTrades } from './trade-codec.js';

/**
 * One backtest run to save, in the older tool's camelCase vocabulary plus the extras that make a
 * run reproducible. Times are unix seconds; percentages are percent (12.5 = 12.5 %).
 * An undefined metric is `null` (or left out), never NaN; `Infinity` is allowed for metrics.
 *
 * The older tool's metric fields (`sharpeRatio`, …) and `metrics` may both be given; a value
 * present in both must be equal.
 *
 * @example
 * const input: BacktestInput = {
 *   symbol: 'GOOG', timeframe: '1Day', startDate: 1_577_836_800, endDate: 1_609_372_800,
 *   initialCapital: 10_000, finalEquity: 11_250, totalReturn: 12.5, profitFactor: Infinity,
 * };
 */
export interface BacktestInput {
  /** Stored upper-case (symbols are matched case-insensitively). */
  readonly symbol: string;
  readonly timeframe: string;
  /** Path of the ONNX model file, if the strategy used one. */
  readonly modelPath?: string | undefined;
  /** When the run was saved, unix seconds; defaults to now. */
  readonly runTimestamp?: number | undefined;
  /** First bar time, unix seconds. */
  readonly startDate: number;
  /** Last bar time, unix seconds. */
  readonly endDate: number;
  /** Starting cash, account currency, above 0. */
  readonly initialCapital: number;
  /** Account currency. */
  readonly finalEquity: number;
  /** Percent. */
  readonly totalReturn: number;
  readonly sharpeRatio?: number | null | undefined;
  /** Percent, negative or zero. */
  readonly maxDrawdown?: number | null | undefined;
  /** Percent. */
  readonly winRate?: number | null | undefined;
  /** `Infinity` when no trade lost money. */
  readonly profitFactor?: number | null | undefined;
  readonly totalTrades?: number | null | undefined;
  /** Account currency. */
  readonly avgTradePnl?: number | null | undefined;
  /** The run config (usually a `BacktestConfig`); stored as canonical JSON and hashed. */
  readonly config?: object | undefined;
  /** The config as JSON text, stored verbatim (imports of other programs' rows); instead of `config`. */
  readonly configJson?: string | undefined;
  readonly notes?: string | undefined;
  /** Any or all of the metrics, keyed by column name. */
  readonly metrics?: Partial<Metrics> | undefined;
  readonly strategyName?: string | undefined;
  readonly strategyParams?: Readonly<Record<string, ParamValue>> | undefined;
  /** SHA-256 of the model file, hex (stored lower-case). */
  readonly modelSha256?: string | undefined;
  readonly bars?: BarsFingerprint | undefined;
  readonly packageVersion?: string | undefined;
  /** Groups the runs of one parameter sweep. */
  readonly sweepId?: string | undefined;
  /**
   * Full equity curve; at most 300 points of it are kept (see `downsampleEquity`). A curve that
   * was already downsampled (sweep workers do it before sending) says how many points it came
   * from in `sourcePointCount`.
   */
  readonly equityCurve?:
    | (EquityCurve & {
        readonly sourcePointCount?: number | undefined;
        /** Month-end points of the full curve, when `equityCurve` was downsampled already. */
        readonly monthEnds?: EquityCurve | undefined;
      })
    | undefined;
  /** Every closed trade; stored packed (see `encodeTrades`). */
  readonly trades?: readonly Trade[] | undefined;
  /**
   * The run's returns on its sweep's period grid (fractions, each finite and at least −1; see
   * `periodReturns` in src/metrics/period-returns.ts), for the probability of backtest
   * overfitting; stored as packed float64.
   */
  readonly periodReturns?: Float64Array | undefined;
  /** When equity reached zero and the run stopped trading, unix ms. */
  readonly outOfMoneyTimeMs?: number | null | undefined;
  /** The strategy module file behind the run, when the strategy came from a module. */
  readonly strategyModule?: { readonly path: string; readonly sha256: string } | undefined;
  /** The run's stable id; a new random UUID when left out (imports pass the exported one). */
  readonly uuid?: string | undefined;
  /**
   * The out-of-sample part of a split run (`--oos-from`, `--oos-fraction`): its bars and its own
   * metrics, stored beside the in-sample ones (`run_oos_metrics`). The run's other fields then
   * describe the in-sample part.
   */
  readonly outOfSample?: OutOfSampleInput | undefined;
  /** The walk-forward group the run belongs to, and its role in it. */
  readonly walkForward?: WalkForwardLink | undefined;
}

/** The out-of-sample part of a run, as saved; see {@link BacktestInput.outOfSample}. */
export interface OutOfSampleInput {
  /** The out-of-sample bars: the first one is where the evaluation starts. */
  readonly bars: BarsFingerprint;
  /** Any or all of the metrics, keyed by column name; `null` (or left out) where undefined. */
  readonly metrics: Partial<Record<MetricName, number | null>>;
  /** When the out-of-sample account ran out of money, unix ms. */
  readonly outOfMoneyTimeMs?: number | null | undefined;
}

/** A run's place in a walk-forward group. */
export interface WalkForwardLink {
  /** The group id (`wf-YYYYMMDD-HHMMSS-xxxxxx`). */
  readonly id: string;
  /** `training`: a run of one window's grid; `stitched`: the stitched out-of-sample run. */
  readonly role: WalkForwardRole;
  /** For a training run, its window's index (0 is the first). */
  readonly window?: number | undefined;
}

/** What a run is to its walk-forward group. */
export const WalkForwardRole = { Training: 'training', Stitched: 'stitched' } as const;
export type WalkForwardRole = (typeof WalkForwardRole)[keyof typeof WalkForwardRole];

/** The out-of-sample row of one validated input, ready for `run_oos_metrics`. */
export interface PreparedOutOfSample {
  readonly fromMs: number;
  readonly toMs: number;
  readonly barsCount: number;
  readonly barsSha256: string;
  readonly outOfMoneyTimeMs: number | null;
  /** Every metric in catalog order, `null` where undefined. */
  readonly metrics: readonly (number | null)[];
}

/** The columns, equity blob and trades blob of one validated input, ready for the insert statements. */
export interface PreparedBacktest {
  readonly values: BacktestRowValues;
  readonly equity: PreparedEquity | undefined;
  /** Packed trades, or `undefined` when the input had no trade list. */
  readonly trades: PreparedTrades | undefined;
  /** The out-of-sample metrics row, or `undefined` when the run was not split. */
  readonly outOfSample?: PreparedOutOfSample | undefined;
  /** Packed period returns (little-endian float64), or `undefined` when the input had none. */
  readonly periodReturns?: PreparedPeriodReturns | undefined;
}

/** A run's period returns encoded for storage. */
export interface PreparedPeriodReturns {
  readonly count: number;
  readonly bytes: Buffer;
}

/** A trade list encoded for storage. */
export interface PreparedTrades {
  readonly count: number;
  readonly bytes: Buffer;
}

/** A downsampled equity curve encoded for `backtest_equity`. */
export interface PreparedEquity {
  readonly pointCount: number;
  readonly sourcePointCount: number;
  /** Little-endian float64 unix milliseconds. */
  readonly timeMs: Buffer;
  /** Little-endian float64 account currency. */
  readonly equity: Buffer;
  /** The last point of each calendar month of the full curve (for exact monthly returns). */
  readonly monthEndTimeMs: Buffer;
  readonly monthEndEquity: Buffer;
}

// Values past this are almost certainly milliseconds passed where seconds were meant (year 5138).
const MAX_UNIX_SECONDS = 1e11;
/** 2200-01-01T00:00:00Z: later times in seconds are not plausible for a backtest. */
const LATEST_UNIX_SECONDS = 7_258_118_400;
/**
 * Control characters (C0, DEL, C1): they can rewrite a terminal (escape sequences) or break a
 * line-based reader. Notes may hold tabs and line breaks; no other text may hold any.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const NOTES_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const shownCharacter = (text: string, pattern: RegExp): string => {
  const found = pattern.exec(text)?.[0] ?? '';
  return `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
};

const describe = (input: unknown): string =>
  input === undefined ? 'missing' : typeof input === 'number' ? String(input) : `a ${typeof input}`;

const text = z.custom<string>((v) => typeof v === 'string' && v.trim().length > 0 && !CONTROL.test(v), {
  error: (issue) =>
    typeof issue.input === 'string' && CONTROL.test(issue.input)
      ? `holds a control character (${shownCharacter(issue.input, CONTROL)}) in ${JSON.stringify(issue.input)}`
      : `must be a non-empty string, not ${issue.input === '' ? 'empty' : describe(issue.input)}`,
});

const notesText = z.custom<string>((v) => typeof v === 'string' && !NOTES_CONTROL.test(v), {
  error: (issue) =>
    typeof issue.input === 'string'
      ? `holds a control character (${shownCharacter(issue.input, NOTES_CONTROL)}); notes may hold tabs and line breaks only`
      : `must be a string, not ${describe(issue.input)}`,
});

const knownTimeframe = z.custom<string>((v) => typeof v === 'string' && canonicalTimeframe(v.trim()) !== undefined, {
  error: (issue) =>
    `is ${JSON.stringify(issue.input)}, not a timeframe: use NMin (1-59), NHour (1-23), 1Day, 1Week or NMonth (1, 2, 3, 4, 6, 12), or an alias such as 1h or 1d`,
});

const unixSeconds = z.custom<number>(
  (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= LATEST_UNIX_SECONDS,
  {
    error: (issue) =>
      typeof issue.input === 'number' && Math.abs(issue.input) >= MAX_UNIX_SECONDS
        ? `is ${issue.input}, which looks like milliseconds; pass whole unix seconds`
        : Number.isSafeInteger(issue.input)
          ? `is ${issue.input}, not a time between 1970 and 2200 in unix seconds`
          : `must be whole unix seconds (an integer), not ${describe(issue.input)}`,
  },
);

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

const finite = z.custom<number>(isFiniteNumber, {
  error: (issue) => `must be a finite number, not ${describe(issue.input)}`,
});

const metric = z.custom<number | null>((v) => v === null || (typeof v === 'number' && !Number.isNaN(v)), {
  error: (issue) =>
    Number.isNaN(issue.input)
      ? 'is NaN; store an undefined metric as null'
      : `must be a number or null, not ${describe(issue.input)}`,
});

const count = z.custom<number>(isCount, {
  error: (issue) => `must be a whole number of at least 0, not ${describe(issue.input)}`,
});

const wholeMs = z.custom<number>((v) => Number.isSafeInteger(v), {
  error: (issue) => `must be whole unix milliseconds, not ${describe(issue.input)}`,
});

const hex64 = z.custom<string>((v) => typeof v === 'string' && /^[0-9a-fA-F]{64}$/.test(v), {
  error: 'must be a SHA-256 digest: 64 hexadecimal digits',
});

const metricsSchema = z.strictObject(
  Object.fromEntries(
    METRIC_CATALOG.map((m) => [
      m.name,
      (m.name === 'total_trades' || m.name === 'returns_count' ? count.nullable() : metric).optional(),
    ]),
  ) as unknown as Record<MetricName, z.ZodOptional<z.ZodType<number | null>>>,
);

const paramValue = z.custom<ParamValue>(
  (v) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)),
  { error: 'must be a finite number, a boolean or a string' },
);

const equityCurveSchema = z
  .object({
    timeMs: z.instanceof(Float64Array),
    equity: z.instanceof(Float64Array),
    sourcePointCount: z.number().int().positive().optional(),
    monthEnds: z.object({ timeMs: z.instanceof(Float64Array), equity: z.instanceof(Float64Array) }).optional(),
  })
  .check((ctx) => {
    const { timeMs, equity } = ctx.value;
    if (timeMs.length !== equity.length) {
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        path: ['equity'],
        message: `has ${equity.length} values but timeMs has ${timeMs.length}; they must match`,
      });
      return;
    }
    for (let i = 0; i < timeMs.length; i++) {
      const t = timeMs[i] as number;
      if (!Number.isFinite(t) || (i > 0 && t <= (timeMs[i - 1] as number))) {
        ctx.issues.push({
          code: 'custom',
          input: t,
          path: ['timeMs', i],
          message: 'must be finite and strictly increasing',
        });
        return;
      }
      if (!Number.isFinite(equity[i] as number)) {
        ctx.issues.push({ code: 'custom', input: equity[i], path: ['equity', i], message: 'must be a finite number' });
        return;
      }
    }
  });

const tradeSchema = z.strictObject({
  side: z.enum(['long', 'short']),
  quantity: finite,
  entryIndex: count,
  exitIndex: count,
  entryTimeMs: finite,
  exitTimeMs: finite,
  entryPrice: finite,
  exitPrice: finite,
  pnl: finite,
  returnPct: finite,
  costs: finite,
});

/** The trade's fields in the engine's (and the schema's) order. */
const TRADE_KEY_LIST: readonly string[] = Object.keys(tradeSchema.shape);
const TRADE_KEYS: ReadonlySet<string> = new Set(TRADE_KEY_LIST);

/**
 * Performance: whether `z.array(tradeSchema)` accepts `trades`, checked in a plain loop with the
 * same predicates (zod took about 0.6 µs a trade: 60 µs of a 100-trade save, and 0.6 s of CPU
 * for a sweep of 1,000 runs × 1,000 trades). It answers true only for lists zod accepts (an array
 * of non-array objects whose enumerable keys are all trade fields, every field valid); for
 * anything else `prepareBacktest` runs the full schema, so error messages stay zod's. Keys are
 * compared with the expected one at their position first (the engine's order), then looked up.
 */
function tradesAreValid(trades: unknown): boolean {
  if (!Array.isArray(trades)) return false;
  for (let i = 0; i < trades.length; i++) {
    const trade: unknown = trades[i];
    if (typeof trade !== 'object' || trade === null || Array.isArray(trade)) return false;
    let k = 0;
    for (const key in trade) {
      if (key !== TRADE_KEY_LIST[k] && !TRADE_KEYS.has(key)) return false;
      k++;
    }
    const t = trade as Partial<Record<keyof Trade, unknown>>;
    if (
      (t.side !== 'long' && t.side !== 'short') ||
      !isFiniteNumber(t.quantity) ||
      !isCount(t.entryIndex) ||
      !isCount(t.exitIndex) ||
      !isFiniteNumber(t.entryTimeMs) ||
      !isFiniteNumber(t.exitTimeMs) ||
      !isFiniteNumber(t.entryPrice) ||
      !isFiniteNumber(t.exitPrice) ||
      !isFiniteNumber(t.pnl) ||
      !isFiniteNumber(t.returnPct) ||
      !isFiniteNumber(t.costs)
    ) {
      return false;
    }
  }
  return true;
}

const inputShape = {
  symbol: text,
  timeframe: knownTimeframe,
  modelPath: text.optional(),
  runTimestamp: unixSeconds.optional(),
  startDate: unixSeconds,
  endDate: unixSeconds,
  initialCapital: z.custom<number>((v) => typeof v === 'number' && Number.isFinite(v) && v > 0, {
    error: (issue) => `must be a finite number above 0, not ${describe(issue.input)}`,
  }),
  finalEquity: finite,
  totalReturn: finite,
  sharpeRatio: metric.optional(),
  maxDrawdown: metric.optional(),
  winRate: metric.optional(),
  profitFactor: metric.optional(),
  totalTrades: count.nullable().optional(),
  avgTradePnl: metric.optional(),
  config: z.custom<object>((v) => typeof v === 'object' && v !== null, { error: 'must be an object' }).optional(),
  configJson: z
    .custom<string>(
      (v) => {
        if (typeof v !== 'string') return false;
        try {
          JSON.parse(v);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be valid JSON text' },
    )
    .optional(),
  notes: notesText.optional(),
  metrics: metricsSchema.optional(),
  strategyName: text.optional(),
  strategyParams: z.record(z.string(), paramValue).optional(),
  modelSha256: hex64.optional(),
  bars: z.strictObject({ sha256: hex64, count, firstTimeMs: wholeMs, lastTimeMs: wholeMs }).optional(),
  packageVersion: text.optional(),
  sweepId: text.optional(),
  equityCurve: equityCurveSchema.optional(),
  trades: z.array(tradeSchema).optional(),
  periodReturns: z
    .instanceof(Float64Array)
    .refine((values) => values.every((r) => r >= -1 && r < Infinity), {
      error: 'must hold finite returns of at least -1 (a fraction: -1 is a total loss)',
    })
    .optional(),
  outOfMoneyTimeMs: wholeMs.nullable().optional(),
  strategyModule: z.strictObject({ path: text, sha256: hex64 }).optional(),
  uuid: z
    .custom<string>((v) => typeof v === 'string' && UUID_PATTERN.test(v), { error: 'must be a UUID (8-4-4-4-12 hex)' })
    .optional(),
  outOfSample: z
    .strictObject({
      bars: z.strictObject({
        sha256: hex64,
        count: count.refine((v) => v > 0, 'must be at least 1'),
        firstTimeMs: wholeMs,
        lastTimeMs: wholeMs,
      }),
      metrics: metricsSchema,
      outOfMoneyTimeMs: wholeMs.nullable().optional(),
    })
    .optional(),
  walkForward: z
    .strictObject({
      id: text,
      role: z.enum([WalkForwardRole.Training, WalkForwardRole.Stitched], {
        error: `must be "${WalkForwardRole.Training}" or "${WalkForwardRole.Stitched}"`,
      }),
      window: count.optional(),
    })
    .optional(),
};
const inputSchema = z.strictObject(inputShape);
/** {@link inputSchema} for an input whose trades {@link tradesAreValid} accepted already (or that has none). */
const inputSchemaTradesChecked = z.strictObject({ ...inputShape, trades: z.unknown().optional() });

/** The older tool's fields and the metric each one duplicates. */
const LEGACY_METRIC_FIELDS = [
  ['finalEquity', 'final_equity'],
  ['totalReturn', 'total_return'],
  ['sharpeRatio', 'sharpe_ratio'],
  ['maxDrawdown', 'max_drawdown'],
  ['winRate', 'win_rate'],
  ['profitFactor', 'profit_factor'],
  ['totalTrades', 'total_trades'],
  ['avgTradePnl', 'avg_trade_pnl'],
] as const satisfies readonly (readonly [keyof BacktestInput, MetricName])[];

/**
 * Validates one input and turns it into column values (and an encoded, downsampled equity
 * curve). Throws a {@link ConfigError} naming the field on the first problem.
 *
 * @example
 * const { values } = prepareBacktest(input, 'backtest result', () => 1_700_000_000);
 */
export function prepareBacktest(input: BacktestInput, label: string, now: () => number): PreparedBacktest {
  const trades = (input as { readonly trades?: unknown } | null | undefined)?.trades;
  const schema = trades === undefined || tradesAreValid(trades) ? inputSchemaTradesChecked : inputSchema;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` field ${issue.path.map(String).join('.')}`;
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new ConfigError(`cannot save ${label}:${where} ${issue?.message ?? 'is invalid'}${more}`);
  }
  if (input.config !== undefined && input.configJson !== undefined) {
    throw new ConfigError(`cannot save ${label}: give config or configJson, not both`);
  }
  if (input.endDate < input.startDate) {
    throw new ConfigError(`cannot save ${label}: endDate ${input.endDate} is before startDate ${input.startDate}`);
  }

  const metrics: Partial<Record<MetricName, number | null>> = { ...input.metrics };
  for (const [field, name] of LEGACY_METRIC_FIELDS) {
    const legacy = input[field];
    const modern = metrics[name];
    if (legacy !== undefined && modern !== undefined && !Object.is(legacy, modern)) {
      throw new ConfigError(
        `cannot save ${label}: ${field} is ${legacy} but metrics.${name} is ${modern}; give one value or equal values`,
      );
    }
    if (legacy !== undefined) metrics[name] = legacy;
  }
  const m = (name: MetricName): number | null => metrics[name] ?? null;

  const configJson =
    input.configJson ?? (input.config === undefined ? null : canonicalJson(input.config, `${label} config`));
  const values: BacktestRowValues = {
    symbol: input.symbol.trim().toUpperCase(),
    timeframe: input.timeframe.trim(),
    model_path: input.modelPath ?? null,
    run_timestamp: input.runTimestamp ?? now(),
    start_date: input.startDate,
    end_date: input.endDate,
    initial_capital: input.initialCapital,
    final_equity: input.finalEquity,
    total_return: input.totalReturn,
    sharpe_ratio: m('sharpe_ratio'),
    max_drawdown: m('max_drawdown'),
    win_rate: m('win_rate'),
    profit_factor: m('profit_factor'),
    total_trades: m('total_trades'),
    avg_trade_pnl: m('avg_trade_pnl'),
    config_json: configJson,
    notes: input.notes ?? null,
    cagr: m('cagr'),
    volatility: m('volatility'),
    sortino_ratio: m('sortino_ratio'),
    calmar_ratio: m('calmar_ratio'),
    max_drawdown_duration: m('max_drawdown_duration'),
    best_trade: m('best_trade'),
    worst_trade: m('worst_trade'),
    avg_trade_duration: m('avg_trade_duration'),
    exposure: m('exposure'),
    buy_and_hold_return: m('buy_and_hold_return'),
    expectancy: m('expectancy'),
    sqn: m('sqn'),
    strategy_name: input.strategyName ?? null,
    strategy_params_json:
      input.strategyParams === undefined ? null : canonicalJson(input.strategyParams, `${label} strategyParams`),
    model_sha256: input.modelSha256?.toLowerCase() ?? null,
    bars_sha256: input.bars?.sha256.toLowerCase() ?? null,
    bars_count: input.bars?.count ?? null,
    bars_first_time_ms: input.bars?.firstTimeMs ?? null,
    bars_last_time_ms: input.bars?.lastTimeMs ?? null,
    package_version: input.packageVersion ?? null,
    sweep_id: input.sweepId ?? null,
    config_hash: configJson === null ? null : sha256Hex(configJson),
    uuid: (input.uuid ?? newRunUuid()).toLowerCase(),
    out_of_money_time_ms: input.outOfMoneyTimeMs ?? null,
    strategy_module_path: input.strategyModule?.path ?? null,
    strategy_module_sha256: input.strategyModule?.sha256.toLowerCase() ?? null,
    returns_skewness: m('returns_skewness'),
    returns_kurtosis: m('returns_kurtosis'),
    returns_count: m('returns_count'),
    walk_forward_id: input.walkForward?.id ?? null,
    walk_forward_role: input.walkForward?.role ?? null,
    walk_forward_window: input.walkForward?.window ?? null,
  };
  return {
    values,
    outOfSample: prepareOutOfSample(input.outOfSample),
    equity: input.equityCurve === undefined ? undefined : prepareEquity(input.equityCurve),
    trades: input.trades === undefined ? undefined : { count: input.trades.length, bytes: encodeTrades(input.trades) },
    periodReturns:
      input.periodReturns === undefined
        ? undefined
        : { count: input.periodReturns.length, bytes: encodeFloat64(input.periodReturns) },
  };
}

function prepareOutOfSample(oos: OutOfSampleInput | undefined): PreparedOutOfSample | undefined {
  if (oos === undefined) return undefined;
  return {
    fromMs: oos.bars.firstTimeMs,
    toMs: oos.bars.lastTimeMs,
    barsCount: oos.bars.count,
    barsSha256: oos.bars.sha256.toLowerCase(),
    outOfMoneyTimeMs: oos.outOfMoneyTimeMs ?? null,
    metrics: METRIC_CATALOG.map(({ name }) => oos.metrics[name] ?? null),
  };
}

function prepareEquity(
  curve: EquityCurve & { readonly sourcePointCount?: number | undefined; readonly monthEnds?: EquityCurve | undefined },
): PreparedEquity | undefined {
  if (curve.timeMs.length === 0) return undefined;
  const small = downsampleEquity(curve);
  const monthEnds = curve.monthEnds ?? monthEndPoints(curve);
  return {
    pointCount: small.timeMs.length,
    sourcePointCount: Math.max(curve.sourcePointCount ?? 0, curve.timeMs.length),
    timeMs: encodeFloat64(small.timeMs),
    equity: encodeFloat64(small.equity),
    monthEndTimeMs: encodeFloat64(monthEnds.timeMs),
    monthEndEquity: encodeFloat64(monthEnds.equity),
  };
}

/** Reproducibility details the engine's result does not carry; see {@link backtestInputFromResult}. */
export interface BacktestInputExtras {
  readonly runTimestamp?: number | undefined;
  readonly modelPath?: string | undefined;
  readonly modelSha256?: string | undefined;
  readonly notes?: string | undefined;
  readonly packageVersion?: string | undefined;
  readonly sweepId?: string | undefined;
  readonly strategyModule?: { readonly path: string; readonly sha256: string } | undefined;
}

/**
 * Builds the save input for a finished run: every metric, the config and its strategy, the bars
 * fingerprint, the equity curve, the trades and when it ran out of money. `startDate`/`endDate` are the first and last bar times
 * rounded down to unix seconds.
 *
 * @example
 * const id = db.saveBacktestResult(backtestInputFromResult(result, { packageVersion: '0.1.0' }));
 */
export function backtestInputFromResult(result: BacktestResultData, extras: BacktestInputExtras = {}): BacktestInput {
  const { metrics, config, bars } = result;
  return {
    ...extras,
    symbol: result.symbol,
    timeframe: result.timeframe,
    startDate: Math.floor(bars.firstTimeMs / 1000),
    endDate: Math.floor(bars.lastTimeMs / 1000),
    initialCapital: config.initialCash,
    finalEquity: metrics.final_equity,
    totalReturn: metrics.total_return,
    config,
    metrics,
    strategyName: config.strategy.name,
    strategyParams: config.strategy.params,
    bars,
    equityCurve: result.equityCurve,
    trades: result.trades,
    outOfMoneyTimeMs: result.outOfMoney?.timeMs ?? null,
    ...(result.outOfSample === undefined
      ? {}
      : {
          outOfSample: {
            bars: result.outOfSample.bars,
            metrics: result.outOfSample.metrics,
            outOfMoneyTimeMs: result.outOfSample.outOfMoney?.timeMs ?? null,
          },
        }),
  };
}
