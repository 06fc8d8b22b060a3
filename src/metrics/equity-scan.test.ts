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
    expect(scanEquity(new Float64Array([100, 5e-324, 0, 0, 1]), 0).returnsDefined).toBe(false);
    // Zeros that do not last to the end, or a negative point before them, leave returns undefined.
    expect(scanEquity(new Float64Array([100, 0, 0, 10]), 0).returnsDefined).toBe(false);
    expect(scanEquity(new Float64Array([100, -5, 0, 0]), 0).returnsDefined).toBe(false);
  });

  it('counts a return from 0 to 0 as 0, so a run that ran out of money has defined returns', () => {
    // equity 100, 50, 0, 0, 0 → r = −0.5, −1, 0, 0; shift = −0.5
    //   Σ(r − shift) = 0 − 0.5 + 0.5 + 0.5 = 0.5;  Σ(r − shift)² = 0 + 0.25 + 0.25 + 0.25 = 0.75
    //   downside vs rf 0: 0.25 + 1 = 1.25;  drawdown 0/100 − 1 = −100 %, bars 1..4 below the peak
    const scan = scanEquity(new Float64Array([100, 50, 0, 0, 0]), 0);
    expect(scan.returnsDefined).toBe(true);
    expect(scan.returnCount).toBe(4);
    expect(scan.shift).toBe(-0.5);
    expect(scan.sumShifted).toBe(0.5);
    expect(scan.sumShiftedSq).toBe(0.75);
    expect(scan.sumDownsideSq).toBe(1.25);
    expect(scan.maxDrawdownPct).toBe(-100);
    expect(scan.maxDrawdownDurationBars).toBe(4);
    // 5e-324 / 100 underflows to a ratio of 0; the zero tail after it is still defined.
    expect(scanEquity(new Float64Array([100, 5e-324, 0, 0]), 0).returnsDefined).toBe(true);
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
        fc.oneof(
          fc.array(fc.oneof(fc.double({ min: -50, max: 1000, noNaN: true }), fc.constantFrom(100, 100, 90, 0)), {
            minLength: 1,
            maxLength: 80,
          }),
          // A run that ran out of money: some points, then zeros to the end.
          fc
            .tuple(
              fc.array(fc.double({ min: -50, max: 1000, noNaN: true }), { maxLength: 40 }),
              fc.integer({ min: 1, max: 40 }),
            )
            .map(([head, zeros]) => [...head, ...new Array<number>(zeros).fill(0)]),
        ),
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
            // A return from 0 to 0 is 0 (an account out of money stays at 0); any other return
            // from a point at or below zero is undefined.
            const zeroToZero = prev === 0 && e === 0;
            if (!(prev > 0) && !zeroToZero) defined = false;
            const r = zeroToZero ? 0 : e / prev - 1;
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
