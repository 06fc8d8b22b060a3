/**
 * Headless Chromium for the browser tests, driven by playwright-core. No browser is ever
 * downloaded: the tests use, in this order,
 *
 * 1. the executable `CHROMIUM_PATH` names (an error if nothing is there);
 * 2. the system's Chromium at /usr/bin/chromium (Debian's `chromium` package), if installed;
 * 3. the Chromium shipped inside the `@sparticuz/chromium` dev dependency, unpacked once into
 *    `node_modules/.cache/` together with the NSS libraries and font it needs, so it runs on a
 *    machine without root, system Chromium or those libraries.
 *
 * `BACKTEST_TEST_PACKAGED_CHROMIUM=1` skips the first two, so CI proves the packaged one works.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createBrotliDecompress } from 'node:zlib';
import { type Browser, chromium, type LaunchOptions, type Page } from 'playwright-core';

/** Where Debian's chromium package installs the browser. */
export const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';

/** Environment variable naming the Chromium (or Chrome) executable to test with. */
export const CHROMIUM_PATH_VARIABLE = 'CHROMIUM_PATH';

/** Environment variable that, set to `1`, makes the tests use the packaged Chromium even when the system has one. */
export const PACKAGED_CHROMIUM_VARIABLE = 'BACKTEST_TEST_PACKAGED_CHROMIUM';

/** Screenshots of the main pages, for people to look at (gitignored). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));

const execFileAsync = promisify(execFile);

/** Where the packaged Chromium is unpacked, one folder per package version. */
const PACKAGED_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/backtest-ledger/', import.meta.url));

/** Flags for every Chromium the tests launch. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * `@sparticuz/chromium` flags left out. `--single-process`: Playwright cannot open a second page
 * in it (tried: "Target page, context or browser has been closed"). The feature lists: Chromium
 * reads only the last `--disable-features`, so the package's would replace Playwright's own. The
 * web-security ones: the packaged browser must enforce the same rules as the system one, or a
 * report that fetched another file could pass here and fail for users.
 */
const PACKAGED_ARGS_LEFT_OUT = [
  '--single-process',
  '--disable-features',
  '--enable-features',
  '--disable-web-security',
  '--allow-running-insecure-content',
];

/** How to launch the Chromium the tests use, and a line saying which one it is. */
interface ChromiumChoice {
  readonly description: string;
  readonly options: LaunchOptions;
}

let announced = false;

/** Launches headless Chromium (see the module comment for which one), or throws saying how to get one. */
export async function launchChromium(): Promise<Browser> {
  const choice = await chooseChromium(process.env);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const browser = await chromium.launch(choice.options);
  if (!announced) {
    announced = true;
    console.info(`browser tests use ${choice.description}, version ${browser.version()}`);
  }
  return browser;
}

async function chooseChromium(env: NodeJS.ProcessEnv): Promise<ChromiumChoice> {
  const named = env[CHROMIUM_PATH_VARIABLE] ?? '';
  const packagedFlag = env[PACKAGED_CHROMIUM_VARIABLE] ?? '';
  if (!['', '0', '1'].includes(packagedFlag)) {
    throw new Error(
      `${PACKAGED_CHROMIUM_VARIABLE} must be 1 (use the packaged Chromium), 0 or unset, not "${packagedFlag}"`,
    );
  }
  const forcePackaged = packagedFlag === '1';
  if (named !== '' && forcePackaged) {
    throw new Error(
      `${CHROMIUM_PATH_VARIABLE} and ${PACKAGED_CHROMIUM_VARIABLE}=1 both choose the browser; unset one of them`,
    );
  }
  if (named !== '') {
    if (!existsSync(named)) {
      throw new Error(
        `${CHROMIUM_PATH_VARIABLE}=${named} does not exist; point it at a Chromium executable or unset it to use ${SYSTEM_CHROMIUM_PATH} or the packaged Chromium`,
      );
    }
    return {
      description: `${CHROMIUM_PATH_VARIABLE}=${named}`,
      options: { executablePath: named, args: CHROMIUM_ARGS },
    };
  }
  if (!forcePackaged && existsSync(SYSTEM_CHROMIUM_PATH)) {
    return {
      description: `the system Chromium ${SYSTEM_CHROMIUM_PATH}`,
      options: { executablePath: SYSTEM_CHROMIUM_PATH, args: CHROMIUM_ARGS },
    };
  }
  return choosePackagedChromium(env, forcePackaged ? ` (${PACKAGED_CHROMIUM_VARIABLE}=1)` : '');
}

