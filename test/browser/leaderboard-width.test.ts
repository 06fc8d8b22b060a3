import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/app/run-backtest.js';
import { toSaveInput } from '../../src/app/save-result.js';
import { SqliteRunStore, TradingDatabase } from '../../src/store/sqlite/index.js';
import { createSampleDatabase, loadGoog } from '../../src/web/sample-runs.test-support.js';
import { type RunningDashboard, startDashboard } from '../../src/web/serve-dashboard.js';
import { launchChromium, SCREENSHOT_DIR, watchErrors } from './browser-harness.js';

// Names as long as real ones get: a model file deep in an experiment tree, a sweep named after
// its date and grid, and a strategy with a dozen parameters.
const LONG_MODEL_PATH =
  'models/experiments/2026-q3/ppo-lstm-attention/checkpoints/GOOG_1Day_ppo_lstm_attention_window256_gamma0995_seed1234567_final.onnx';
const LONG_SWEEP_ID = 'goog-sma-cross-2026-12-01-fast-5-to-50-slow-20-to-200-with-trailing-stops';
const LONG_PARAMS = {
  fast: 10,
  slow: 30,
  signal_smoothing_window: 14,
  stop_loss_pct: 2.5,
  take_profit_pct: 7.5,
  trailing_stop: true,
  trailing_stop_activation_pct: 3.25,
  min_bars_between_trades: 5,
  volatility_filter_lookback: 63,
  volatility_filter_threshold: 0.0175,
  regime: 'trend-following-with-mean-reversion-exits',
  max_position_fraction: 0.95,
};

let dir: string;
let db: TradingDatabase;
let server: RunningDashboard;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'browser-leaderboard-width-'));
  const sample = await createSampleDatabase(dir);
  const result = await runBacktest({ bars: loadGoog(), strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
  const writer = TradingDatabase.open(sample.path);
  try {
    writer.saveBacktestResults([
      toSaveInput(result, { modelPath: LONG_MODEL_PATH, sweepId: LONG_SWEEP_ID }),
      { ...toSaveInput(result, { sweepId: LONG_SWEEP_ID }), strategyParams: LONG_PARAMS },
      { ...toSaveInput(result, { modelPath: LONG_MODEL_PATH }), strategyParams: LONG_PARAMS },
    ]);
  } finally {
    writer.close();
  }
  db = TradingDatabase.open(sample.path, { readonly: true });
  server = await startDashboard({ db: new SqliteRunStore(db), port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  db?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  errors = watchErrors(page);
});

afterEach(async () => {
  await page.close();
  expect(errors).toEqual([]);
});

// Runs in the page (as text: the project's TypeScript has no DOM types).
const MEASURE = `(() => {
  const table = document.getElementById('runs');
  const box = table.parentElement;
  const clipped = [...table.querySelectorAll('th, td')]
    .filter((cell) => cell.scrollWidth > cell.clientWidth + 1)
    .map((cell) => cell.textContent.trim().slice(0, 40));
  return {
    pageWidth: document.documentElement.scrollWidth,
    windowWidth: window.innerWidth,
    tableWidth: table.scrollWidth,
    boxWidth: box.clientWidth,
    boxScrollWidth: box.scrollWidth,
    columns: table.querySelectorAll('thead th').length,
    clipped,
  };
})()`;

interface Measured {
  pageWidth: number;
  windowWidth: number;
  tableWidth: number;
  boxWidth: number;
  boxScrollWidth: number;
  columns: number;
  clipped: string[];
}

describe('leaderboard in a 1280 × 800 window', () => {
  it.each([
    ['/', 'the default columns', 15],
    ['/?sort=volatility', 'a ninth metric column (the sorted one)', 16],
  ])(
    '%s fits without horizontal scrolling, with %s, long model paths and parameter lists',
    async (path, _, columns) => {
      await page.goto(new URL(path, server.url).href);
      const measured = (await page.evaluate(MEASURE)) as Measured;
      // Every column is there: checkbox, run, saved, symbol, timeframe, strategy or model, sweep, metrics.
      expect(measured.columns).toBe(columns);
      expect(measured.pageWidth).toBeLessThanOrEqual(measured.windowWidth);
      expect(measured.tableWidth).toBeLessThanOrEqual(measured.boxWidth);
      expect(measured.boxScrollWidth).toBeLessThanOrEqual(measured.boxWidth);
      // Long names wrap inside their cells rather than being cut off.
      expect(measured.clipped).toEqual([]);
      // The full model path (which the store may save made absolute) and parameter list stay one hover away.
      expect(await page.locator(`#runs [title$="${LONG_MODEL_PATH}"]`).count()).toBe(2);
      expect(await page.locator('#runs td.strategy[title*="volatility_filter_threshold=0.0175"]').count()).toBe(2);
      if (path === '/') await page.screenshot({ path: join(SCREENSHOT_DIR, 'leaderboard-1280.png'), fullPage: true });
    },
  );
});
