/**
 * A database of real backtests for the dashboard's tests: runs on the bundled GOOG (daily) and
 * EURUSD (hourly) bars, including a 3 × 3 sma-cross sweep, all saved through the store's API.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BacktestResult } from '../app/backtest-result.js';
import { runBacktest } from '../app/run-backtest.js';
import { toSaveInput } from '../app/save-result.js';
import type { BarSeries } from '../core/bars.js';
import { loadBarsCsv } from '../data/index.js';
import { TradingDatabase } from '../store/sqlite/index.js';

/** The bundled bar files. */
export const GOOG_CSV = fileURLToPath(new URL('../../data/bars/GOOG.csv', import.meta.url));
export const EURUSD_CSV = fileURLToPath(new URL('../../data/bars/EURUSD.csv', import.meta.url));

/** The sweep id of the sample sma-cross grid. */
export const SAMPLE_SWEEP_ID = 'goog-sma-grid';
/** The notes of one sample run: markup that must never become markup. */
export const HOSTILE_NOTES = 'rsi baseline </script><b id="injected">bold</b> & <!-- done';

/** What {@link createSampleDatabase} saved. */
export interface SampleDatabase {
  readonly path: string;
  /** Ids of the nine sweep runs, in (fast, slow) order: fast 5, 10, 20 × slow 30, 50, 100. */
  readonly sweepIds: readonly number[];
  readonly googBuyAndHoldId: number;
  readonly googRsiId: number;
  readonly eurusdIds: readonly number[];
  /** Every id saved, ascending. */
  readonly allIds: readonly number[];
}

/** The GOOG daily bars. */
export function loadGoog(): BarSeries {
  return loadBarsCsv(GOOG_CSV, { symbol: 'GOOG', timeframe: '1Day' });
}

/** The EURUSD hourly bars. */
export function loadEurusd(): BarSeries {
  return loadBarsCsv(EURUSD_CSV, { symbol: 'EURUSD', timeframe: '1Hour' });
}

/** The sample sweep's parameter grid. */
export const SWEEP_FAST = [5, 10, 20] as const;
export const SWEEP_SLOW = [30, 50, 100] as const;

/**
 * Runs the sample backtests and saves them into a new database file in `dir`.
 *
 * @example
 * const sample = await createSampleDatabase(await mkdtemp(join(tmpdir(), 'ui-')));
 */
export async function createSampleDatabase(dir: string): Promise<SampleDatabase> {
  const goog = loadGoog();
  const eurusd = loadEurusd();
  const sweep: BacktestResult[] = [];
  for (const fast of SWEEP_FAST) {
    for (const slow of SWEEP_SLOW) {
      sweep.push(await runBacktest({ bars: goog, strategy: 'sma-cross', params: { fast, slow } }));
    }
  }
  const buyAndHold = await runBacktest({ bars: goog, strategy: 'buy-and-hold' });
  const rsi = await runBacktest({ bars: goog, strategy: 'rsi', config: { commission: 0.001 } });
  const eurusdRuns = [
    await runBacktest({
      bars: eurusd,
      strategy: 'sma-cross',
      params: { fast: 10, slow: 30 },
      config: { fractional: true },
    }),
    await runBacktest({ bars: eurusd, strategy: 'rsi', params: { period: 7 }, config: { fractional: true } }),
  ];

  const path = join(dir, 'runs.db');
  const db = TradingDatabase.open(path);
  try {
    const sweepIds = db.saveBacktestResults(sweep.map((r) => toSaveInput(r, { sweepId: SAMPLE_SWEEP_ID })));
    const googBuyAndHoldId = db.saveBacktestResult(toSaveInput(buyAndHold, { notes: 'benchmark' }));
    const googRsiId = db.saveBacktestResult(toSaveInput(rsi, { notes: HOSTILE_NOTES }));
    const eurusdIds = db.saveBacktestResults(eurusdRuns.map((r) => toSaveInput(r)));
    const allIds = [...sweepIds, googBuyAndHoldId, googRsiId, ...eurusdIds].sort((a, b) => a - b);
    return { path, sweepIds, googBuyAndHoldId, googRsiId, eurusdIds, allIds };
  } finally {
    db.close();
  }
}
