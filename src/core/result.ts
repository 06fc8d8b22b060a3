import type { BacktestConfig } from './config.js';
import type { Timeframe } from './timeframe.js';

/** Direction of a closed trade. */
export const TradeSide = { Long: 'long', Short: 'short' } as const;
export type TradeSide = (typeof TradeSide)[keyof typeof TradeSide];

/** One round trip: an entry and the exit that closed it. */
export interface Trade {
  readonly side: TradeSide;
  /** Units traded (shares, contracts, coins), always positive. */
  readonly quantity: number;
  /** Index of the bar on which the entry filled. */
  readonly entryIndex: number;
  /** Index of the bar on which the exit filled. */
  readonly exitIndex: number;
  /** Entry fill time, unix epoch milliseconds (the bar's time). */
  readonly entryTimeMs: number;
  /** Exit fill time, unix epoch milliseconds (the bar's time). */
  readonly exitTimeMs: number;
  /** Entry fill price, slippage included. */
  readonly entryPrice: number;
  /** Exit fill price, slippage included. */
  readonly exitPrice: number;
  /** Profit or loss in account currency, net of commissions and fees on both sides. */
  readonly pnl: number;
  /** `pnl` as a percentage of the entry value (`quantity * entryPrice`). */
  readonly returnPct: number;
  /** Commissions and fixed fees paid on entry and exit, account currency (slippage is in the prices). */
  readonly costs: number;
}

/** Equity at each bar's close. */
export interface EquityCurve {
  /** Bar time, unix epoch milliseconds. */
  readonly timeMs: Float64Array;
  /** Cash plus the marked value of the open position, account currency. */
  readonly equity: Float64Array;
}

/**
 * Summary statistics of a run, keyed by the names the database stores them under.
 * `null` means undefined (no trades, zero variance, too little data); `Infinity` appears only
 * where it is the mathematical answer (profit factor with no losing trade, and so on).
 */
export interface Metrics {
  /** Final over initial equity, minus one, in percent. */
  readonly total_return: number;
  /** Equity after the last bar, account currency. */
  readonly final_equity: number;
  /** Compound annual growth rate, percent per year. */
  readonly cagr: number | null;
  /** Standard deviation of per-bar returns, annualized, percent. */
  readonly volatility: number | null;
  /** Annualized Sharpe ratio of per-bar returns. */
  readonly sharpe_ratio: number | null;
  /** Annualized Sortino ratio of per-bar returns. */
  readonly sortino_ratio: number | null;
  /** CAGR over the absolute maximum drawdown. */
  readonly calmar_ratio: number | null;
  /** Deepest fall from a running peak, percent, negative or zero. */
  readonly max_drawdown: number;
  /** Longest time spent below a previous peak, in bars. */
  readonly max_drawdown_duration: number;
  /** Share of closed trades with positive P&L, percent. */
  readonly win_rate: number | null;
  /** Gross profit over gross loss, in money. */
  readonly profit_factor: number | null;
  /** Number of closed trades. */
  readonly total_trades: number;
  /** Mean trade P&L, account currency. */
  readonly avg_trade_pnl: number | null;
  /** Highest trade return, percent. */
  readonly best_trade: number | null;
  /** Lowest trade return, percent. */
  readonly worst_trade: number | null;
  /** Mean trade length from entry fill to exit fill, in bars. */
  readonly avg_trade_duration: number | null;
  /** Share of bars that closed with a position open, percent. */
  readonly exposure: number;
  /** Last close over first close, minus one, percent. */
  readonly buy_and_hold_return: number | null;
  /** Mean trade return, percent per trade. */
  readonly expectancy: number | null;
  /** System Quality Number: sqrt(trades) * mean P&L / standard deviation of P&L. */
  readonly sqn: number | null;
  /**
   * Skewness of per-bar returns: population moments m₃ / m₂^(3/2), as the probabilistic and
   * deflated Sharpe ratios use; `null` with fewer than 2 returns, no variance or undefined returns.
   */
  readonly returns_skewness: number | null;
  /** Kurtosis of per-bar returns, not excess (3 for normal returns): m₄ / m₂²; `null` as skewness. */
  readonly returns_kurtosis: number | null;
  /** Number of per-bar returns: bars − 1. */
  readonly returns_count: number;
}

/** Identifies the exact bars a run used, so a result can be traced back to its data. */
export interface BarsFingerprint {
  /** SHA-256 of the bars' columns, hex. */
  readonly sha256: string;
  readonly count: number;
  /** First bar time, unix epoch milliseconds. */
  readonly firstTimeMs: number;
  /** Last bar time, unix epoch milliseconds. */
  readonly lastTimeMs: number;
}

/**
 * Where a run ran out of money: the equity marked at that bar's close was at or below zero, so
 * every position was closed at that close, equity is 0 from that bar on and no order followed.
 *
 * @example
 * if (result.outOfMoney !== null) console.warn(`out of money on bar ${result.outOfMoney.barIndex}`);
 */
export interface OutOfMoney {
  /** Bar time, unix ms, of the close at which equity reached zero. */
  readonly timeMs: number;
  /** Index of that bar. */
  readonly barIndex: number;
}

/** What one backtest produced: plain data, serializable to JSON. */
export interface BacktestResultData {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly config: BacktestConfig;
  readonly equityCurve: EquityCurve;
  readonly trades: readonly Trade[];
  /** Orders the strategy asked for that could not be afforded (quantity would be below one unit). */
  readonly skippedOrders: number;
  /** The bar at whose close the account ran out of money, or `null` when it never did. */
  readonly outOfMoney: OutOfMoney | null;
  readonly metrics: Metrics;
  readonly bars: BarsFingerprint;
  /** The model file behind the run, when the strategy is a model policy. */
  readonly model?: ModelFingerprint;
  /**
   * For a run split in two (`--oos-from`, `--oos-fraction`): the out-of-sample part, evaluated
   * on its own. Everything else in the result (metrics, curve, trades, bars) is then the
   * in-sample part's.
   */
  readonly outOfSample?: OutOfSampleData;
}

/**
 * The out-of-sample evaluation of a run: it starts flat with the initial cash at the first
 * out-of-sample bar, after a warm-up over every preceding bar in which the strategy sees each bar
 * but its orders are suppressed, and has its own full metric set. Bar indices (trades,
 * out of money) count from the first out-of-sample bar.
 */
export interface OutOfSampleData {
  /** Equity at each out-of-sample bar's close, from the initial cash. */
  readonly equityCurve: EquityCurve;
  readonly trades: readonly Trade[];
  readonly skippedOrders: number;
  readonly outOfMoney: OutOfMoney | null;
  readonly metrics: Metrics;
  /** The out-of-sample bars (the first one is where the evaluation starts). */
  readonly bars: BarsFingerprint;
}

/** Identifies the model file a run used. */
export interface ModelFingerprint {
  /** Path as the user gave it. */
  readonly path: string;
  /** SHA-256 of the file's bytes, hex. */
  readonly sha256: string;
}
