import type { BacktestResultData } from '../core/result.js';
import type { SaveBacktestInput } from '../store/index.js';
import { resolveDatabasePath, TradingDatabase } from '../store/index.js';
import type { SaveToDbOptions } from './backtest-result.js';
import { packageVersion } from './package-version.js';

/**
 * Maps a result onto the store's row: dates come from the first and last bar (unix seconds),
 * the summary metrics fill the original columns and everything else the added ones.
 */
export function toSaveInput(result: BacktestResultData, options: Omit<SaveToDbOptions, 'db'> = {}): SaveBacktestInput {
  const { metrics } = result;
  const modelPath = options.modelPath ?? result.model?.path;
  return {
    symbol: result.symbol,
    timeframe: options.timeframe ?? result.timeframe,
    ...(modelPath === undefined ? {} : { modelPath }),
    ...(result.model === undefined ? {} : { modelSha256: result.model.sha256 }),
    startDate: Math.floor(result.bars.firstTimeMs / 1000),
    endDate: Math.floor(result.bars.lastTimeMs / 1000),
    initialCapital: result.config.initialCash,
    finalEquity: metrics.final_equity,
    totalReturn: metrics.total_return,
    sharpeRatio: metrics.sharpe_ratio,
    maxDrawdown: metrics.max_drawdown,
    winRate: metrics.win_rate,
    profitFactor: metrics.profit_factor,
    totalTrades: metrics.total_trades,
    avgTradePnl: metrics.avg_trade_pnl,
    config: result.config,
    ...(options.notes === undefined ? {} : { notes: options.notes }),
    metrics,
    strategyName: result.config.strategy.name,
    strategyParams: result.config.strategy.params,
    bars: result.bars,
    packageVersion: packageVersion(),
    ...(options.sweepId === undefined ? {} : { sweepId: options.sweepId }),
    equityCurve: result.equityCurve,
  };
}

/** Saves one result, opening (and closing) the database when given a path or nothing. */
export function saveResultToDb(result: BacktestResultData, options: SaveToDbOptions = {}): number {
  const { db, ...rest } = options;
  if (db instanceof TradingDatabase) return db.saveBacktestResult(toSaveInput(result, rest));
  const opened = TradingDatabase.open(resolveDatabasePath(db));
  try {
    return opened.saveBacktestResult(toSaveInput(result, rest));
  } finally {
    opened.close();
  }
}
