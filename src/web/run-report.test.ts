import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../app/backtest-result.js';
import { runBacktest } from '../app/run-backtest.js';
import type { BarSeries } from '../core/bars.js';
import { TradingDatabase } from '../store/sqlite/index.js';
import { renderRunReport, renderStoredReport } from './run-report.js';
import {
  createSampleDatabase,
  HOSTILE_NOTES,
  loadEurusd,
  loadGoog,
  type SampleDatabase,
} from './sample-runs.test-support.js';

const pageData = (page: string) =>
  JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page)?.[1] ?? 'null');

let bars: BarSeries;
let result: BacktestResult;

beforeAll(async () => {
  bars = loadGoog();
  result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
});

describe('renderRunReport', () => {
  it('is one self-contained page: inline library and chart script, no external references', () => {
    const page = renderRunReport(result, bars);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('LightweightCharts');
    expect(page).not.toMatch(/<script[^>]+src=/);
    expect(page).not.toMatch(/<link[^>]+href="http/);
    expect(page).toContain('GOOG · 1Day · sma-cross (fast=10, short=false, slow=30)');
  });

  it('embeds equity, drawdown and price charts with two markers per trade', () => {
    const data = pageData(renderRunReport(result, bars));
    expect(data.charts.map((c: { id: string }) => c.id)).toEqual(['equity', 'drawdown', 'price']);
    const [equity, drawdown, price] = data.charts;
    expect(equity.series[0].v).toHaveLength(bars.length);
    expect(Math.min(...drawdown.series[0].v)).toBeCloseTo(result.metrics.max_drawdown, 8);
    expect(price.t).toHaveLength(bars.length);
    expect(price.markers).toHaveLength(result.trades.length * 2);
    expect(data.run.metrics.total_return).toBe(result.metrics.total_return);
  });

  it('lists the trades and a monthly returns table', () => {
    const page = renderRunReport(result, bars);
    const tradeRows = /<table class="data trades">.*?<tbody>(.*?)<\/tbody>/s.exec(page)?.[1] ?? '';
    expect(tradeRows.match(/<tr>/g)).toHaveLength(result.trades.length);
    const years = /<table class="data monthly">.*?<tbody>(.*?)<\/tbody>/s.exec(page)?.[1] ?? '';
    // GOOG.csv runs from August 2004 to March 2013: ten calendar years.
    expect(years.match(/<tr>/g)).toHaveLength(10);
  });

  it('merges a long series into at most 3,000 candles and keeps every marker on a candle', async () => {
    const hourly = loadEurusd();
    const long = await runBacktest({ bars: hourly, strategy: 'sma-cross', params: { fast: 5, slow: 20 } });
    const price = pageData(renderRunReport(long, hourly)).charts[2];
    // 5,000 bars: ceil(5000 / 3000) = 2 bars per candle, so 2,500 candles.
    expect(price.t).toHaveLength(2500);
    const times = new Set(price.t);
    expect(price.markers.every((m: { t: number }) => times.has(m.t))).toBe(true);
  });
});

describe('renderStoredReport', () => {
  let dir: string;
  let sample: SampleDatabase;
  let db: TradingDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-'));
    sample = await createSampleDatabase(dir);
    db = TradingDatabase.open(sample.path, { readonly: true });
  });

  afterAll(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows what was stored: metrics, notes (escaped) and the downsampled curve', () => {
    const row = db.getBacktestOrThrow(sample.googRsiId);
    const curve = db.getEquityCurve(sample.googRsiId);
    const page = renderStoredReport({ row, curve, trades: undefined, bars: undefined });
    const data = pageData(page);
    expect(data.run.notes).toBe(HOSTILE_NOTES);
    expect(data.run.metrics.sharpe_ratio).toBe(row.sharpe_ratio);
    expect(data.charts[0].series[0].v).toEqual(Array.from(curve?.equity ?? []));
    expect(page).not.toContain('<b id="injected">');
    // The only "</script>" strings are the real ends of the tags.
    expect(page.match(/<\/script>/g)?.length).toBe(page.match(/<script/g)?.length);
  });

  it('says so when no curve is stored, and loads no chart library', () => {
    const page = renderStoredReport({
      row: db.getBacktestOrThrow(sample.googBuyAndHoldId),
      curve: undefined,
      trades: undefined,
      bars: undefined,
    });
    expect(page).toContain('No equity curve is stored for this run.');
    expect(page).not.toContain('LightweightCharts');
  });
});
