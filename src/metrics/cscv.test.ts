import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { type CscvMetric, cscv } from './cscv.js';

const LN3 = Math.log(3);
const columns = (...values: number[][]) => values.map((v) => Float64Array.from(v));

describe('cscv', () => {
  it('matches a hand-computed 4 × 3 matrix by total return (S = 4: 6 splits)', () => {
    // Blocks are single periods. Split {0,1} (IS) vs {2,3} (OOS): A grows 1.10 × 0.95 − 1 = 4.5 %,
    // B 4 %, C −1.02 %, so A wins IS; OOS A 2 %, B 1.97 %, C 1.85 %: A is best, rank 3 of 3,
    // ω = 3/4, λ = ln 3. The five other splits are worked the same way below.
    const result = cscv({
      returns: columns([0.1, -0.05, 0.02, 0], [0, 0.04, -0.01, 0.03], [-0.02, 0.01, 0.05, -0.03]),
      blocks: 4,
      metric: 'total_return',
    });
    expect(result).toMatchObject({ configurations: 3, periods: 4, blocks: 4, splits: 6, metric: 'total_return' });
    // Bitmask order: {0,1} {0,2} {1,2} {0,3} {1,3} {2,3}.
    expect([...result.winners]).toEqual([0, 0, 2, 0, 1, 0]);
    const expectedIs = [0.045, 0.122, 0.0605, 0.1, 0.0712, 0.02];
    const expectedOos = [0.02, -0.05, -0.0494, -0.031, -0.01, 0.045];
    expectedIs.forEach((v, i) => expect(result.inSample[i]).toBeCloseTo(v, 12));
    expectedOos.forEach((v, i) => expect(result.outOfSample[i]).toBeCloseTo(v, 12));
    // The IS winner is best OOS in {0,1} and {2,3} (λ = ln 3), worst in the other four (λ = −ln 3).
    [LN3, -LN3, -LN3, -LN3, -LN3, LN3].forEach((v, i) => expect(result.logits[i]).toBeCloseTo(v, 12));
    expect(result.pbo).toBeCloseTo(4 / 6, 12);
    expect(result.probabilityOfLoss).toBeCloseTo(4 / 6, 12);
    // OLS of the six OOS values on the six IS values (numpy.polyfit gives the same).
    expect(result.slope).toBeCloseTo(-0.8561124761591729, 10);
    expect(result.intercept).toBeCloseTo(0.04717571562797429, 10);
    expect(result.rSquared).toBeCloseTo(0.6684026660687999, 10);
  });

  it('by Sharpe ratio: a set that does not vary scores 0, and OOS ties share their mid-rank', () => {
    const result = cscv({
      returns: columns([0.01, 0.03, 0.02, -0.02], [0.02, 0.02, 0, 0.04], [-0.01, 0.01, 0.01, 0.03]),
      blocks: 2,
    });
    expect(result.splits).toBe(2);
    // IS {0}: A = 0.02 / 0.01414 = √2, B constant = 0, C mean 0 = 0: A wins; OOS {1}: A mean 0
    // scores 0, below B (√½) and C (√2): rank 1, ω = 1/4.
    expect(result.winners[0]).toBe(0);
    expect(result.inSample[0]).toBeCloseTo(Math.SQRT2, 12);
    expect(result.outOfSample[0]).toBe(0);
    expect(result.logits[0]).toBeCloseTo(-LN3, 12);
    // IS {1}: A 0, B √½, C √2: C wins; OOS {0}: A √2, B 0, C 0: C ties with B for ranks 1 and 2,
    // so rank 1.5, ω = 1.5/4, λ = ln(0.375 / 0.625).
    expect(result.winners[1]).toBe(2);
    expect(result.logits[1]).toBeCloseTo(Math.log(0.375 / 0.625), 12);
    expect(result.pbo).toBe(1);
    expect(result.probabilityOfLoss).toBe(0);
    // IS performance is √2 in both splits: no regression.
    expect(result).toMatchObject({ slope: null, intercept: null, rSquared: null });
  });

  it('breaks IS ties by the lowest configuration index, and a winner tied OOS with all has λ = 0', () => {
    const flat = new Float64Array(8);
    const result = cscv({ returns: [flat, flat.slice(), flat.slice()], blocks: 4 });
    expect([...result.winners]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...result.logits]).toEqual([0, 0, 0, 0, 0, 0]);
    // λ ≤ 0 counts as overfit: no evidence that the choice was any good.
    expect(result.pbo).toBe(1);
  });

  it('agrees with a direct computation from the periods on random matrices', () => {
    for (const [seed, n, t, blocks, metric] of [
      [1, 5, 40, 4, 'sharpe_ratio'],
      [2, 9, 37, 6, 'sharpe_ratio'],
      [3, 4, 64, 8, 'total_return'],
      [4, 12, 25, 10, 'total_return'],
      [5, 7, 30, 2, 'sharpe_ratio'],
    ] as const) {
      const random = seeded(seed);
      const returns = Array.from({ length: n }, () => Float64Array.from({ length: t }, () => (random() - 0.48) * 0.1));
      const fast = cscv({ returns, blocks, metric });
      const slow = directCscv(returns, blocks, metric);
      expect(fast.splits).toBe(slow.logits.length);
      expect([...fast.winners]).toEqual(slow.winners);
      slow.logits.forEach((v, i) => expect(fast.logits[i]).toBeCloseTo(v, 12));
      slow.inSample.forEach((v, i) => expect(fast.inSample[i]).toBeCloseTo(v, 10));
      slow.outOfSample.forEach((v, i) => expect(fast.outOfSample[i]).toBeCloseTo(v, 10));
    }
  });

  it('keeps a total loss exact by total return', () => {
    const ruined = Float64Array.from([0.1, -1, 0, 0]);
    const result = cscv({ returns: [ruined, Float64Array.from([0, 0, 0, 0.01])], blocks: 2, metric: 'total_return' });
    // IS {0}: ruined −100 %, other 0 %: the other wins and earns 1 % OOS.
    expect(result.inSample[0]).toBe(0);
    expect(result.outOfSample[0]).toBeCloseTo(0.01, 15);
    // IS {1}: ruined 0 %, other 1 %: the other wins; OOS it has 0 % against the ruined one's −100 %.
    expect(result.winners[1]).toBe(1);
    expect(result.logits[1]).toBeCloseTo(Math.log(2), 12);
  });

  it('refuses what it cannot compute, in one line', () => {
    const column = new Float64Array(20);
    expect(() => cscv({ returns: [column] })).toThrow(/at least 2 configurations/);
    expect(() => cscv({ returns: [column, column], blocks: 5 })).toThrow(/even whole number from 2 to 20/);
    expect(() => cscv({ returns: [column, column], blocks: 22 })).toThrow(ConfigError);
    expect(() => cscv({ returns: [column.subarray(0, 10), column.subarray(0, 10)] })).toThrow(
      /16 blocks needs at least 16 periods, not 10/,
    );
    expect(() => cscv({ returns: [column, new Float64Array(19)], blocks: 4 })).toThrow(/has 19 periods/);
    expect(() => cscv({ returns: [column, Float64Array.from(column, () => Number.NaN)], blocks: 4 })).toThrow(
      /configuration 2, period 1: the return NaN/,
    );
    expect(() => cscv({ returns: [column, column], metric: 'cagr' as CscvMetric })).toThrow(/not one of/);
  });
});

