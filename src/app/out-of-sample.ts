/**
 * Out-of-sample evaluation: a run split at one bar into an in-sample part and an out-of-sample
 * part, each with its own full metric set.
 *
 * The rules (the README repeats them):
 * - The in-sample part is an ordinary run over the bars before the split: it never sees a later bar.
 * - The out-of-sample part starts flat with the initial cash at the first out-of-sample bar. Before
 *   it, the strategy is run over every preceding bar with its orders suppressed (a warm-up: its
 *   indicators are ready, and it sees no bar before that bar has closed), so its metrics equal
 *   those of a run started at that bar by a strategy that had been fed the preceding bars.
 * - Walk-forward test windows follow the same rule (`walk-forward/run-walk-forward.ts`).
 */
import type { BarSeries } from '../core/bars.js';
import { createBarSeries } from '../core/bars.js';
import type { BacktestConfig } from '../core/config.js';
import { ConfigError, UsageError } from '../core/errors.js';
import type { BarsFingerprint, OutOfSampleData, Trade } from '../core/result.js';
import type { Strategy } from '../core/strategy.js';
import { fingerprintBars } from '../data/index.js';
import { type EngineOutput, runEngine } from '../engine/run-engine.js';
import { computeMetrics } from '../metrics/index.js';
import { lowerBound } from '../store/bar-chunks.js';
import { formatTimeMs } from './format-values.js';

/**
 * Where a run is split: give one of the two.
 *
 * @example
 * const split: OutOfSampleSplit = { fraction: 0.3 }; // the last 30 % of the bars are out of sample
 */
export interface OutOfSampleSplit {
  /** The out-of-sample part starts at the first bar at or after this time, unix ms (`--oos-from`). */
  readonly fromMs?: number | undefined;
  /**
   * The out-of-sample part is the last `round(fraction × bars)` bars (`--oos-fraction`), a
   * number strictly between 0 and 1.
   */
  readonly fraction?: number | undefined;
}

/** True when the split asks for anything. */
export function isSplitSet(split: OutOfSampleSplit | undefined): split is OutOfSampleSplit {
  return split !== undefined && (split.fromMs !== undefined || split.fraction !== undefined);
}

/**
 * The index of the first out-of-sample bar. Both parts must hold at least one bar; a
 * `UsageError` says what the bars hold otherwise.
 *
 * @example
 * outOfSampleIndex(bars, { fraction: 0.3 }); // bars.length - Math.round(0.3 * bars.length)
 */
export function outOfSampleIndex(bars: BarSeries, split: OutOfSampleSplit): number {
  const n = bars.length;
  if (split.fromMs !== undefined && split.fraction !== undefined) {
    throw new UsageError('give --oos-from or --oos-fraction, not both');
  }
  let index: number;
  let asked: string;
  if (split.fraction !== undefined) {
    const f = split.fraction;
    if (!(Number.isFinite(f) && f > 0 && f < 1)) {
      throw new ConfigError(`--oos-fraction is ${f}; give a fraction of the bars strictly between 0 and 1, e.g. 0.3`);
    }
    // Rounded, not n × (1 − f) floored: 1 − 0.3 is 0.69999…, which would floor 7 to 6.
    index = n - Math.round(f * n);
    asked = `--oos-fraction ${f} of ${n} bar${n === 1 ? '' : 's'}`;
  } else if (split.fromMs !== undefined) {
    index = lowerBound(bars.timeMs, split.fromMs);
    asked = `--oos-from ${formatTimeMs(split.fromMs)}`;
  } else {
    throw new ConfigError('an out-of-sample split needs fromMs or fraction');
  }
  if (index <= 0 || index >= n) {
    const range =
      n === 0
        ? 'there are no bars'
        : `the bars run from ${formatTimeMs(bars.timeMs[0] as number)} to ${formatTimeMs(bars.timeMs[n - 1] as number)}`;
    const side = index <= 0 ? 'no in-sample bar before it' : 'no out-of-sample bar';
    throw new UsageError(`${asked} leaves ${side}: ${range}; both parts need at least one bar`);
  }
  return index;
}

/**
 * Bars `[start, end)` as a view sharing memory with `bars` (no copy): for evaluations that must
 * not see bars after `end`.
 */
export function viewBars(bars: BarSeries, start: number, end: number): BarSeries {
  if (start === 0 && end === bars.length) return bars;
  return createBarSeries(bars.symbol, bars.timeframe, {
    timeMs: bars.timeMs.subarray(start, end),
    open: bars.open.subarray(start, end),
    high: bars.high.subarray(start, end),
    low: bars.low.subarray(start, end),
    close: bars.close.subarray(start, end),
    volume: bars.volume.subarray(start, end),
  });
}

/**
 * Evaluates `strategy` on `bars` from bar `fromIndex` on: every bar before it is a warm-up with
 * orders suppressed, then it trades from flat with the initial cash; metrics cover
 * `[fromIndex, bars.length)` only. `strategy.prepare` (if any) sees `bars`, so pass only the
 * bars up to the end of the evaluation.
 *
 * @example
 * const oos = await evaluateFrom(bars, definition.create(params), config, outOfSampleIndex(bars, { fraction: 0.3 }));
 * oos.metrics.sharpe_ratio;
 */
export async function evaluateFrom(
  bars: BarSeries,
  strategy: Strategy,
  config: BacktestConfig,
  fromIndex: number,
  fingerprint?: BarsFingerprint,
): Promise<OutOfSampleData> {
  if (strategy.prepare !== undefined) await strategy.prepare(bars);
  const output = runEngine(bars, strategy, config, { tradeFromIndex: fromIndex });
  return outOfSampleFromOutput(bars, output, config, fromIndex, fingerprint);
}

/**
 * The evaluation span `[fromIndex, end)` of an engine run made with `tradeFromIndex: fromIndex`:
 * its curve, its trades and out-of-money bar re-indexed from `fromIndex`, and its metrics.
 */
export function outOfSampleFromOutput(
  bars: BarSeries,
  output: EngineOutput,
  config: BacktestConfig,
  fromIndex: number,
  fingerprint?: BarsFingerprint,
): OutOfSampleData {
  const n = bars.length;
  const timeMs = bars.timeMs.subarray(fromIndex, n);
  const equity = output.equity.subarray(fromIndex, n);
  const trades: Trade[] = output.trades.map((t) => ({
    ...t,
    entryIndex: t.entryIndex - fromIndex,
    exitIndex: t.exitIndex - fromIndex,
  }));
  const metrics = computeMetrics({
    timeMs,
    equity,
    trades,
    initialCash: config.initialCash,
    barsInMarket: output.barsInMarket,
    firstClose: bars.close[fromIndex] as number,
    lastClose: bars.close[n - 1] as number,
    riskFreeRate: config.riskFreeRate,
  });
  return {
    equityCurve: { timeMs, equity },
    trades,
    skippedOrders: output.skippedOrders,
    outOfMoney:
      output.outOfMoney === null
        ? null
        : { timeMs: output.outOfMoney.timeMs, barIndex: output.outOfMoney.barIndex - fromIndex },
    metrics,
    bars: fingerprint ?? fingerprintBars(viewBars(bars, fromIndex, n)),
  };
}
