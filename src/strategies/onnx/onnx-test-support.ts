/**
 * Helpers shared by this folder's tests: tiny bar series and an independent TypeScript forward
 * pass of the networks {@link writeOnnxModel} builds. Not part of the public API.
 */
import { type BarSeries, createBarSeries } from '../../core/bars.js';
import type { Direction } from '../../core/strategy.js';
import type { Timeframe } from '../../core/timeframe.js';
import type { OnnxModelSpec } from './write-onnx-model.js';

/**
 * A bar series whose open, high, low and close all equal `close`, one hour apart.
 *
 * @example
 * const bars = barsFromCloses([100, 101, 102]);
 */
export function barsFromCloses(close: readonly number[], symbol = 'TEST', timeframe: Timeframe = '1Hour'): BarSeries {
  const closes = Float64Array.from(close);
  return createBarSeries(symbol, timeframe, {
    timeMs: Float64Array.from(closes, (_, i) => 1_700_000_000_000 + i * 3_600_000),
    open: closes.slice(),
    high: closes.slice(),
    low: closes.slice(),
    close: closes,
    volume: new Float64Array(closes.length).fill(1000),
  });
}

/**
 * A seeded generator of numbers in [0, 1) (mulberry32: small, and good enough for test data).
 *
 * @example
 * const random = createRandom(7); random(); // same sequence on every run
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded random walk of closes starting at 100, steps up to ±`stepPct` percent.
 *
 * @example
 * randomWalk(1000, 42); // same 1000 closes on every run
 */
export function randomWalk(length: number, seed: number, stepPct = 2): number[] {
  const random = createRandom(seed);
  const closes = [100];
  for (let i = 1; i < length; i++) closes.push(closes[i - 1]! * (1 + ((random() * 2 - 1) * stepPct) / 100));
  return closes;
}

/**
 * Seeded weights and biases in [−1, 1) for a network with the given widths (input first).
 *
 * @example
 * randomLayers([16, 8, 3], 1); // two layers: 8×16 and 3×8
 */
export function randomLayers(widths: readonly number[], seed: number): OnnxModelSpec['layers'] {
  const random = createRandom(seed);
  const value = (): number => random() * 2 - 1;
  const layers = [];
  for (let l = 1; l < widths.length; l++) {
    const weights = Array.from({ length: widths[l]! }, () => Array.from({ length: widths[l - 1]! }, value));
    layers.push({ weights, bias: Array.from({ length: widths[l]! }, value) });
  }
  return layers;
}

/**
 * The network's output for one observation row, in float64 with weights rounded to float32
 * as they are stored: dense layers with ReLU between them, then softmax or tanh.
 *
 * @example
 * forwardPass(spec, [0.5, -1]); // [p_hold, p_buy, p_sell] or [target]
 */
export function forwardPass(spec: OnnxModelSpec, row: ArrayLike<number>): number[] {
  let x = Array.from(row);
  spec.layers.forEach((layer, index) => {
    const y = layer.bias.map((bias, o) => {
      let sum = Math.fround(bias);
      for (let i = 0; i < x.length; i++) sum += Math.fround(layer.weights[o]![i]!) * x[i]!;
      return sum;
    });
    x = index < spec.layers.length - 1 ? y.map((v) => Math.max(0, v)) : y;
  });
  if (spec.output === 'target') return x.map(Math.tanh);
  const max = Math.max(...x);
  const exps = x.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

/** What the contract says bar `index` should do, computed independently of the adapter. */
export interface ExpectedDecision {
  readonly decision: Direction | undefined;
  /** Distance of the deciding value from its nearest tie or threshold; small = float-sensitive. */
  readonly margin: number;
}

/**
 * The decisions the model contract prescribes for every bar, from a plain TS reading of it:
 * returns newest first, scaled, position last; argmax or threshold.
 *
 * @example
 * expectedDecisions(spec, closes, { window: 16, scale: 100, position: 0, allowShort: false, threshold: 0.5 });
 */
export function expectedDecisions(
  spec: OnnxModelSpec,
  closes: readonly number[],
  settings: { window: number; scale: number; position?: Direction; allowShort: boolean; threshold: number },
): ExpectedDecision[] {
  const exit: Direction = settings.allowShort ? -1 : 0;
  return closes.map((_, i) => {
    if (i < settings.window) return { decision: undefined, margin: Number.POSITIVE_INFINITY };
    const row: number[] = [];
    for (let k = 0; k < settings.window; k++) {
      row.push(Math.fround((closes[i - k]! / closes[i - k - 1]! - 1) * settings.scale));
    }
    if (settings.position !== undefined) row.push(settings.position);
    const out = forwardPass(spec, row);
    if (spec.output === 'target') {
      const v = out[0]!;
      const margin = Math.min(Math.abs(v - settings.threshold), Math.abs(v + settings.threshold));
      return { decision: v > settings.threshold ? 1 : v < -settings.threshold ? exit : 0, margin };
    }
    const sorted = [...out].sort((a, b) => b - a);
    const best = out.indexOf(sorted[0]!);
    return { decision: best === 1 ? 1 : best === 2 ? exit : undefined, margin: sorted[0]! - sorted[1]! };
  });
}
