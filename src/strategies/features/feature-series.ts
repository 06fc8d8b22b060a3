/**
 * Computes each catalogued bar feature over a whole series in one pass, in float64.
 *
 * Numeric traps: a value that cannot be computed (warm-up, division by a zero price) is NaN or
 * ±Infinity here, and the observation builder treats a row holding one as "no observation"
 * rather than feeding it to a model. Rolling standard deviations are computed two-pass per
 * window (mean first, then squared deviations), O(n × window), because the one-pass
 * sum-of-squares formula loses every digit on volumes in the millions. Moving sums slide
 * (add the new value, then subtract the one leaving). `scripts/backtest_features.py` repeats
 * every operation in the same order, so both give the same doubles, apart from the last bit of
 * `log`, `sin` and `cos`, which come from different maths libraries.
 */
import type { BarSeries } from '../../core/bars.js';
import { StrategyError } from '../../core/errors.js';
import { WilderRsi } from '../wilder-rsi.js';
import type { FeatureSpec } from './feature-spec.js';

const DAY_MS = 86_400_000;
const TWO_PI = 2 * Math.PI;

/**
 * The raw values (before `scale` and normalisation) of a bar feature for every bar:
 * `valuesPerBar` arrays of `bars.length` values; NaN where the feature does not exist yet.
 * Value `i` uses bars `0..i` only.
 *
 * @throws StrategyError for a state feature, which has no series (see `accountFeatureValue`)
 *
 * @example
 * const [rsi] = computeFeatureSeries(featureSpec({ feature: 'rsi', window: 14 }), bars);
 */
export function computeFeatureSeries(spec: FeatureSpec, bars: BarSeries): Float64Array[] {
  const n = bars.length;
  const window = spec.window ?? 1;
  const out = new Float64Array(n).fill(Number.NaN);
  switch (spec.feature) {
    case 'return': {
      const x = bars[spec.column ?? 'close'];
      for (let i = window; i < n; i++) out[i] = x[i]! / x[i - window]! - 1;
      return [out];
    }
    case 'log_return': {
      const x = bars[spec.column ?? 'close'];
      for (let i = window; i < n; i++) out[i] = Math.log(x[i]! / x[i - window]!);
      return [out];
    }
    case 'relative_to_close': {
      const x = bars[spec.column ?? 'open'];
      const close = bars.close;
      for (let i = 0; i < n; i++) out[i] = x[i]! / close[i]! - 1;
      return [out];
    }
    case 'volume':
      out.set(bars.volume);
      return [out];
    case 'volume_zscore': {
      const v = bars.volume;
      for (let i = window - 1; i < n; i++) {
        const { mean, std } = windowMeanStd(v, i - window + 1, i + 1);
        out[i] = std === 0 ? 0 : (v[i]! - mean) / std;
      }
      return [out];
    }
    case 'sma_ratio': {
      const close = bars.close;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += close[i]!;
        if (i >= window) sum -= close[i - window]!;
        if (i >= window - 1) out[i] = close[i]! / (sum / window) - 1;
      }
      return [out];
    }
    case 'ema_ratio': {
      const close = bars.close;
      const alpha = 2 / (window + 1);
      let sum = 0;
      let ema = Number.NaN;
      for (let i = 0; i < n; i++) {
        const x = close[i]!;
        if (i < window) {
          sum += x;
          if (i < window - 1) continue;
          ema = sum / window;
        } else {
          ema = ema + alpha * (x - ema);
        }
        out[i] = x / ema - 1;
      }
      return [out];
    }
    case 'rsi': {
      const rsi = new WilderRsi(window);
      const close = bars.close;
      for (let i = 0; i < n; i++) out[i] = rsi.push(close[i]!);
      return [out];
    }
    case 'atr_pct': {
      const { high, low, close } = bars;
      let sum = 0;
      let atr = Number.NaN;
      for (let i = 1; i < n; i++) {
        const previous = close[i - 1]!;
        const tr = Math.max(high[i]! - low[i]!, Math.abs(high[i]! - previous), Math.abs(low[i]! - previous));
        if (i <= window) {
          sum += tr;
          if (i < window) continue;
          atr = sum / window;
        } else {
          atr = (atr * (window - 1) + tr) / window;
        }
        out[i] = (atr / close[i]!) * 100;
      }
      return [out];
    }
    case 'volatility': {
      const close = bars.close;
      const returns = new Float64Array(n).fill(Number.NaN);
      for (let i = 1; i < n; i++) returns[i] = close[i]! / close[i - 1]! - 1;
      for (let i = window; i < n; i++) out[i] = windowMeanStd(returns, i - window + 1, i + 1).std;
      return [out];
    }
    case 'time_of_day': {
      const cos = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t = bars.timeMs[i]!;
        const angle = (TWO_PI * (((t % DAY_MS) + DAY_MS) % DAY_MS)) / DAY_MS;
        out[i] = Math.sin(angle);
        cos[i] = Math.cos(angle);
      }
      return [out, cos];
    }
    case 'day_of_week': {
      const cos = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // 1970-01-01 was a Thursday, weekday 3 when Monday is 0.
        const weekday = (((Math.floor(bars.timeMs[i]! / DAY_MS) + 3) % 7) + 7) % 7;
        const angle = (TWO_PI * weekday) / 7;
        out[i] = Math.sin(angle);
        cos[i] = Math.cos(angle);
      }
      return [out, cos];
    }
    case 'position':
    case 'unrealized_pnl_pct':
    case 'cash_fraction':
      throw new StrategyError(`${spec.feature} is a state feature: it is computed as the engine steps, not per series`);
  }
}

/** Mean and sample standard deviation (n − 1) of `x[start..end)`, two-pass. */
function windowMeanStd(x: Float64Array, start: number, end: number): { mean: number; std: number } {
  const count = end - start;
  let sum = 0;
  for (let j = start; j < end; j++) sum += x[j]!;
  const mean = sum / count;
  let squares = 0;
  for (let j = start; j < end; j++) {
    const d = x[j]! - mean;
    squares += d * d;
  }
  return { mean, std: Math.sqrt(squares / (count - 1)) };
}

/**
 * The account the engine holds at a bar's close, as state features read it.
 *
 * @example
 * const account: AccountState = { position: 1, equity: 10_250, cash: 180, entryPrice: 101.2, close: 103.4 };
 */
export interface AccountState {
  /** −1 short, 0 flat, 1 long. */
  readonly position: -1 | 0 | 1;
  /** Cash plus the open position marked at `close`, account currency. */
  readonly equity: number;
  /** Cash, account currency (a short's sale proceeds included). */
  readonly cash: number;
  /** Fill price of the open position's entry, slippage included; ignored while flat. */
  readonly entryPrice: number;
  /** The bar's close. */
  readonly close: number;
}

/**
 * The raw value (before `scale` and normalisation) of a state feature:
 * `position`; `unrealized_pnl_pct = position × (close / entryPrice − 1) × 100`, 0 while flat;
 * `cash_fraction = cash / equity`.
 *
 * @example
 * accountFeatureValue('unrealized_pnl_pct', { position: 1, equity: 1, cash: 0, entryPrice: 100, close: 103 }); // 3 (up to rounding)
 */
export function accountFeatureValue(
  feature: 'position' | 'unrealized_pnl_pct' | 'cash_fraction',
  account: AccountState,
): number {
  switch (feature) {
    case 'position':
      return account.position;
    case 'unrealized_pnl_pct':
      return account.position === 0 ? 0 : account.position * (account.close / account.entryPrice - 1) * 100;
    case 'cash_fraction':
      return account.cash / account.equity;
  }
}
