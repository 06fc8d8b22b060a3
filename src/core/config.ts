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
