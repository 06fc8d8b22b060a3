import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRunStore, TradingDatabase } from '../../src/store/sqlite/index.js';
import { createSampleDatabase, SAMPLE_SWEEP_ID, type SampleDatabase } from '../../src/web/sample-runs.test-support.js';
import { type RunningDashboard, startDashboard } from '../../src/web/serve-dashboard.js';
import {
  COLORS,
  countChartPixels,
  launchChromium,
  SCREENSHOT_DIR,
  waitForCharts,
  watchErrors,
} from './browser-harness.js';

let dir: string;
let sample: SampleDatabase;
let db: TradingDatabase;
let server: RunningDashboard;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'browser-dashboard-'));
  sample = await createSampleDatabase(dir);
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
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  errors = watchErrors(page);
});

afterEach(async () => {
  await page.close();
  expect(errors).toEqual([]);
});

const shownIds = async () =>
  (await page.locator('#runs tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id')))).map(
    Number,
  );

describe('dashboard in Chromium', () => {
  it('the leaderboard shows the runs that are in the database', async () => {
    await page.goto(server.url);
    const expected = sample.allIds.map((id) => db.getBacktestOrThrow(id));
    expect((await shownIds()).sort((a, b) => a - b)).toEqual(expected.map((r) => r.id));
    expect(await page.locator('#range').first().textContent()).toBe('Runs 1–13 of 13');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'leaderboard.png'), fullPage: true });
  });

  it('sorting by a column header and filtering with the form change the rows', async () => {
    await page.goto(server.url);
    await page.locator('th[data-sort-key="sharpe_ratio"] a').click();
    await page.waitForURL(/sort=sharpe_ratio/);
    const bySharpe = sample.allIds
      .map((id) => db.getBacktestOrThrow(id))
      .sort((a, b) => (b.sharpe_ratio ?? -Infinity) - (a.sharpe_ratio ?? -Infinity) || b.id - a.id)
      .map((r) => r.id);
    expect(await shownIds()).toEqual(bySharpe);

    // Clicking the sorted header again flips the order.
    await page.locator('th[data-sort-key="sharpe_ratio"] a').click();
    await page.waitForURL(/order=asc/);
    expect(await shownIds()).toEqual(
      sample.allIds
        .map((id) => db.getBacktestOrThrow(id))
        .sort((a, b) => (a.sharpe_ratio as number) - (b.sharpe_ratio as number) || b.id - a.id)
        .map((r) => r.id),
    );

    await page.fill('input[name="symbol"]', 'EURUSD');
    await page.click('form.filters button[type="submit"]');
    await page.waitForURL(/symbol=EURUSD/);
    expect((await shownIds()).sort((a, b) => a - b)).toEqual([...sample.eurusdIds].sort((a, b) => a - b));
  });

  it('comparing two ticked runs shows both, with their equity curves drawn', async () => {
    const [a, b] = [sample.sweepIds[0] as number, sample.googBuyAndHoldId];
    await page.goto(server.url);
    const button = page.locator('#compare-button');
    expect(await button.isDisabled()).toBe(true);
    await page.check(`tr[data-run-id="${a}"] input[type="checkbox"]`);
    await page.check(`tr[data-run-id="${b}"] input[type="checkbox"]`);
    expect(await button.isDisabled()).toBe(false);
    await button.click();
    await page.waitForURL(/\/compare\?/);
    const headers = await page.locator('#compare-metrics thead th a').allTextContents();
    expect(headers.sort()).toEqual([`Run ${a}`, `Run ${b}`].sort());
    await waitForCharts(page, 1);
    // Each run has its own colour in the overlay (blue, then amber): both lines must be drawn.
    expect(await countChartPixels(page, 'chart-compare', COLORS.equity)).toBeGreaterThan(200);
    expect(await countChartPixels(page, 'chart-compare', COLORS.second)).toBeGreaterThan(200);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'compare.png'), fullPage: true });
  });

  it('a run page draws its equity and drawdown charts', async () => {
    await page.goto(`${server.url}runs/${sample.googRsiId}`);
    await waitForCharts(page, 2);
    expect(await countChartPixels(page, 'chart-equity', COLORS.equity)).toBeGreaterThan(200);
    expect(await countChartPixels(page, 'chart-drawdown', COLORS.drawdown)).toBeGreaterThan(200);
    // The notes hold markup; it must show as text, not become an element.
    expect(await page.locator('#injected').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'run.png'), fullPage: true });
  });

  it('the sweep page colours a 3 x 3 heatmap', async () => {
    await page.goto(`${server.url}sweeps/${SAMPLE_SWEEP_ID}`);
    const cells = page.locator('#heatmap td[data-value]');
    expect(await cells.count()).toBe(9);
    const colours = new Set(await cells.evaluateAll((tds) => tds.map((td) => td.getAttribute('style'))));
    expect(colours.size).toBeGreaterThan(3);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'sweep.png'), fullPage: true });
  });
});
