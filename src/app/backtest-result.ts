import type { BacktestConfig } from '../core/config.js';
import type {
  BacktestResultData,
  BarsFingerprint,
  EquityCurve,
  Metrics,
  ModelFingerprint,
  OutOfMoney,
  OutOfSampleData,
  Trade,
} from '../core/result.js';
import type { Timeframe } from '../core/timeframe.js';
import type { BacktestInput, RunStore } from '../store/index.js';

/** Where and how {@link BacktestResult.saveToDb} saves. */
export interface SaveToDbOptions {
  /**
   * An open store (`openStore`), an open `TradingDatabase`, or a file path; default:
   * `BACKTEST_DB` or `./data/trading.db`.
   */
  readonly db?: RunStore | { saveBacktestResult(input: BacktestInput): number } | string;
  /** Model file to record; defaults to the model the run used, if any. */
  readonly modelPath?: string;
  /** Overrides the timeframe recorded (defaults to the bars' timeframe). */
  readonly timeframe?: Timeframe;
  readonly notes?: string;
  /** Groups the run with the other runs of one parameter sweep. */
  readonly sweepId?: string;
}

/**
 * The outcome of one backtest: plain data plus `saveToDb`. The store module is imported only
 * when saving, so running a backtest never loads the database driver.
 *
 * @example
 * const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
 * const id = await result.saveToDb({ notes: 'baseline' });
 */
export class BacktestResult implements BacktestResultData {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly config: BacktestConfig;
  readonly equityCurve: EquityCurve;
  readonly trades: readonly Trade[];
  readonly skippedOrders: number;
  readonly outOfMoney: OutOfMoney | null;
  readonly metrics: Metrics;
  readonly model?: ModelFingerprint;
  readonly outOfSample?: OutOfSampleData;
  #bars: BarsFingerprint | (() => BarsFingerprint);

  /**
   * `bars` may be given as a function: hashing a million bars costs more than the backtest
   * itself, so it is done only when the fingerprint is first read (on save or JSON output).
   */
  constructor(data: Omit<BacktestResultData, 'bars'> & { bars: BarsFingerprint | (() => BarsFingerprint) }) {
    this.symbol = data.symbol;
    this.timeframe = data.timeframe;
    this.config = data.config;
    this.equityCurve = data.equityCurve;
    this.trades = data.trades;
    this.skippedOrders = data.skippedOrders;
    this.outOfMoney = data.outOfMoney;
    this.metrics = data.metrics;
    this.#bars = data.bars;
    if (data.model !== undefined) this.model = data.model;
    if (data.outOfSample !== undefined) this.outOfSample = data.outOfSample;
  }

  /** Identifies the exact bars the run used. */
  get bars(): BarsFingerprint {
    if (typeof this.#bars === 'function') this.#bars = this.#bars();
    return this.#bars;
  }

  /** Saves the summary (and a downsampled equity curve) and returns the new row id. */
  async saveToDb(options: SaveToDbOptions = {}): Promise<number> {
    const { saveResultToDb } = await import('./save-result.js');
    return saveResultToDb(this, options);
  }

  /**
   * Plain data for JSON output; the equity curve is left out unless asked for (it can be huge).
   * A split run's `metrics` are the in-sample part's; `oos_metrics` and `outOfSample` (its bars,
   * trades, skipped orders and out-of-money bar) describe the out-of-sample part.
   */
  toJSON(options: { includeEquityCurve?: boolean } = {}): Record<string, unknown> {
    const oos = this.outOfSample;
    return {
      symbol: this.symbol,
      timeframe: this.timeframe,
      config: this.config,
      ...(this.model === undefined ? {} : { model: this.model }),
      bars: this.bars,
      metrics: this.metrics,
      skippedOrders: this.skippedOrders,
      outOfMoney: this.outOfMoney,
      trades: this.trades,
      ...(options.includeEquityCurve === true ? { equityCurve: this.equityCurve } : {}),
      ...(oos === undefined
        ? {}
        : {
            oos_metrics: oos.metrics,
            outOfSample: {
              bars: oos.bars,
              skippedOrders: oos.skippedOrders,
              outOfMoney: oos.outOfMoney,
              trades: oos.trades,
              ...(options.includeEquityCurve === true ? { equityCurve: oos.equityCurve } : {}),
            },
          }),
    };
  }
}
