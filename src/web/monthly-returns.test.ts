import { describe, expect, it } from 'vitest';
import { monthlyReturns } from './monthly-returns.js';

const curve = (points: [string, number][]) => ({
  timeMs: Float64Array.from(points.map(([d]) => Date.parse(`${d}T00:00:00Z`))),
  equity: Float64Array.from(points.map(([, e]) => e)),
});

describe('monthlyReturns', () => {
  it('compounds month ends from the base, leaves empty months null and carries over gaps', () => {
    const rows = monthlyReturns(
      curve([
        ['2020-01-15', 100],
        ['2020-01-31', 110],
        ['2020-02-10', 99],
        ['2020-03-31', 121],
        ['2020-05-05', 133.1],
        ['2021-01-04', 119.79],
      ]),
      100,
    );
    expect(rows.map((r) => r.year)).toEqual([2020, 2021]);
    const [y2020, y2021] = rows;
    // Jan 110/100 - 1 = +10 %; Feb 99/110 - 1 = -10 %; Mar 121/99 - 1 = +22.22 %; Apr no points;
    // May 133.1/121 - 1 = +10 % (from March's end, across the gap). Year 133.1/100 - 1 = +33.1 %.
    expect(y2020?.monthsPct[0]).toBeCloseTo(10, 10);
    expect(y2020?.monthsPct[1]).toBeCloseTo(-10, 10);
    expect(y2020?.monthsPct[2]).toBeCloseTo(22.2222222222, 8);
    expect(y2020?.monthsPct[3]).toBeNull();
    expect(y2020?.monthsPct[4]).toBeCloseTo(10, 10);
    expect(y2020?.monthsPct.slice(5)).toEqual([null, null, null, null, null, null, null]);
    expect(y2020?.yearPct).toBeCloseTo(33.1, 10);
    // 2021: Jan 119.79/133.1 - 1 = -10 %, which is also the year.
    expect(y2021?.monthsPct[0]).toBeCloseTo(-10, 10);
    expect(y2021?.yearPct).toBeCloseTo(-10, 10);
  });

  it('starts from the first point when no base is given', () => {
    const [row] = monthlyReturns(
      curve([
        ['2022-06-01', 200],
        ['2022-06-30', 250],
      ]),
    );
    // 250/200 - 1 = +25 %.
    expect(row?.monthsPct[5]).toBeCloseTo(25, 10);
  });

  it('returns nothing for an empty curve', () => {
    expect(monthlyReturns({ timeMs: new Float64Array(0), equity: new Float64Array(0) }, 100)).toEqual([]);
  });
});
