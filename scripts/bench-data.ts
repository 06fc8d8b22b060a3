/**
 * Benchmarks loading bars: `npm run bench:data` (tsx scripts/bench-data.ts).
 *
 * On a generated 1,000,000-row 1-minute CSV (and the same bars as a snappy Parquet file) it
 * prints: CSV → bars (the byte scanner, and csv-parse, the path quoted files take), Parquet →
 * bars, the error for a bad header on 200,000 rows, the bar store's `importBars` and `loadBars`
 * through `openStore`, the whole `backtest run --data` process (wall time and peak resident
 * memory, from a build of the sources in the temporary folder), and pandas' `read_csv` of the
 * same file when a `python3` with pandas is installed (`apt-get install -y python3-pandas`).
 *
 * Floors (checked, exit 1 when missed): CSV → bars under 0.5 s; the whole run process under
 * 1 s and under 250 MB. Times are the best of several runs; the machine's load is printed,
 * since other work on it slows every figure. Everything happens in a temporary folder that is
 * deleted at the end.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROWS = 1_000_000;
const BAD_HEADER_ROWS = 200_000;
const RUNS = 5;
const FLOOR_CSV_SECONDS = 0.5;
const FLOOR_RUN_SECONDS = 1;
const FLOOR_RUN_MB = 250;

const dir = mkdtempSync(join(tmpdir(), 'bench-data-'));
let failed = false;

try {
  console.log(
    `Machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dist = buildSources(dir);
  type DataModule = typeof import('../src/data/index.js');
  type StoreModule = typeof import('../src/store/index.js');
  type CsvModule = typeof import('../src/data/csv/parse-bars-csv.js');
  const data = (await import(pathToFileURL(join(dist, 'data/index.js')).href)) as DataModule;
  const csvModule = (await import(pathToFileURL(join(dist, 'data/csv/parse-bars-csv.js')).href)) as CsvModule;
  const store = (await import(pathToFileURL(join(dist, 'store/index.js')).href)) as StoreModule;

  const csvPath = join(dir, 'BTCUSD_1Min.csv');
  const csvText = minuteBarsCsv(ROWS);
  writeFileSync(csvPath, csvText);
  const megabytes = (Buffer.byteLength(csvText) / 1e6).toFixed(1);
  console.log(`\n${ROWS.toLocaleString('en-US')} 1-minute bars, CSV ${megabytes} MB (time,open,high,low,close,volume)`);

  const csv = best(() => data.loadBarsCsv(csvPath));
  report('CSV → bars (byte scanner)', csv.seconds, `${csv.value.length.toLocaleString('en-US')} bars`);
  const fingerprint = data.fingerprintBars(csv.value).sha256;
  const csvParse = best(() => csvModule.parseBarsCsvWithCsvParse(readFileSync(csvPath, 'utf8'), csvPath)[0], 1);
  report('CSV → bars (csv-parse, for quoted files)', csvParse.seconds);
  if (csvParse.value === undefined || data.fingerprintBars(csvParse.value).sha256 !== fingerprint) {
    failed = true;
    console.log('  MISMATCH: the two CSV paths gave different bars');
  }

  const parquetPath = join(dir, 'BTCUSD_1Min.parquet');
  writeFileSync(parquetPath, parquetOf(csv.value));
  const parquet = await bestAsync(() => data.loadBarsParquet(parquetPath));
  report('Parquet → bars (snappy, pandas layout)', parquet.seconds);
  if (data.fingerprintBars(parquet.value).sha256 !== fingerprint) {
    failed = true;
    console.log('  MISMATCH: Parquet gave different bars than the CSV');
  }

  const badPath = join(dir, 'bad-header.csv');
  writeFileSync(
    badPath,
    `when,open,high,low,close,volume\n${csvText.slice(csvText.indexOf('\n') + 1, lineEnd(csvText, BAD_HEADER_ROWS))}`,
  );
  const bad = best(() => {
    try {
      data.loadBarsCsv(badPath);
      return 'no error';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  });
  report(`bad header, ${BAD_HEADER_ROWS.toLocaleString('en-US')} rows → error`, bad.seconds);

  const dbPath = join(dir, 'bars.db');
  const opened = await store.openStore({ db: dbPath });
  try {
    const started = process.hrtime.bigint();
    await opened.importBars(csv.value);
    report('bar store importBars (openStore, SQLite)', seconds(started));
    const loaded = await bestAsync(async () => {
      const bars = await opened.loadBars('BTCUSD', '1Min');
      if (bars === undefined) throw new Error('the imported bars did not load');
      return bars;
    });
    report('bar store loadBars', loaded.seconds);
  } finally {
    await opened.close();
  }

  const run = measureRun(dist, csvPath, dir);
  report('backtest run --data (whole process)', run.seconds, `peak ${run.peakMb.toFixed(0)} MB resident`);

  const pandas = pandasReadCsv(csvPath);
  if (pandas === undefined)
    console.log('  pandas read_csv: no python3 with pandas (apt-get install -y python3-pandas)');
  else {
    report('pandas read_csv (same file)', pandas.plain);
    report('pandas read_csv, parse_dates=[time]', pandas.dates);
  }

  console.log('\nFloors');
  floor(`CSV → bars under ${FLOOR_CSV_SECONDS} s`, csv.seconds < FLOOR_CSV_SECONDS);
  floor(`whole run under ${FLOOR_RUN_SECONDS} s`, run.seconds < FLOOR_RUN_SECONDS);
  floor(`whole run under ${FLOOR_RUN_MB} MB`, run.peakMb < FLOOR_RUN_MB);
  if (pandas !== undefined) {
    console.log(`  CSV → bars vs pandas read_csv: ${(pandas.plain / csv.seconds).toFixed(1)}× as fast`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

/**
 * Builds the sources into `dir/dist` as `npm run build` does (without touching the project's
 * own dist/), with the project's node_modules beside it, so the run process is the real CLI.
 */
