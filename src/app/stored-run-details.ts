import type { BarSeries } from '../core/bars.js';
import type { Trade } from '../core/result.js';
import { canonicalTimeframe } from '../core/timeframe.js';
import { fingerprintBars } from '../data/index.js';
import type { BacktestRow, RunStore, StoredEquityCurve } from '../store/index.js';

/** Everything stored about one run, for its report and its dashboard page. */
export interface StoredRunDetails {
  readonly row: BacktestRow;
  /** The downsampled curve (and month ends), when stored. */
  readonly curve: StoredEquityCurve | undefined;
  /** The trade list, when stored (runs other programs wrote have none). */
  readonly trades: readonly Trade[] | undefined;
  /**
   * The exact bars the run used, when the bar store still holds them: found by symbol,
   * timeframe and time range, and accepted only when their SHA-256 is the run's.
   */
  readonly bars: BarSeries | undefined;
}

/**
 * Loads a stored run with its curve, trades and, when the bar store has them unchanged, its bars.
 *
 * @example
 * const details = await loadStoredRunDetails(store, 12);
 * if (details.bars !== undefined) console.log('price chart available');
 */
export async function loadStoredRunDetails(store: RunStore, id: number): Promise<StoredRunDetails> {
  const row = await store.getRun(id);
  const [curve, trades, bars] = await Promise.all([store.equityCurve(id), store.trades(id), matchingBars(store, row)]);
  return { row, curve, trades, bars };
}

async function matchingBars(store: RunStore, row: BacktestRow): Promise<BarSeries | undefined> {
  const timeframe = canonicalTimeframe(row.timeframe);
  if (row.bars_sha256 === null || row.bars_first_time_ms === null || row.bars_last_time_ms === null) return undefined;
  if (timeframe === undefined) return undefined;
  const bars = await store.loadBars(row.symbol, timeframe, {
    fromMs: row.bars_first_time_ms,
    toMs: row.bars_last_time_ms,
  });
  if (bars === undefined || bars.length !== row.bars_count) return undefined;
  return fingerprintBars(bars).sha256 === row.bars_sha256 ? bars : undefined;
}
