import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanEquity } from './equity-scan.js';

describe('scanEquity', () => {
  it('gathers the return sums and drawdown of the worked example', () => {
    // equity 100, 110, 99, 120 → r = 0.1, −0.1, 7/33; shift = first return = 0.1
    //   Σ(r − 0.1) = 0 − 0.2 + (7/33 − 0.1) = −0.0878787…;  Σ(r − 0.1)² = 0.04 + (37/330)² = 0.0525711…
    //   downside vs rf 0: (−0.1)² = 0.01;  drawdown 99/110 − 1 = −10 %, 1 bar
    const scan = scanEquity(new Float64Array([100, 110, 99, 120]), 0);
    expect(scan.returnCount).toBe(3);
    expect(scan.returnsDefined).toBe(true);
    expect(scan.shift).toBeCloseTo(0.1, 14);
    expect(scan.sumShifted).toBeCloseTo(-0.2 + 7 / 33 - 0.1, 14);
    expect(scan.sumShiftedSq).toBeCloseTo(0.04 + (37 / 330) ** 2, 14);
    expect(scan.sumDownsideSq).toBeCloseTo(0.01, 14);
    expect(scan.maxDrawdownPct).toBeCloseTo(-10, 12);
    expect(scan.maxDrawdownDurationBars).toBe(1);
  });

  it('flags undefined returns only when a point before the last is at or below zero', () => {
    expect(scanEquity(new Float64Array([100, 50, 0]), 0).returnsDefined).toBe(true);
    expect(scanEquity(new Float64Array([100, 0, 10]), 0).returnsDefined).toBe(false);
    // The non-positive point is not the deepest low: −10/100 comes first and is deeper than −5/120.
    expect(scanEquity(new Float64Array([100, -10, 120, -5, 130]), 0).returnsDefined).toBe(false);
    expect(scanEquity(new Float64Array([100, 120, -5, 130]), 0).returnsDefined).toBe(false);
    // 5e-324 / 100 underflows to a ratio of 0, so the later 0 is not a deeper low; still caught.
    expect(scanEquity(new Float64Array([100, 5e-324, 0, 0]), 0).returnsDefined).toBe(false);
  });

  it('handles empty and single-point curves', () => {
    expect(scanEquity(new Float64Array([]), 0).returnCount).toBe(0);
    const one = scanEquity(new Float64Array([42]), 0.01);
    expect(one.returnCount).toBe(0);
    expect(one.maxDrawdownPct).toBe(0);
    expect(one.maxDrawdownDurationBars).toBe(0);
    expect(one.sumShiftedSq).toBe(0);
  });

  it('matches a plain, unoptimized reference on random curves', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: -50, max: 1000, noNaN: true }), fc.constantFrom(100, 100, 90)), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        (rest, rf) => {
          const equity = Float64Array.from([100, ...rest]);
          const n = equity.length;
          // Reference: running peak, a division per bar, a counter of bars below the peak.
          let peak = 100;
          let minRatio = 1;
          let below = 0;
          let longest = 0;
          let defined = true;
          let overflow = false;
          let huge = false;
          let down = 0;
          for (let k = 1; k < n; k++) {
            const e = equity[k] as number;
            const prev = equity[k - 1] as number;
            if (!(prev > 0)) defined = false;
            const r = e / prev - 1;
            if (!Number.isFinite(r)) overflow = true;
            // The scan squares 2·min(0, x), so a return past ~1e153 in size overflows there first.
            if (!Number.isFinite(4 * r * r)) huge = true;
            down += Math.min(0, r - rf) ** 2;
            if (e >= peak) {
              peak = e;
              below = 0;
            } else {
              below++;
              longest = Math.max(longest, below);
              minRatio = Math.min(minRatio, e / peak);
            }
          }
          const scan = scanEquity(equity, rf);
          expect(scan.maxDrawdownDurationBars).toBe(longest);
          expect(scan.maxDrawdownPct).toBeCloseTo((minRatio - 1) * 100, 9);
          expect(scan.returnsDefined).toBe(defined);
          // A return that overflows (100 / 5e-324) poisons the sums, which summarizeScan turns into null.
          if (defined && !huge) expect(scan.sumDownsideSq).toBeCloseTo(down, 9);
          if (overflow) expect(Number.isFinite(scan.sumShifted + scan.sumShiftedSq + scan.sumDownsideSq)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