function buildSources(into: string): string {
  const outDir = join(into, 'dist');
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const built = spawnSync(tsc, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir], { encoding: 'utf8' });
  if (built.error !== undefined) throw built.error;
  // Type errors elsewhere in a tree under work still emit JavaScript; only a missing build stops here.
  copyFileSync(join(ROOT, 'package.json'), join(into, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
  return outDir;
}

/** Seeded 1-minute bars from 2022-01-03, prices with two decimals, as exchanges export them. */
function minuteBarsCsv(count: number): string {
  let state = 42;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const start = Date.UTC(2022, 0, 3);
  const lines = ['time,open,high,low,close,volume'];
  let price = 100;
  for (let i = 0; i < count; i++) {
    const time = new Date(start + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const open = price;
    const close = Math.max(1, open * (1 + (random() - 0.5) * 0.002));
    const high = Math.max(open, close) * (1 + random() * 0.0005);
    const low = Math.min(open, close) * (1 - random() * 0.0005);
    price = close;
    const volume = Math.floor(random() * 5000);
    lines.push(`${time},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${volume}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Offset just past the `n`th line after the header. */
function lineEnd(text: string, n: number): number {
  let at = text.indexOf('\n');
  for (let i = 0; i < n && at >= 0; i++) at = text.indexOf('\n', at + 1);
  return at < 0 ? text.length : at + 1;
}

/** The bars as pandas writes them with `df.to_parquet()`: OPTIONAL doubles, a nanosecond `time` index, snappy. */
function parquetOf(bars: {
  timeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}): Uint8Array {
  const doubles = ['open', 'high', 'low', 'close', 'volume'] as const;
  const buffer = parquetWriteBuffer({
    columnData: [
      ...doubles.map((name) => ({ name, data: bars[name] })),
      { name: 'time', data: Array.from(bars.timeMs, (ms) => BigInt(ms) * 1_000_000n) },
    ],
    schema: [
      { name: 'schema', num_children: doubles.length + 1 },
      ...doubles.map((name) => ({ name, type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const })),
      {
        name: 'time',
        type: 'INT64',
        repetition_type: 'OPTIONAL',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' },
      },
    ],
    kvMetadata: [{ key: 'pandas', value: JSON.stringify({ index_columns: ['time'], columns: [] }) }],
    rowGroupSize: ROWS,
  });
  return new Uint8Array(buffer);
}

/**
 * `backtest run --data FILE` as a child process of the built CLI: wall time from spawn to exit,
 * and the child's peak resident memory, which it reports itself as it exits.
 */
function measureRun(dist: string, csvPath: string, cwd: string): { seconds: number; peakMb: number } {
  const preload = join(cwd, 'report-peak-rss.mjs');
  // Linux's VmHWM is the peak of this process's own memory. getrusage's maxRSS is not: it keeps
  // the high-water mark of the parent that forked the child, so a large bench process would
  // show as the run's peak.
  writeFileSync(
    preload,
    [
      "import { readFileSync, writeSync } from 'node:fs';",
      'function peakKb() {',
      "  try { return Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); }",
      '  catch { return process.resourceUsage().maxRSS; }',
      '}',
      "process.on('exit', () => writeSync(2, '\\n@peak-rss-kb ' + peakKb() + '\\n'));",
      '',
    ].join('\n'),
  );
  let bestSeconds = Number.POSITIVE_INFINITY;
  let peakMb = 0;
  for (let i = 0; i < 3; i++) {
    const started = process.hrtime.bigint();
    const child = spawnSync(
      process.execPath,
      ['--import', pathToFileURL(preload).href, join(dist, 'cli/main.js'), 'run', '--data', csvPath],
      { cwd, encoding: 'utf8', env: { ...process.env, BACKTEST_DB: join(cwd, 'runs.db') } },
    );
    const elapsed = seconds(started);
    if (child.status !== 0) throw new Error(`backtest run failed: ${child.stderr}`);
    const peak = /@peak-rss-kb (\d+)/.exec(child.stderr);
    if (peak === null) throw new Error('the run process did not report its peak memory');
    if (elapsed < bestSeconds) {
      bestSeconds = elapsed;
      peakMb = Number(peak[1]) / 1024;
    }
  }
  return { seconds: bestSeconds, peakMb };
}

/** pandas `read_csv` of the file, best of three, through the first python3 that has pandas. */
function pandasReadCsv(path: string): { plain: number; dates: number } | undefined {
  const script = [
    'import sys, time',
    'import pandas as pd',
    'def best(f):',
    '    times = []',
    '    for _ in range(3):',
    '        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)',
    '    return min(times)',
    'p = sys.argv[1]',
    "print(best(lambda: pd.read_csv(p)), best(lambda: pd.read_csv(p, parse_dates=['time'])))",
  ].join('\n');
  for (const python of ['python3', '/usr/bin/python3']) {
    const child = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
    if (child.status !== 0) continue;
    const [plain, dates] = child.stdout.trim().split(/\s+/).map(Number);
    if (plain !== undefined && dates !== undefined && Number.isFinite(plain) && Number.isFinite(dates)) {
      return { plain, dates };
    }
  }
  return undefined;
}

function best<T>(work: () => T, runs = RUNS): { seconds: number; value: T } {
  let bestSeconds = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    value = work();
    bestSeconds = Math.min(bestSeconds, seconds(started));
  }
  return { seconds: bestSeconds, value: value as T };
}

async function bestAsync<T>(work: () => Promise<T>, runs = RUNS): Promise<{ seconds: number; value: T }> {
  let bestSeconds = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    value = await work();
    bestSeconds = Math.min(bestSeconds, seconds(started));
  }
  return { seconds: bestSeconds, value: value as T };
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function report(label: string, secondsTaken: number, note = ''): void {
  console.log(
    `  ${label.padEnd(44)} ${(secondsTaken * 1000).toFixed(0).padStart(6)} ms${note === '' ? '' : `  ${note}`}`,
  );
}

function floor(label: string, met: boolean): void {
  console.log(`  ${met ? 'ok     ' : 'MISSED '} ${label}`);
  if (!met) failed = true;
}
