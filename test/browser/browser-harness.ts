/**
 * Headless Chromium for the browser tests: Debian's `chromium` package driven by playwright-core
 * (no browser is ever downloaded). A missing binary fails the tests with the command to fix it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Where Debian's chromium package installs the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Screenshots of the main pages, for people to look at (gitignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

/** Launches headless Chromium, or throws saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing, so the browser tests cannot run; install it with: apt-get update && apt-get install -y chromium`,
    );
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Collects uncaught page errors and console errors, so tests can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  return errors;
}

// Runs in the page (passed as text: the project's TypeScript has no DOM types). Counts pixels
// within a small distance of an RGB colour on the plot area's canvases: those as wide as the
// widest (the pane and the time axis), leaving out the price axis, whose last-value label is
// drawn in the series colour even when the line is not.
const COUNT_PIXELS = `(id, rgb, tolerance) => {
  const root = document.getElementById(id);
  if (root === null) return -1;
  const canvases = [...root.querySelectorAll('canvas')];
  const widest = Math.max(0, ...canvases.map((c) => c.width));
  let count = 0;
  for (const canvas of canvases) {
    if (canvas.width !== widest || canvas.height === 0) continue;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] < 200) continue;
      if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) <= tolerance) count++;
    }
  }
  return count;
}`;

/**
 * How many canvas pixels inside element `id` have (nearly) the colour `rgb`: a chart that
 * drew its series has many, a blank one none.
 */
export async function countChartPixels(
  page: Page,
  id: string,
  rgb: readonly [number, number, number],
  tolerance = 60,
): Promise<number> {
  return (await page.evaluate(
    `(${COUNT_PIXELS})(${JSON.stringify(id)}, ${JSON.stringify(rgb)}, ${tolerance})`,
  )) as number;
}

/** Waits until the chart script has drawn `count` charts. */
export async function waitForCharts(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    `document.documentElement.dataset.chartsDrawn === ${JSON.stringify(String(count))}`,
    undefined,
    {
      timeout: 15_000,
    },
  );
  // lightweight-charts paints on the next animation frame after setData.
  await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
}

/** Series colours used by the pages, as RGB. */
export const COLORS = {
  equity: [37, 99, 235],
  drawdown: [185, 28, 28],
  up: [21, 128, 61],
  second: [217, 119, 6],
} as const satisfies Record<string, readonly [number, number, number]>;
