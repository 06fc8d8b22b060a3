import { describe, expect, it } from 'vitest';
import { runBacktest } from '../app/run-backtest.js';
import { createBarSeries } from '../core/bars.js';
import { renderRunReport } from './run-report.js';
import { renderOutOfMoneyNotice } from './run-sections.js';

const DAY_MS = 86_400_000;

/**
 * Flat at 100, a fall to 50, then a one-bar rally to 200. sma-cross(2, 3, short) shorts 111
 * units at bar 5's open (90; 10 000 / 90 = 111.1); at bar 9's close the account holds
 * 10 000 + 111 × 90 − 111 × 200 = −2 210, so it runs out of money there.
 */
function rallyBars() {
  const closes = [100, 100, 100, 100, 90, 80, 70, 60, 50, 200, 210, 220];
  const open = closes.map((_, i) => (i === 0 ? 100 : (closes[i - 1] as number)));
  return createBarSeries('RALLY', '1Day', {
    timeMs: Float64Array.from(closes, (_, i) => Date.UTC(2021, 2, 1) + i * DAY_MS),
    open: Float64Array.from(open),
    high: Float64Array.from(closes, (c, i) => Math.max(c, open[i] as number)),
    low: Float64Array.from(closes, (c, i) => Math.min(c, open[i] as number)),
    close: Float64Array.from(closes),
    volume: new Float64Array(closes.length).fill(1000),
  });
}

describe('renderOutOfMoneyNotice', () => {
  it('says when the account ran out of money and what the engine did', () => {
    const notice = renderOutOfMoneyNotice({ timeMs: Date.UTC(2021, 2, 4), barIndex: 812 }).toString();
    expect(notice).toContain('Out of money.');
    expect(notice).toContain(
      'The account ran out of money on 2021-03-04 (bar 812): every position was closed at that close and no order was placed after it',
    );
    expect(notice).toContain('data-out-of-money="812"');
  });

  it('is empty when the run never ran out of money', () => {
    expect(renderOutOfMoneyNotice(null).toString()).toBe('');
  });
});

describe('renderRunReport of a run that ran out of money', () => {
  it('shows the notice and puts outOfMoney in the page data', async () => {
    const bars = rallyBars();
    const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 2, slow: 3, short: true } });
    expect(result.outOfMoney).toEqual({ timeMs: Date.UTC(2021, 2, 10), barIndex: 9 });
    expect(result.trades).toMatchObject([{ side: 'short', quantity: 111, entryPrice: 90, exitIndex: 9, pnl: -12_210 }]);
    const page = renderRunReport(result, bars);
    expect(page).toContain('The account ran out of money on 2021-03-10 (bar 9)');
    const data = JSON.parse(
      /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page)?.[1] ?? 'null',
    );
    expect(data.run.outOfMoney).toEqual({ timeMs: Date.UTC(2021, 2, 10), barIndex: 9 });
  });

  it('shows no notice for a run that kept its money', async () => {
    const bars = rallyBars();
    const result = await runBacktest({ bars, strategy: 'buy-and-hold' });
    expect(result.outOfMoney).toBeNull();
    expect(renderRunReport(result, bars)).not.toContain('ran out of money');
  });
});