/** Unpacks (once per package version) and describes the Chromium inside `@sparticuz/chromium`. */
async function choosePackagedChromium(env: NodeJS.ProcessEnv, reason: string): Promise<ChromiumChoice> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the packaged Chromium (@sparticuz/chromium) runs on Linux x64 only; set ${CHROMIUM_PATH_VARIABLE} to a Chromium or Chrome executable to run the browser tests here`,
    );
  }
  let packaged: typeof import('@sparticuz/chromium').default;
  let packageDir: string;
  try {
    packaged = (await import('@sparticuz/chromium')).default;
    // The package's CommonJS entry is build/cjs/index.cjs; its bin/ folder holds the archives.
    packageDir = resolve(createRequire(import.meta.url).resolve('@sparticuz/chromium'), '..', '..', '..');
  } catch (error) {
    throw new Error(
      `there is no ${SYSTEM_CHROMIUM_PATH} and the dev dependency @sparticuz/chromium is not installed, so the browser tests cannot run; run npm install (or set ${CHROMIUM_PATH_VARIABLE})`,
      { cause: error },
    );
  }
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const dir = join(PACKAGED_CACHE_DIR, `sparticuz-chromium-${version}`);
  let unpacked = '';
  if (!existsSync(join(dir, 'chromium'))) {
    const startedMs = performance.now();
    await unpackPackagedChromium(packaged, join(packageDir, 'bin'), dir);
    unpacked = `, unpacked in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`;
  }
  // WebGL off: the pages draw on 2D canvases, and it keeps the package's GPU flags from fighting --disable-gpu.
  packaged.setGraphicsMode = false;
  const recommended = packaged.args.filter((arg) => !PACKAGED_ARGS_LEFT_OUT.includes(switchName(arg)));
  return {
    description: `the packaged Chromium from @sparticuz/chromium ${version}${reason} in ${dir}${unpacked}`,
    options: {
      executablePath: join(dir, 'chromium'),
      args: mergeArgs(recommended, CHROMIUM_ARGS),
      env: {
        ...env,
        // The binary is built against these NSS and expat libraries; the system may have none.
        LD_LIBRARY_PATH: [join(dir, 'al2023', 'lib'), env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
        FONTCONFIG_FILE: join(dir, 'fontconfig.conf'),
        ...(isPosixLocale(env) ? { LC_ALL: 'en_US.UTF-8' } : {}),
      },
    },
  };
}

/**
 * Unpacks the packaged Chromium into `dir`. It is built in a temporary sibling folder and renamed
 * into place, so `dir` is never half written: test files start in parallel, and the package's own
 * cache (a fixed /tmp/chromium, shared by every user and version) trusts any file it finds there.
 */
async function unpackPackagedChromium(
  packaged: typeof import('@sparticuz/chromium').default,
  binDir: string,
  dir: string,
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(`${dir}.partial-`);
  try {
    // executablePath() unpacks into os.tmpdir(), which reads TMPDIR on every call. Nothing else
    // runs in this test process while it is redirected: launchChromium() is awaited first.
    const tmpdirBefore = process.env.TMPDIR;
    process.env.TMPDIR = staging;
    let executable: string;
    try {
      executable = await packaged.executablePath(binDir);
    } finally {
      if (tmpdirBefore === undefined) Reflect.deleteProperty(process.env, 'TMPDIR');
      else process.env.TMPDIR = tmpdirBefore;
    }
    if (executable !== join(staging, 'chromium')) {
      throw new Error(`@sparticuz/chromium unpacked to ${executable}, not into ${staging}: update browser-harness.ts`);
    }
    // The package unpacks these libraries only on AWS Lambda; they make it independent of the system's.
    await extractBrotliTar(join(binDir, 'al2023.tar.br'), join(staging, 'al2023'));
    await writeFile(join(staging, 'fontconfig.conf'), fontconfigFor(dir));
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another test file finished unpacking first (the rename found `dir` full): use its copy.
    if (existsSync(join(dir, 'chromium'))) return;
    throw error;
  }
}

/** Extracts a Brotli-compressed tar archive with the system's tar (which cannot read Brotli itself). */
async function extractBrotliTar(archive: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  // Through a file, not a pipe: piping into tar's stdin failed here with ERR_STREAM_PREMATURE_CLOSE
  // (tar can close its input once it has read the end-of-archive blocks).
  const tarFile = join(into, 'archive.tar');
  await pipeline(createReadStream(archive), createBrotliDecompress(), createWriteStream(tarFile));
  await execFileAsync('tar', ['-x', '-f', tarFile, '-C', into]);
  await rm(tarFile);
}

/**
 * A fontconfig file for the packaged Chromium: the system's fonts when it has any (so text has
 * the same widths as in the system Chromium), and the package's Open Sans, so a machine without
 * fonts still draws text.
 */
function fontconfigFor(dir: string): string {
  const xml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <dir>${xml(join(dir, 'fonts'))}</dir>`,
    `  <cachedir>${xml(join(dir, 'fontconfig-cache'))}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n');
}

/**
 * Whether the locale is C or POSIX, as in most containers. This build then says its language is
 * "en-US@posix", which Intl rejects ("Invalid language tag"), so the pages' number formatting
 * throws; Debian's build says "en-US". `--lang` does not change it, the environment does.
 */
function isPosixLocale(env: NodeJS.ProcessEnv): boolean {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || 'C';
  return /^(C|POSIX)([.@]|$)/.test(locale);
}

/** `--name=value` and `--name` → `--name`. */
function switchName(arg: string): string {
  return arg.split('=', 1)[0] as string;
}

/** Joins lists of Chromium flags; a later flag replaces an earlier one with the same switch name. */
function mergeArgs(...lists: readonly (readonly string[])[]): string[] {
  const bySwitch = new Map<string, string>();
  for (const list of lists) for (const arg of list) bySwitch.set(switchName(arg), arg);
  return [...bySwitch.values()];
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
