/**
 * Drawdown of an equity curve at every point: how far below its running peak, in percent
 * (0 at a new high, negative below it).
 *
 * @example
 * drawdownPct(new Float64Array([100, 120, 90])); // Float64Array [0, 0, -25]
 */
export function drawdownPct(equity: Float64Array): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < equity.length; i++) {
    const value = equity[i] as number;
    if (value > peak) peak = value;
    // A non-positive peak (account wiped out from the start) has no meaningful percentage.
    out[i] = peak > 0 ? (value / peak - 1) * 100 : 0;
  }
  return out;
}
