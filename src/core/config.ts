import { z } from 'zod';
import { ConfigError } from './errors.js';
import type { ParamValue } from './strategy.js';

/** When an order decided on bar i is filled. */
export const FillTiming = {
  /** At bar i+1's open (default): the decision cannot use a price it could not have traded. */
  NextOpen: 'next-open',
  /** At bar i's close: for strategies that decide just before the close. */
  Close: 'close',
} as const;
export type FillTiming = (typeof FillTiming)[keyof typeof FillTiming];

/**
 * Every setting that changes a backtest's numbers. Plain JSON, so that a run is reproducible
 * from its config and its bars alone, and so that it can be stored beside the result.
 *
 * Money is a JavaScript double in account currency throughout; it is rounded only for display.
 */
export interface BacktestConfig {
  /** Which strategy ran, with every parameter after defaults were applied. */
  readonly strategy: {
    readonly name: string;
    readonly params: Readonly<Record<string, ParamValue>>;
    /** For a strategy loaded from a module file: that file's absolute path. */
    readonly module?: string;
  };
  /** Starting cash, account currency. */
  readonly initialCash: number;
  /** Commission as a fraction of traded value, charged on entry and on exit (0.001 = 0.1 %). */
  readonly commission: number;
  /** Fixed fee per order, account currency. */
  readonly fixedFee: number;
  /** Slippage against the trader, in basis points of the fill price (1 bp = 0.01 %). */
  readonly slippageBps: number;
  /** Fraction of equity committed to each new position, in (0, 1]. */
  readonly size: number;
  /** Allow fractional quantities; otherwise quantities are whole units rounded down. */
  readonly fractional: boolean;
  readonly fillAt: FillTiming;
  /** Annual risk-free rate as a fraction (0.02 = 2 %), used by Sharpe and Sortino. */
  readonly riskFreeRate: number;
}

/** Defaults for everything but the strategy. */
export const DEFAULT_CONFIG: Omit<BacktestConfig, 'strategy'> = {
  initialCash: 10_000,
  commission: 0,
  fixedFee: 0,
  slippageBps: 0,
  size: 1,
  fractional: false,
  fillAt: FillTiming.NextOpen,
  riskFreeRate: 0,
};

/** What callers may pass: the strategy plus any settings that differ from {@link DEFAULT_CONFIG}. */
export type BacktestConfigInput = Partial<Omit<BacktestConfig, 'strategy'>> & Pick<BacktestConfig, 'strategy'>;

const finite = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .refine(Number.isFinite, { message: `${name} must be a finite number` });

const configSchema = z.strictObject({
  strategy: z.strictObject({
    name: z.string().min(1, 'strategy.name must not be empty'),
    params: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
    module: z.string().min(1).optional(),
  }),
  initialCash: finite('initialCash').refine((v) => v > 0, 'initialCash must be greater than 0'),
  commission: finite('commission').refine(
    (v) => v >= 0 && v < 1,
    'commission is a fraction of traded value and must be in [0, 1), e.g. 0.001 for 0.1 %',
  ),
  fixedFee: finite('fixedFee').refine((v) => v >= 0, 'fixedFee must be 0 or more'),
  slippageBps: finite('slippageBps').refine(
    (v) => v >= 0 && v < 10_000,
    'slippageBps must be in [0, 10000) basis points',
  ),
  size: finite('size').refine((v) => v > 0 && v <= 1, 'size is a fraction of equity and must be in (0, 1]'),
  fractional: z.boolean({ error: 'fractional must be true or false' }),
  fillAt: z.enum([FillTiming.NextOpen, FillTiming.Close], { error: 'fillAt must be "next-open" or "close"' }),
  riskFreeRate: finite('riskFreeRate').refine(
    (v) => v > -1 && v < 1,
    'riskFreeRate is an annual fraction and must be in (-1, 1), e.g. 0.02 for 2 %',
  ),
});

/**
 * Fills in defaults and checks every setting, so the engine can trust its config.
 * Throws a {@link ConfigError} naming the first bad setting.
 *
 * @example
 * const config = resolveConfig({ strategy: { name: 'buy-and-hold', params: {} }, commission: 0.001 });
 */
export function resolveConfig(input: BacktestConfigInput): BacktestConfig {
  const parsed = configSchema.safeParse({ ...DEFAULT_CONFIG, ...input });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    const message = issue?.message ?? 'invalid config';
    throw new ConfigError(
      issue?.code === 'unrecognized_keys'
        ? `unknown config setting: ${message}`
        : message.includes(path)
          ? message
          : `${path}: ${message}`,
    );
  }
  const { strategy, ...settings } = parsed.data;
  const { module, ...named } = strategy;
  // zod marks an absent key as `module?: string | undefined`; rebuild without it under exactOptionalPropertyTypes.
  return { ...settings, strategy: module === undefined ? named : { ...named, module } };
}
