import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/app/run-backtest.js';
import { writeFileAtomically } from '../../src/app/write-file-atomically.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { renderRunReport } from '../../src/web/run-report.js';
import { createSampleDatabase, loadGoog } from '../../src/web/sample-runs.test-support.js';
import {
  COLORS,
  countChartPixels,
  launchChromium,
  SCREENSHOT_DIR,
  waitForCharts,
  watchErrors,
} from './browser-harness.js';

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), 'browser-report-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Opens a file with every other request aborted; returns what was requested besides the file. */
async function openOffline(file: string, screenshot: string, charts: number) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const fileUrl = pathToFileURL(file).href;
  const others: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === fileUrl) return route.continue();
    others.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = watchErrors(page);
  page.on('request', (request) => {
    if (request.url() !== fileUrl && !others.includes(request.url())) others.push(request.url());
  });
  await page.goto(fileUrl);
  await waitForCharts(page, charts);
  return { page, context, others, errors, screenshot: join(SCREENSHOT_DIR, screenshot) };
}

describe('HTML reports in Chromium, offline', () => {
  it('a run report opens with no network and draws equity, drawdown and price', async () => {
    const bars = loadGoog();
    const result = await runBacktest({ bars, strategy: 'sma-cross', params: { fast: 10, slow: 30 } });
    const file = join(dir, 'run-report.html');
    writeFileAtomically(file, renderRunReport(result, bars));
    const { page, context, others, errors, screenshot } = await openOffline(file, 'report-run.png', 3);
    try {
      expect(await countChartPixels(page, 'chart-equity', COLORS.equity)).toBeGreaterThan(200);
      expect(await countChartPixels(page, 'chart-drawdown', COLORS.drawdown)).toBeGreaterThan(200);
      expect(await countChartPixels(page, 'chart-price', COLORS.up)).toBeGreaterThan(200);
      expect(await page.locator('table.trades tbody tr').count()).toBe(result.trades.length);
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(others).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a stored run report (backtest report) opens with no network and draws its curve', async () => {
    const sample = await createSampleDatabase(dir);
    const out = join(dir, 'stored.html');
    await reportCommand(
      { id: sample.googRsiId, out, db: sample.path },
      { out: () => {}, err: () => {}, cwd: dir, env: {}, interactive: false, confirm: async () => false },
    );
    const { page, context, others, errors, screenshot } = await openOffline(out, 'report-stored.png', 2);
    try {
      expect(await countChartPixels(page, 'chart-equity', COLORS.equity)).toBeGreaterThan(200);
      expect(await countChartPixels(page, 'chart-drawdown', COLORS.drawdown)).toBeGreaterThan(200);
      expect(await page.locator('#injected').count()).toBe(0);
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(others).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