/** CSCV straight from the definition: every split's performance from its periods. */
function directCscv(
  returns: readonly Float64Array[],
  blocks: number,
  metric: CscvMetric,
): { logits: number[]; inSample: number[]; outOfSample: number[]; winners: number[] } {
  const t = (returns[0] as Float64Array).length;
  const n = returns.length;
  const blockOf = (i: number) => {
    for (let b = blocks - 1; b >= 0; b--) if (i >= Math.floor((b * t) / blocks)) return b;
    return 0;
  };
  const performance = (column: Float64Array, rows: number[]): number => {
    const values = rows.map((i) => column[i] as number);
    if (metric === 'total_return') return values.reduce((g, r) => g * (1 + r), 1) - 1;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    return sd > 0 ? mean / sd : 0;
  };
  const out = {
    logits: [] as number[],
    inSample: [] as number[],
    outOfSample: [] as number[],
    winners: [] as number[],
  };
  for (let mask = 0; mask < 1 << blocks; mask++) {
    let bits = 0;
    for (let b = 0; b < blocks; b++) bits += (mask >> b) & 1;
    if (bits !== blocks / 2) continue;
    const isRows: number[] = [];
    const oosRows: number[] = [];
    for (let i = 0; i < t; i++) ((mask >> blockOf(i)) & 1 ? isRows : oosRows).push(i);
    const is = returns.map((c) => performance(c, isRows));
    const oos = returns.map((c) => performance(c, oosRows));
    const winner = is.indexOf(Math.max(...is));
    const sorted = [...oos].sort((a, b) => a - b);
    const rank = sorted.indexOf(oos[winner] as number) + 1;
    const omega = rank / (n + 1);
    out.logits.push(Math.log(omega / (1 - omega)));
    out.inSample.push(is[winner] as number);
    out.outOfSample.push(oos[winner] as number);
    out.winners.push(winner);
  }
  return out;
}

/** Deterministic numbers in [0, 1) (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
