import type { BarSeries } from '../../core/bars.js';
import { type AccountState, accountFeatureValue, computeFeatureSeries } from './feature-series.js';
import type { FeatureNorm, FeatureSpec } from './feature-spec.js';

/**
 * Builds observation rows from a list of feature specs. The bar features are computed once for
 * the whole series when this is constructed (one pass per feature, float64); {@link fill} then
 * lays out any bar's row, adding the state features from the account it is given. Values are
 * scaled, normalised and only then rounded to float32.
 *
 * Row layout: the specs in order; within a spec, its lags newest first (bar i, i−1, …), and
 * within a lag its values (sine before cosine). A row exists when every value in it is finite.
 *
 * @example
 * const rows = new ObservationRows(specs, bars);
 * const row = new Float32Array(rows.width);
 * rows.fill(100, { position: 0, equity: 1, cash: 1, entryPrice: Number.NaN, close: bars.close[100]! }, row, 0);
 */
export class ObservationRows {
  /** Columns per row. */
  readonly width: number;
  /** The first bar that can have a row: bars before it are in some feature's warm-up. */
  readonly firstRow: number;
  /** Whether any spec reads the account (position, P&L or cash). */
  readonly hasState: boolean;
  private readonly specs: readonly FeatureSpec[];
  /** Per spec, its series (bar features) or `undefined` (state features). */
  private readonly series: readonly (readonly Float64Array[] | undefined)[];
  private readonly length: number;

  constructor(specs: readonly FeatureSpec[], bars: BarSeries) {
    this.specs = specs;
    this.length = bars.length;
    this.width = specs.reduce((sum, spec) => sum + spec.width, 0);
    this.firstRow = specs.reduce((first, spec) => Math.max(first, spec.state ? 0 : spec.warmUp + spec.lags - 1), 0);
    this.hasState = specs.some((spec) => spec.state);
    this.series = specs.map((spec) => (spec.state ? undefined : computeFeatureSeries(spec, bars)));
  }

  /**
   * Writes the row of bar `bar` into `out` at `offset`. `account` supplies the state features
   * (it is not read when there are none). Returns whether the row exists; when it does not, the
   * row is zero-filled.
   */
  fill(bar: number, account: AccountState, out: Float32Array, offset: number): boolean {
    const width = this.width;
    if (bar < this.firstRow || bar >= this.length) {
      out.fill(0, offset, offset + width);
      return false;
    }
    let column = offset;
    for (let s = 0; s < this.specs.length; s++) {
      const spec = this.specs[s]!;
      const series = this.series[s];
      let value = 0;
      for (let lag = 0; lag < spec.lags; lag++) {
        for (let v = 0; v < spec.valuesPerBar; v++) {
          const raw =
            series === undefined ? accountFeatureValue(spec.feature as 'position', account) : series[v]![bar - lag]!;
          const normalised = normalise(raw * spec.scale, spec.norm, value);
          // Checked after normalisation would let clipping turn an infinite value into a real one.
          if (!Number.isFinite(raw * spec.scale) || !Number.isFinite(normalised)) {
            out.fill(0, offset, offset + width);
            return false;
          }
          out[column++] = normalised;
          value++;
        }
      }
    }
    return true;
  }
}

/** Applies a spec's normalisation to the scaled value of its `index`-th value. */
export function normalise(value: number, norm: FeatureNorm, index: number): number {
  switch (norm.kind) {
    case 'none':
      return value;
    case 'clip':
      return Math.min(Math.max(value, norm.min), norm.max);
    case 'zscore': {
      const z = (value - norm.mean[index]!) / norm.std[index]!;
      return norm.clip === undefined ? z : Math.min(Math.max(z, -norm.clip), norm.clip);
    }
  }
}
