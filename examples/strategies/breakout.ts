/**
 * The README's example strategy: a channel breakout. Long when the close rises above the highest
 * close of the previous `lookback` bars, flat when it falls below the lowest.
 *
 * Run it with `backtest run --data data/bars/GOOG.csv --strategy examples/strategies/breakout.ts --param lookback=50`.
 */
import type { StrategyDefinition } from 'backtest-ledger';

const strategy: StrategyDefinition = {
  name: 'breakout',
  description: 'Long above the highest close of the last N bars, flat below the lowest',
  params: [{ name: 'lookback', type: 'integer', default: 20, min: 2, description: 'bars in the channel' }],
  create(params) {
    const lookback = params.lookback as number;
    return {
      onBar({ index, bars }) {
        if (index < lookback) return undefined;
        let high = -Infinity;
        let low = Infinity;
        for (let k = index - lookback; k < index; k++) {
          high = Math.max(high, bars.close[k]!);
          low = Math.min(low, bars.close[k]!);
        }
        const close = bars.close[index]!;
        return close > high ? 1 : close < low ? 0 : undefined; // 1 long, -1 short, 0 flat, undefined keep
      },
    };
  },
};
export default strategy;
