import { describe, expect, it } from 'vitest';
import { createBarSeries } from '../../core/bars.js';
import type { AccountState } from './feature-series.js';
import { parseFeatureSpecs } from './feature-spec.js';
import { ObservationRows } from './observation-rows.js';

const closes = [100, 110, 99, 99, 101];
const bars = createBarSeries('T', '1Day', {
  timeMs: Float64Array.from(closes, (_, i) => Date.UTC(2024, 0, 1) + i * 86_400_000),
  open: Float64Array.from(closes),
  high: Float64Array.from(closes),
  low: Float64Array.from(closes),
  close: Float64Array.from(closes),
  volume: Float64Array.from(closes, () => 1),
});
const flat: AccountState = { position: 0, equity: 1, cash: 1, entryPrice: Number.NaN, close: Number.NaN };

function row(specs: string, bar: number, account: AccountState = flat): number[] | undefined {
  const rows = new ObservationRows(parseFeatureSpecs(specs, 'm.onnx'), bars);
  const out = new Float32Array(rows.width).fill(7);
  if (rows.fill(bar, account, out, 0)) return Array.from(out);
  // A bar without a row is zero-filled, never left with stale values.
  expect(Array.from(out).every((v) => v === 0)).toBe(true);
  return undefined;
}

describe('ObservationRows', () => {
  it('lays out specs in order, lags newest first, scaled, then rounded to float32', () => {
    const specs = '[{"feature":"return","lags":2,"scale":100},{"feature":"position"}]';
    // bar 3: returns (×100) r3 = 0, r2 = −10; position −1.
    expect(row(specs, 3, { ...flat, position: -1 })).toEqual([0, Math.fround(-10), -1]);
    expect(new ObservationRows(parseFeatureSpecs(specs, 'm'), bars).firstRow).toBe(2);
    expect(row(specs, 1)).toBeUndefined();
  });

  it('puts sine before cosine within each lag', () => {
    const r = row('[{"feature":"day_of_week","lags":2}]', 1)!; // bar 1 Tuesday, bar 0 Monday
    expect(r.map((v) => Math.round(v * 1e6) / 1e6)).toEqual(
      [Math.sin((2 * Math.PI) / 7), Math.cos((2 * Math.PI) / 7), 0, 1].map(
        (v) => Math.round(Math.fround(v) * 1e6) / 1e6,
      ),
    );
  });

  it('normalises after scaling: z-score per value with optional clip, or clip', () => {
    const z = '[{"feature":"return","lags":2,"scale":100,"norm":{"kind":"zscore","mean":[1,2],"std":[2,4],"clip":2}}]';
    // bar 2: r2 = −10 → (−10 − 1)/2 = −5.5 → clipped to −2; r1 = 10 → (10 − 2)/4 = 2.
    expect(row(z, 2)).toEqual([-2, 2]);
    const clip = '[{"feature":"return","scale":100,"norm":{"kind":"clip","min":-3,"max":3}}]';
    expect(row(clip, 1)).toEqual([3]);
  });

  it('state features: P&L from the entry price, cash over equity', () => {
    const specs = '[{"feature":"unrealized_pnl_pct"},{"feature":"cash_fraction"}]';
    expect(row(specs, 0, { position: 1, equity: 1000, cash: 250, entryPrice: 98, close: 99 })).toEqual([
      Math.fround((99 / 98 - 1) * 100),
      0.25,
    ]);
  });

  it('has no row when a value is not finite, even if clipping would hide it', () => {
    const zero = createBarSeries('T', '1Day', { ...bars, close: Float64Array.from([1, 0, 1, 1, 1]) });
    const rows = new ObservationRows(
      parseFeatureSpecs('[{"feature":"return","norm":{"kind":"clip","min":-1,"max":1}}]', 'm'),
      zero,
    );
    const out = new Float32Array(1);
    expect(rows.fill(1, flat, out, 0)).toBe(true); // −1
    expect(rows.fill(2, flat, out, 0)).toBe(false); // 1/0 − 1 = ∞
    const cash = new ObservationRows(parseFeatureSpecs('[{"feature":"cash_fraction"}]', 'm'), bars);
    expect(cash.fill(2, { ...flat, equity: 0 }, out, 0)).toBe(false);
  });
});
