/**
 * The contract every {@link RunStore} implementation must pass, written once (as hono's
 * `common.case.test.ts` is for its routers). `sqlite/sqlite-run-store.test.ts` runs it against
 * real SQLite files; a PostgreSQL store runs the same cases against a real server.
 */
import { describe, expect, it } from 'vitest';
import { type BarSeries, createBarSeries, sliceBars } from '../core/bars.js';
import { ConfigError, StoreError } from '../core/errors.js';
import type { Trade } from '../core/result.js';
import type { Timeframe } from '../core/timeframe.js';
import type { ModelFilter } from './run-filter.js';
import type { BacktestInput } from './run-input.js';
import type { RunStore } from './run-store.js';
import type { SweepOverfit } from './sweep-overfit.js';
import { type SweepDefinition, SweepStatus } from './sweep-record.js';
import { UUID_PATTERN } from './run-uuid.js';

/** Opens an empty store for one test, and a second, separate one (for export/import). */
export interface ContractFixture {
  open(): Promise<RunStore>;
  /** Opens the store `open` made again, read-only. */
  openReadonly(): Promise<RunStore>;
  openSecond(): Promise<RunStore>;
}

const DAY_S = 86_400;
const T0 = 1_577_836_800; // 2020-01-01

const trade = (n: number): Trade => ({
  side: n % 2 === 0 ? 'long' : 'short',
  quantity: n + 1,
  entryIndex: n,
  exitIndex: n + 2,
  entryTimeMs: (T0 + n * DAY_S) * 1000,
  exitTimeMs: (T0 + (n + 2) * DAY_S) * 1000,
  entryPrice: 100 + n / 3,
  exitPrice: 101 - n / 7,
  pnl: n - 2.5,
  returnPct: (n - 2.5) / 1.7,
  costs: 0.1 * n,
});

/** A valid run, overridable; metrics default so that ranking has something to compare. */
function run(overrides: Partial<BacktestInput> = {}): BacktestInput {
  return {
    symbol: 'GOOG',
    timeframe: '1Day',
    runTimestamp: T0 + 100 * DAY_S,
    startDate: T0,
    endDate: T0 + 30 * DAY_S,
    initialCapital: 10_000,
    finalEquity: 11_000,
    totalReturn: 10,
    metrics: { total_trades: 3, sharpe_ratio: 1, max_drawdown: -5 },
    ...overrides,
  };
}

/** A stored overfitting result with per-split values that test exact storage (−0, a tiny number). */
function overfitResult(pbo: number): SweepOverfit {
  return {
    computedMs: 1_700_000_000_000,
    metric: 'sharpe_ratio',
    blocks: 4,
    configurations: 3,
    periods: 12,
    splits: 6,
    pbo,
    slope: -0.5,
    intercept: 0.01,
    rSquared: null,
    probabilityOfLoss: 0.5,
    logits: Float64Array.from([1, -1, 0, 2, -2, Math.log(3)]),
    inSample: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]),
    outOfSample: Float64Array.from([-0.1, 0, 0.1, -0, 1e-9, -0.6]),
  };
}

const MINUTE = 60_000;

/**
 * `n` bars of `symbol` one minute apart from minute `start` (or at the given minutes), with
 * open, high, low, close from `prices(i)` and volume `i`.
 */
function barsOf(
  symbol: string,
  start: number,
  n: number,
  prices: (i: number) => readonly [number, number, number, number],
  minutes?: readonly number[],
  timeframe: Timeframe = '1Day',
): BarSeries {
  const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  return createBarSeries(symbol, timeframe, {
    timeMs: column((i) => MINUTE * (minutes === undefined ? start + i : (minutes[i] as number))),
    open: column((i) => prices(i)[0]),
    high: column((i) => prices(i)[1]),
    low: column((i) => prices(i)[2]),
    close: column((i) => prices(i)[3]),
    volume: column((i) => i),
  });
}

/** True when both series hold the same bits in every column (what `fingerprintBars` hashes). */
function sameBits(a: BarSeries, b: BarSeries): boolean {
  if (a.length !== b.length) return false;
  return (['timeMs', 'open', 'high', 'low', 'close', 'volume'] as const).every((name) =>
    Buffer.from(a[name].buffer, a[name].byteOffset, a[name].byteLength).equals(
      Buffer.from(b[name].buffer, b[name].byteOffset, b[name].byteLength),
    ),
  );
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
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

/**
 * Registers the contract's test cases for one implementation.
 *
 * @example
 * describeRunStoreContract('SqliteRunStore', fixture);
 */
export function describeRunStoreContract(name: string, fixture: ContractFixture): void {
  const withStore = async (work: (store: RunStore) => Promise<void>) => {
    const store = await fixture.open();
    try {
      await work(store);
    } finally {
      await store.close();
    }
  };

  describe(`${name}: the RunStore contract`, () => {
    it('saves a run with every field, its curve and trades, and reads it back exactly', () =>
      withStore(async (store) => {
        const trades = [trade(0), trade(1), trade(2)];
        const id = await store.saveRun(
          run({
            symbol: 'goog',
            modelPath: '/models/GOOG_1Day.onnx',
            modelSha256: 'AB'.repeat(32),
            profitFactor: Infinity,
            metrics: {
              total_trades: 3,
              calmar_ratio: -Infinity,
              sqn: 1e-300,
              sharpe_ratio: 0.1 + 0.2,
              returns_skewness: -1 / 3,
              returns_kurtosis: 7.25,
              returns_count: 30,
            },
            config: { b: 1, a: [true, 'x'] },
            notes: 'ünïcode "quoted", comma',
            strategyName: 'sma-cross',
            strategyParams: { fast: 10, slow: 30 },
            strategyModule: { path: '/strategies/x.ts', sha256: 'cd'.repeat(32) },
            bars: { sha256: 'ef'.repeat(32), count: 31, firstTimeMs: T0 * 1000, lastTimeMs: (T0 + 30 * DAY_S) * 1000 },
            packageVersion: '9.9.9',
            sweepId: 'sweep-1',
            outOfMoneyTimeMs: (T0 + 20 * DAY_S) * 1000,
            trades,
            equityCurve: {
              timeMs: Float64Array.from({ length: 31 }, (_, i) => (T0 + i * DAY_S) * 1000),
              equity: Float64Array.from({ length: 31 }, (_, i) => 10_000 + i * 33.25),
            },
          }),
        );
        const row = await store.getRun(id);
        expect(row).toMatchObject({
          id,
          symbol: 'GOOG',
          timeframe: '1Day',
          model_path: '/models/GOOG_1Day.onnx',
          model_sha256: 'ab'.repeat(32),
          profit_factor: Infinity,
          calmar_ratio: -Infinity,
          sqn: 1e-300,
          sharpe_ratio: 0.30000000000000004,
          cagr: null,
          config_json: '{"a":[true,"x"],"b":1}',
          notes: 'ünïcode "quoted", comma',
          strategy_params_json: '{"fast":10,"slow":30}',
          strategy_module_path: '/strategies/x.ts',
          strategy_module_sha256: 'cd'.repeat(32),
          bars_count: 31,
          package_version: '9.9.9',
          sweep_id: 'sweep-1',
          out_of_money_time_ms: (T0 + 20 * DAY_S) * 1000,
          returns_skewness: -1 / 3,
          returns_kurtosis: 7.25,
          returns_count: 30,
        });
        expect(row.uuid).toMatch(UUID_PATTERN);
        expect(row.uuid[14]).toBe('4');
        expect(await store.findRunByUuid(row.uuid.toUpperCase())).toEqual(row);
        expect(await store.trades(id)).toEqual(trades);
        const curve = await store.equityCurve(id);
        expect(curve?.sourcePointCount).toBe(31);
        expect(curve?.equity[30]).toBe(10_000 + 30 * 33.25);
        // One month end (January 31) and the last point (February 1, the run's end).
        expect(Array.from(curve?.monthEnds?.timeMs ?? [])).toEqual([(T0 + 30 * DAY_S) * 1000]);
      }));

    it('saves many runs all or none, and names the bad one', () =>
      withStore(async (store) => {
        await expect(store.saveRuns([run(), run({ initialCapital: Number.NaN }), run()])).rejects.toThrow(
          /backtest result 2 of 3: field initialCapital must be a finite number above 0/,
        );
        expect(await store.countRuns()).toBe(0);
        const ids = await store.saveRuns([run(), run({ symbol: 'MSFT' })]);
        expect(ids).toHaveLength(2);
        expect(await store.countRuns({ symbol: 'msft' })).toBe(1);
      }));

    it('lists newest first, sorts by a metric best first with NULLs last, and pages', () =>
      withStore(async (store) => {
        const a = await store.saveRun(run({ runTimestamp: T0 + 1, metrics: { sharpe_ratio: 0.5, volatility: 9 } }));
        const b = await store.saveRun(run({ runTimestamp: T0 + 3, metrics: { sharpe_ratio: null, volatility: 7 } }));
        const c = await store.saveRun(run({ runTimestamp: T0 + 2, metrics: { sharpe_ratio: 2, volatility: 8 } }));
        const ids = async (query: Parameters<RunStore['listRuns']>[0]) =>
          (await store.listRuns(query)).map((r) => r.id);
        expect(await ids({})).toEqual([b, c, a]);
        expect(await ids({ sort: 'sharpe_ratio' })).toEqual([c, a, b]);
        expect(await ids({ sort: 'volatility' })).toEqual([b, c, a]);
        expect(await ids({ sort: 'sharpe_ratio', order: 'asc' })).toEqual([a, c, b]);
        expect(await ids({ limit: 1, offset: 1 })).toEqual([c]);
        expect(await ids({ sinceTimestamp: T0 + 2 })).toEqual([b, c]);
        await expect(store.listRuns({ sort: 'nonsense' })).rejects.toThrow(ConfigError);
      }));

    it('matches symbols case-insensitively and timeframes by any spelling', () =>
      withStore(async (store) => {
        const hour = await store.saveRun(run({ symbol: 'aapl', timeframe: '1Hour' }));
        const legacy = await store.saveRun(run({ symbol: 'AAPL', timeframe: '1h' }));
        await store.saveRun(run({ symbol: 'AAPL', timeframe: '1Day' }));
        for (const spelling of ['1Hour', '1h', '1H', '60Min']) {
          expect((await store.listRuns({ symbol: 'Aapl', timeframe: spelling })).map((r) => r.id).sort()).toEqual(
            [hour, legacy].sort(),
          );
        }
        // Stored as written: never rewritten.
        expect((await store.getRun(legacy)).timeframe).toBe('1h');
        expect((await store.bestRun('aapl', 'hourly', 'sharpe_ratio')).matching).toBe(2);
      }));

    it('finds a model by its path, its file name or a SHA-256 prefix', () =>
      withStore(async (store) => {
        const sha = '0123456789abcdef'.repeat(4);
        const x = await store.saveRun(run({ modelPath: '/work/models/x_1Day.onnx', modelSha256: sha }));
        await store.saveRun(run({ modelPath: '/work/models/other.onnx' }));
        await store.saveRun(run({ modelPath: '/work/models/x_1Day.onnx.bak' }));
        const ids = async (modelPath: string | ModelFilter) => (await store.listRuns({ modelPath })).map((r) => r.id);
        expect(await ids('/work/models/x_1Day.onnx')).toEqual([x]);
        expect(await ids('x_1Day.onnx')).toEqual([x]);
        expect(await ids('0123456789ab')).toEqual([x]);
        expect(await ids({ paths: ['models/x_1Day.onnx', '/work/models/x_1Day.onnx'] })).toEqual([x]);
        expect(await ids('x%.onnx')).toEqual([]);
      }));

    it('ranks each metric in its direction; NULL never best; Infinity best; ties to the newest', () =>
      withStore(async (store) => {
        const low = await store.saveRun(
          run({
            runTimestamp: T0 + 1,
            metrics: { total_trades: 4, sharpe_ratio: 1, max_drawdown: -30, volatility: 20 },
          }),
        );
        const high = await store.saveRun(
          run({
            runTimestamp: T0 + 2,
            metrics: { total_trades: 4, sharpe_ratio: 2, max_drawdown: -10, volatility: 25 },
          }),
        );
        const tie = await store.saveRun(
          run({
            runTimestamp: T0 + 3,
            metrics: { total_trades: 4, sharpe_ratio: 2, max_drawdown: -12, volatility: 30 },
          }),
        );
        await store.saveRun(run({ runTimestamp: T0 + 4, metrics: { total_trades: 4, sharpe_ratio: null } }));
        expect((await store.bestRun('GOOG', '1Day', 'sharpe_ratio')).row?.id).toBe(tie);
        expect((await store.bestRun('GOOG', '1Day', 'max_drawdown')).row?.id).toBe(high);
        expect((await store.bestRun('GOOG', '1Day', 'volatility')).row?.id).toBe(low);
        const inf = await store.saveRun(
          run({ runTimestamp: T0, profitFactor: Infinity, metrics: { total_trades: 4 } }),
        );
        await store.saveRun(run({ runTimestamp: T0 + 9, profitFactor: 1e308, metrics: { total_trades: 4 } }));
        expect((await store.bestRun('GOOG', '1Day', 'profit_factor')).row?.id).toBe(inf);
        await expect(store.bestRun('GOOG', '1Day', 'total_trades')).rejects.toThrow(/cannot be ranked/);
        await expect(store.bestRun('GOOG', '1Day', 'bogus; DROP TABLE x')).rejects.toThrow(ConfigError);
      }));

    it('leaves out runs with too few trades and says how many it ranked', () =>
      withStore(async (store) => {
        // A run that never traded has a perfect drawdown: it must not win by default.
        await store.saveRun(run({ metrics: { total_trades: 0, max_drawdown: 0, sharpe_ratio: null } }));
        const traded = await store.saveRun(run({ metrics: { total_trades: 5, max_drawdown: -8, sharpe_ratio: 1 } }));
        await store.saveRun(run({ metrics: { total_trades: 1, max_drawdown: -2, sharpe_ratio: null } }));
        const best = await store.bestRun('GOOG', '1Day', 'max_drawdown', { minTrades: 3 });
        expect(best).toMatchObject({ matching: 3, withValue: 3, ranked: 1 });
        expect(best.row?.id).toBe(traded);
        const sharpe = await store.bestRun('GOOG', '1Day', 'sharpe_ratio', { minTrades: 1 });
        expect(sharpe).toMatchObject({ matching: 3, withValue: 1, ranked: 1 });
        const none = await store.bestRun('GOOG', '1Day', 'sharpe_ratio', { minTrades: 10 });
        expect(none).toMatchObject({ row: undefined, matching: 3, withValue: 1, ranked: 0 });
        expect((await store.listRuns({ minTrades: 1, sort: 'max_drawdown' })).map((r) => r.total_trades)).toEqual([
          1, 5,
        ]);
      }));

    it('reads a family of runs: every match (no Sharpe ratio, no trades too), with what de-annualizes each', () =>
      withStore(async (store) => {
        const span = {
          sha256: 'ef'.repeat(32),
          count: 253,
          firstTimeMs: T0 * 1000,
          lastTimeMs: (T0 + 365 * DAY_S) * 1000,
        };
        const a = await store.saveRun(
          run({ sweepId: 's1', bars: span, metrics: { sharpe_ratio: 1.5, returns_count: 252, total_trades: 0 } }),
        );
        const b = await store.saveRun(run({ sweepId: 's1', bars: span, metrics: { sharpe_ratio: null } }));
        const c = await store.saveRun(run({ sweepId: 's1', metrics: { sharpe_ratio: -0.25, returns_count: 9 } }));
        const other = await store.saveRun(run({ symbol: 'MSFT', metrics: { sharpe_ratio: 3 } }));
        expect(await store.sharpeFamily({ sweepId: 's1' })).toEqual([
          {
            id: a,
            sharpeRatio: 1.5,
            returnsCount: 252,
            barsCount: 253,
            firstTimeMs: span.firstTimeMs,
            lastTimeMs: span.lastTimeMs,
          },
          {
            id: b,
            sharpeRatio: null,
            returnsCount: null,
            barsCount: 253,
            firstTimeMs: span.firstTimeMs,
            lastTimeMs: span.lastTimeMs,
          },
          { id: c, sharpeRatio: -0.25, returnsCount: 9, barsCount: null, firstTimeMs: null, lastTimeMs: null },
        ]);
        // Filters as everywhere else: symbol in any case, timeframe by any spelling, a model.
        expect((await store.sharpeFamily({ symbol: 'goog', timeframe: '1d' })).map((m) => m.id)).toEqual([a, b, c]);
        expect((await store.sharpeFamily({ symbol: 'MSFT' })).map((m) => m.id)).toEqual([other]);
        expect((await store.sharpeFamily()).map((m) => m.id)).toEqual([a, b, c, other]);
        expect(await store.sharpeFamily({ modelPath: 'nothing.onnx' })).toEqual([]);
        expect(await store.sharpeFamily({ sweepId: 'none' })).toEqual([]);
      }));

    it('finds or refuses unknown ids, and deletes runs with their side rows', () =>
      withStore(async (store) => {
        expect(await store.findRun(999)).toBeUndefined();
        await expect(store.getRun(999)).rejects.toThrow(StoreError);
        const id = await store.saveRun(
          run({
            trades: [trade(0)],
            equityCurve: { timeMs: new Float64Array([1, 2]), equity: new Float64Array([1, 2]) },
          }),
        );
        expect(await store.deleteRuns([id, 12345])).toBe(1);
        expect(await store.findRun(id)).toBeUndefined();
        expect(await store.trades(id)).toBeUndefined();
        expect(await store.equityCurve(id)).toBeUndefined();
        // Ids are never reused.
        expect(await store.saveRun(run())).toBeGreaterThan(id);
      }));

    it('exports everything and imports it elsewhere once: same UUIDs, curves and trades', async () => {
      const source = await fixture.open();
      const target = await fixture.openSecond();
      try {
        await source.saveRun(
          run({
            trades: [trade(3)],
            equityCurve: { timeMs: new Float64Array([1, 2, 3]), equity: new Float64Array([5, 6, 7]) },
          }),
        );
        await source.saveRun(run({ symbol: 'MSFT', profitFactor: Infinity }));
        const records = await source.exportRuns();
        expect(await target.importRuns(records)).toMatchObject({ imported: 2, present: 0 });
        expect(await target.importRuns(records)).toEqual({ imported: 0, present: 2, ids: [] });
        const copied = await target.exportRuns();
        expect(copied.map((r) => ({ ...r, row: { ...r.row, id: 0 } }))).toEqual(
          records.map((r) => ({ ...r, row: { ...r.row, id: 0 } })),
        );
      } finally {
        await source.close();
        await target.close();
      }
    });

    it('keeps a split run’s out-of-sample part beside its own metrics, ranks by either, and deletes it with the run', () =>
      withStore(async (store) => {
        const split = (sharpe: number, oosSharpe: number | null, oosTrades: number, at: number) =>
          run({
            runTimestamp: T0 + at,
            metrics: { total_trades: 3, sharpe_ratio: sharpe, max_drawdown: -5 },
            outOfSample: {
              bars: {
                sha256: 'ab'.repeat(32),
                count: 40,
                firstTimeMs: (T0 + 31 * DAY_S) * 1000,
                lastTimeMs: (T0 + 70 * DAY_S) * 1000,
              },
              metrics: {
                sharpe_ratio: oosSharpe,
                total_trades: oosTrades,
                profit_factor: Infinity,
                total_return: -1.5,
              },
              outOfMoneyTimeMs: null,
            },
          });
        const a = await store.saveRun(split(2, 0.1, 4, 1));
        const b = await store.saveRun(split(1, 0.9, 2, 2));
        const c = await store.saveRun(split(0.5, null, 0, 3));
        const plain = await store.saveRun(run({ runTimestamp: T0 + 4, metrics: { total_trades: 3, sharpe_ratio: 3 } }));
        const parts = await store.outOfSample([a, b, c, plain]);
        expect([...parts.keys()]).toEqual([a, b, c]);
        expect(parts.get(a)).toMatchObject({
          fromMs: (T0 + 31 * DAY_S) * 1000,
          toMs: (T0 + 70 * DAY_S) * 1000,
          barsCount: 40,
          barsSha256: 'ab'.repeat(32),
          outOfMoneyTimeMs: null,
        });
        expect(parts.get(a)?.metrics).toMatchObject({
          sharpe_ratio: 0.1,
          total_trades: 4,
          profit_factor: Infinity,
          cagr: null,
        });
        // In-sample by default; out-of-sample on request, runs without a value last.
        const order = async (sample: 'is' | 'oos') =>
          (await store.listRuns({ sort: 'sharpe_ratio', sample })).map((row) => row.id);
        expect(await order('is')).toEqual([plain, a, b, c]);
        // c's out-of-sample Sharpe ratio is NULL and plain has none: both last, newest first.
        expect(await order('oos')).toEqual([b, a, plain, c]);
        expect((await store.bestRun('GOOG', '1Day', 'sharpe_ratio')).row?.id).toBe(plain);
        const oosBest = await store.bestRun('GOOG', '1Day', 'sharpe_ratio', { sample: 'oos', minTrades: 3 });
        expect(oosBest).toMatchObject({ matching: 4, withValue: 2, ranked: 1 });
        expect(oosBest.row?.id).toBe(a);
        expect(await store.countRuns({ sample: 'oos', minTrades: 1 })).toBe(2);
        await store.deleteRuns([a]);
        expect([...(await store.outOfSample([a, b])).keys()]).toEqual([b]);
      }));

    it('exports a split run’s out-of-sample part and imports it elsewhere', async () => {
      const source = await fixture.open();
      const target = await fixture.openSecond();
      try {
        const id = await source.saveRun(
          run({
            outOfSample: {
              bars: { sha256: 'cd'.repeat(32), count: 2, firstTimeMs: 5, lastTimeMs: 9 },
              metrics: { sharpe_ratio: -0.25, profit_factor: -Infinity, total_trades: 1 },
              outOfMoneyTimeMs: 9,
            },
          }),
        );
        const records = await source.exportRuns();
        expect(records[0]?.outOfSample).toEqual((await source.outOfSample([id])).get(id));
        const { ids } = await target.importRuns(records);
        expect((await target.outOfSample(ids)).get(ids[0] as number)).toEqual((await source.outOfSample([id])).get(id));
      } finally {
        await source.close();
        await target.close();
      }
    });

    it('hides walk-forward training runs from lists, counts and rankings unless asked, and finds a group’s runs', () =>
      withStore(async (store) => {
        const plain = await store.saveRun(run({ runTimestamp: T0 + 1, metrics: { total_trades: 3, sharpe_ratio: 1 } }));
        const training = await store.saveRun(
          run({
            runTimestamp: T0 + 2,
            metrics: { total_trades: 3, sharpe_ratio: 9 },
            walkForward: { id: 'wf-1', role: 'training', window: 2 },
          }),
        );
        const stitched = await store.saveRun(
          run({
            runTimestamp: T0 + 3,
            metrics: { total_trades: 3, sharpe_ratio: 2 },
            walkForward: { id: 'wf-1', role: 'stitched' },
          }),
        );
        expect((await store.listRuns()).map((row) => row.id)).toEqual([stitched, plain]);
        expect((await store.listRuns({ includeTraining: true })).map((row) => row.id)).toEqual([
          stitched,
          training,
          plain,
        ]);
        expect(await store.countRuns()).toBe(2);
        expect(await store.countRuns({ includeTraining: true })).toBe(3);
        expect((await store.bestRun('GOOG', '1Day', 'sharpe_ratio')).row?.id).toBe(stitched);
        expect((await store.bestRun('GOOG', '1Day', 'sharpe_ratio', { includeTraining: true })).row?.id).toBe(training);
        expect((await store.listRuns({ walkForwardId: 'wf-1', includeTraining: true })).map((row) => row.id)).toEqual([
          stitched,
          training,
        ]);
        expect(await store.getRun(training)).toMatchObject({
          walk_forward_id: 'wf-1',
          walk_forward_role: 'training',
          walk_forward_window: 2,
        });
        expect((await store.getRun(plain)).walk_forward_id).toBeNull();
        await expect(store.saveRun(run({ walkForward: { id: 'wf-1', role: 'judge' as 'training' } }))).rejects.toThrow(
          /walkForward\.role/,
        );
      }));

    it('stores sweeps with their definition and status, and deletes a sweep with its runs', () =>
      withStore(async (store) => {
        const definition: SweepDefinition = {
          sweepId: 'sweep-a',
          symbol: 'GOOG',
          timeframe: '1Day',
          strategy: { name: 'breakout', module: { path: '/s/breakout.ts', sha256: 'aa'.repeat(32) } },
          grid: ['lookback=5..50:5'],
          where: 'lookback > 5',
          fixedParams: { short: true },
          bars: { sha256: 'bb'.repeat(32), count: 10, firstTimeMs: 0, lastTimeMs: 9 },
          config: {
            initialCash: 1000,
            commission: 0,
            fixedFee: 0,
            slippageBps: 0,
            size: 1,
            fractional: false,
            fillAt: 'next-open',
            riskFreeRate: 0,
          },
        };
        const created = await store.createSweep(definition, 9);
        expect(created).toMatchObject({ status: SweepStatus.Running, planned: 9, done: 0, failed: 0 });
        await expect(store.createSweep(definition, 9)).rejects.toThrow(/already exists/);
        await store.saveRuns([run({ sweepId: 'sweep-a' }), run({ sweepId: 'sweep-a' }), run({ sweepId: 'other' })]);
        await store.updateSweep('sweep-a', { status: SweepStatus.Interrupted, done: 3, failed: 1 });
        const found = await store.findSweep('sweep-a');
        expect(found).toMatchObject({ definition, status: 'interrupted', planned: 9, done: 3, failed: 1 });
        expect((await store.listSweeps({ status: SweepStatus.Interrupted })).map((s) => s.definition.sweepId)).toEqual([
          'sweep-a',
        ]);
        expect(await store.listSweeps({ status: SweepStatus.Completed })).toEqual([]);
        await expect(store.updateSweep('nope', { done: 1 })).rejects.toThrow(StoreError);
        expect(await store.deleteSweep('sweep-a')).toBe(2);
        expect(await store.findSweep('sweep-a')).toBeUndefined();
        expect(await store.countRuns()).toBe(1);
      }));

    it('keeps the period returns of sweep runs, bit for bit, and deletes them with their run', () =>
      withStore(async (store) => {
        const returns = (seed: number) => Float64Array.from([0.01 * seed, -0.0, -1, 1e-300, 0.1 + 0.2, seed / 3]);
        const [first, second, , fourth] = await store.saveRuns([
          run({ sweepId: 'sweep-p', strategyParams: { n: 1 }, periodReturns: returns(1) }),
          run({ sweepId: 'sweep-p', strategyParams: { n: 2 }, periodReturns: returns(2) }),
          run({ sweepId: 'sweep-p', strategyParams: { n: 3 } }),
          run({ sweepId: 'sweep-q', periodReturns: returns(4) }),
        ]);
        const stored = await store.sweepPeriodReturns('sweep-p');
        // Runs without period returns (saved before they were kept) are left out.
        expect(stored.map((r) => [r.id, r.strategyParamsJson])).toEqual([
          [first, '{"n":1}'],
          [second, '{"n":2}'],
        ]);
        expect(Buffer.from((stored[1] as { returns: Float64Array }).returns.buffer)).toEqual(
          Buffer.from(returns(2).buffer),
        );
        expect(Object.is(stored[0]?.returns[1], -0)).toBe(true);
        expect(await store.sweepPeriodReturns('nope')).toEqual([]);
        await store.deleteRuns([first as number]);
        expect((await store.sweepPeriodReturns('sweep-p')).map((r) => r.id)).toEqual([second]);
        expect((await store.sweepPeriodReturns('sweep-q')).map((r) => r.id)).toEqual([fourth]);
        await expect(store.saveRun(run({ periodReturns: Float64Array.from([0.1, Number.NaN]) }))).rejects.toThrow(
          /field periodReturns must hold finite returns of at least -1/,
        );
        await expect(store.saveRun(run({ periodReturns: Float64Array.from([-1.5]) }))).rejects.toThrow(ConfigError);
      }));

    it('stores one overfitting result per sweep, replaces it, and deletes it with the sweep', () =>
      withStore(async (store) => {
        expect(await store.findSweepOverfit('sweep-o')).toBeUndefined();
        await store.saveSweepOverfit('sweep-o', overfitResult(0.5));
        expect(await store.findSweepOverfit('sweep-o')).toEqual(overfitResult(0.5));
        await store.saveSweepOverfit('sweep-o', overfitResult(0.25));
        expect((await store.findSweepOverfit('sweep-o'))?.pbo).toBe(0.25);
        await expect(
          store.saveSweepOverfit('sweep-o', { ...overfitResult(0.1), logits: new Float64Array(2) }),
        ).rejects.toThrow(/6 splits but 2 logits/);
        await expect(store.saveSweepOverfit(' ', overfitResult(0.1))).rejects.toThrow(/sweep id is empty/);
        // Refused results change nothing.
        expect((await store.findSweepOverfit('sweep-o'))?.pbo).toBe(0.25);
        await store.saveRuns([run({ sweepId: 'sweep-o' })]);
        expect(await store.deleteSweep('sweep-o')).toBe(1);
        expect(await store.findSweepOverfit('sweep-o')).toBeUndefined();
      }));

    it('exports period returns and imports them elsewhere', async () => {
      const source = await fixture.open();
      const target = await fixture.openSecond();
      try {
        const periodReturns = Float64Array.from([0.5, -0.25, 0, -1]);
        await source.saveRun(run({ sweepId: 'sweep-x', periodReturns }));
        const records = await source.exportRuns();
        expect(records[0]?.periodReturns).toEqual(periodReturns);
        await target.importRuns(records);
        expect((await target.sweepPeriodReturns('sweep-x')).map((r) => [...r.returns])).toEqual([[0.5, -0.25, 0, -1]]);
      } finally {
        await source.close();
        await target.close();
      }
    });

    it('stores bars, replacing an overlapping range, and loads a range', () =>
      withStore(async (store) => {
        const day = 86_400_000;
        const series = (start: number, n: number, offset: number) =>
          createBarSeries('GOOG', '1Day', {
            timeMs: Float64Array.from({ length: n }, (_, i) => (start + i) * day),
            open: Float64Array.from({ length: n }, (_, i) => 10 + i + offset),
            high: Float64Array.from({ length: n }, (_, i) => 11 + i + offset),
            low: Float64Array.from({ length: n }, (_, i) => 9 + i + offset),
            close: Float64Array.from({ length: n }, (_, i) => 10.5 + i + offset),
            volume: Float64Array.from({ length: n }, () => 100),
          });
        expect(await store.importBars(series(0, 10, 0))).toEqual({ inserted: 10, replaced: 0 });
        expect(await store.importBars(series(5, 10, 100))).toEqual({ inserted: 10, replaced: 5 });
        expect(await store.listBarSets()).toEqual([
          {
            symbol: 'GOOG',
            timeframe: '1Day',
            count: 15,
            firstTimeMs: 0,
            lastTimeMs: 14 * day,
            source: 'file',
            feed: null,
            adjustment: null,
            createdMs: expect.any(Number),
            updatedMs: expect.any(Number),
          },
        ]);
        const loaded = await store.loadBars('GOOG', '1Day', { fromMs: 4 * day, toMs: 6 * day });
        expect(Array.from(loaded?.close ?? [])).toEqual([14.5, 110.5, 111.5]);
        expect(await store.loadBars('MSFT', '1Day')).toBeUndefined();
      }));

    it('loads back exactly the doubles imported, across chunk boundaries and for any range', () =>
      withStore(async (store) => {
        // More bars than two chunks hold, with values whose bits a text or REAL round trip could change.
        const n = 150_000;
        const bars = barsOf('GOOG', 0, n, (i) => [0.1 + 0.2 + i, i % 7 === 0 ? -0 : 5e-324 * i, 1 / 3, 2 ** 52 + i]);
        expect(await store.importBars(bars)).toEqual({ inserted: n, replaced: 0 });
        const all = await store.loadBars('GOOG', '1Day');
        expect(all === undefined ? false : sameBits(all, bars)).toBe(true);
        for (const [from, to] of [
          [0, 0],
          [65_535, 65_536],
          [65_530, 131_080],
          [n - 1, n - 1],
          [12_345, 140_000],
        ] as const) {
          const slice = await store.loadBars('GOOG', '1Day', { fromMs: MINUTE * from, toMs: MINUTE * to });
          expect(slice === undefined ? false : sameBits(slice, sliceBars(bars, from, to + 1))).toBe(true);
        }
        // Range ends between bars, and ranges with no bar.
        const between = await store.loadBars('GOOG', '1Day', { fromMs: MINUTE * 99.5, toMs: MINUTE * 101.5 });
        expect(Array.from(between?.timeMs ?? [])).toEqual([MINUTE * 100, MINUTE * 101]);
        expect(await store.loadBars('GOOG', '1Day', { fromMs: MINUTE * n })).toBeUndefined();
        expect(await store.loadBars('GOOG', '1Day', { toMs: -1 })).toBeUndefined();
        expect(await store.loadBars('GOOG', '1Day', { fromMs: 10, toMs: 20 })).toBeUndefined();
      }));

    it('replaces ranges like one row per bar would, over many imports of every shape', () =>
      withStore(async (store) => {
        // A reference model: time -> price tag; each import replaces its [first, last] range.
        const model = new Map<number, number>();
        const random = seeded(7);
        let tag = 0;
        for (let step = 0; step < 14; step++) {
          const start = Math.floor(random() * 200_000);
          const length = 1 + Math.floor(random() ** 2 * 90_000);
          const every = random() < 0.3 ? 1 + Math.floor(random() * 50) : 1; // sparse imports too
          const times = Array.from({ length: Math.ceil(length / every) }, (_, i) => start + i * every);
          tag += 1;
          const bars = barsOf('ETH-USD', 0, times.length, () => [tag, tag, tag, tag], times);
          const first = times[0] as number;
          const last = times[times.length - 1] as number;
          let expectedReplaced = 0;
          for (const t of [...model.keys()]) {
            if (t >= first && t <= last) {
              model.delete(t);
              expectedReplaced += 1;
            }
          }
          for (const t of times) model.set(t, tag);
          expect(await store.importBars(bars)).toEqual({ inserted: times.length, replaced: expectedReplaced });
        }
        const expected = [...model.entries()].sort((a, b) => a[0] - b[0]);
        const loaded = await store.loadBars('ETH/USD', '1Day');
        expect(loaded?.length).toBe(expected.length);
        expect(Array.from(loaded?.timeMs ?? []).every((t, i) => t === MINUTE * (expected[i]?.[0] as number))).toBe(
          true,
        );
        expect(Array.from(loaded?.close ?? []).every((c, i) => c === expected[i]?.[1])).toBe(true);
        const [set] = await store.listBarSets();
        expect(set).toMatchObject({
          symbol: 'ETH-USD',
          count: expected.length,
          firstTimeMs: MINUTE * (expected[0]?.[0] as number),
          lastTimeMs: MINUTE * (expected[expected.length - 1]?.[0] as number),
        });
      }));

    it('appends page after page, as a resumed fetch writes them', () =>
      withStore(async (store) => {
        const page = 10_000;
        const all = barsOf('BTC/USD', 0, 12 * page, (i) => [i, i + 1, i - 1, i + 0.5]);
        for (let p = 0; p < 12; p++) {
          const result = await store.importBars(sliceBars(all, p * page, (p + 1) * page), {
            source: 'alpaca',
            feed: null,
            adjustment: null,
          });
          expect(result).toEqual({ inserted: page, replaced: 0 });
          expect((await store.getBarSet('BTCUSD', '1Day'))?.lastTimeMs).toBe(MINUTE * ((p + 1) * page - 1));
        }
        const loaded = await store.loadBars('BTC/USD', '1Day');
        expect(loaded === undefined ? false : sameBits(loaded, all)).toBe(true);
      }));

    it('keys a set by symbol and timeframe: BTCUSD, btc-usd and BTC/USD are one set, named as first stored', () =>
      withStore(async (store) => {
        await store.importBars(barsOf('btc/usd', 0, 10, (i) => [i, i, i, i]));
        expect(await store.importBars(barsOf('BTCUSD', 5, 10, () => [99, 99, 99, 99]))).toEqual({
          inserted: 10,
          replaced: 5,
        });
        await store.importBars(barsOf('BTC/USD', 0, 3, () => [1, 1, 1, 1], undefined, '1Hour'));
        expect((await store.listBarSets()).map((s) => `${s.symbol} ${s.timeframe} ${s.count}`)).toEqual([
          'BTC/USD 1Day 15',
          'BTC/USD 1Hour 3',
        ]);
        for (const spelling of ['BTCUSD', 'btc-usd', 'BTC/USD', ' btc/usd ']) {
          const bars = await store.loadBars(spelling, '1Day');
          expect([bars?.symbol, bars?.timeframe, bars?.length]).toEqual(['BTC/USD', '1Day', 15]);
          expect((await store.getBarSet(spelling, '1Day'))?.symbol).toBe('BTC/USD');
        }
        expect(await store.getBarSet('BTC/EUR', '1Day')).toBeUndefined();
        expect(await store.getBarSet('BTCUSD', '1Week')).toBeUndefined();
      }));

    it('records where bars came from and refuses bars of another feed or adjustment with one line', () =>
      withStore(async (store) => {
        const fetched = { source: 'alpaca', feed: 'iex', adjustment: 'raw' };
        await store.importBars(
          barsOf('GOOG', 0, 10, (i) => [i, i, i, i]),
          fetched,
        );
        expect(await store.getBarSet('goog', '1Day')).toMatchObject({ count: 10, ...fetched });
        await expect(
          store.importBars(
            barsOf('GOOG', 10, 5, () => [1, 1, 1, 1]),
            { ...fetched, feed: 'sip' },
          ),
        ).rejects.toThrow(
          new ConfigError(
            'GOOG 1Day holds bars of feed iex; refusing bars of feed sip (delete the set first: backtest data delete GOOG 1Day)',
          ),
        );
        await expect(
          store.importBars(
            barsOf('GOOG', 10, 5, () => [1, 1, 1, 1]),
            { ...fetched, adjustment: 'all' },
          ),
        ).rejects.toThrow(/^GOOG 1Day holds bars of adjustment raw; refusing bars of adjustment all \(delete/);
        // Bars from a file (no feed) are not mixed into fetched ones either.
        await expect(store.importBars(barsOf('GOOG', 10, 5, () => [1, 1, 1, 1]))).rejects.toThrow(
          /^GOOG 1Day holds bars of feed iex; refusing bars without a feed/,
        );
        expect((await store.getBarSet('GOOG', '1Day'))?.count).toBe(10);
        // Same feed and adjustment: accepted; the set keeps its source.
        await store.importBars(
          barsOf('GOOG', 10, 5, () => [1, 1, 1, 1]),
          { source: 'other', feed: 'iex', adjustment: 'raw' },
        );
        expect(await store.getBarSet('GOOG', '1Day')).toMatchObject({ count: 15, ...fetched });
        await expect(
          store.importBars(
            barsOf('GOOG', 0, 1, () => [1, 1, 1, 1]),
            { feed: '' },
          ),
        ).rejects.toThrow(ConfigError);
      }));

    it('deletes a bar set with all its bars', () =>
      withStore(async (store) => {
        await store.importBars(
          barsOf('GOOG', 0, 70_000, (i) => [i, i, i, i]),
          { feed: 'iex' },
        );
        await store.importBars(barsOf('MSFT', 0, 5, (i) => [i, i, i, i]));
        expect(await store.deleteBarSet('goog', '1Day')).toBe(70_000);
        expect(await store.deleteBarSet('GOOG', '1Day')).toBe(0);
        expect(await store.loadBars('GOOG', '1Day')).toBeUndefined();
        expect((await store.listBarSets()).map((s) => s.symbol)).toEqual(['MSFT']);
        // A new set under the same name takes any feed.
        await store.importBars(
          barsOf('GOOG', 0, 3, (i) => [i, i, i, i]),
          { feed: 'sip' },
        );
        expect(await store.getBarSet('GOOG', '1Day')).toMatchObject({ count: 3, feed: 'sip' });
      }));

    it('read-only: reads, and refuses every write', async () => {
      const writer = await fixture.open();
      await writer.saveRun(run());
      await writer.close();
      const reader = await fixture.openReadonly();
      try {
        expect(reader.readonly).toBe(true);
        expect(await reader.countRuns()).toBe(1);
        await expect(reader.saveRun(run())).rejects.toThrow(/read-only/);
        await expect(reader.deleteRuns([1])).rejects.toThrow(/read-only/);
        await expect(reader.importBars(barsOf('GOOG', 0, 1, () => [1, 1, 1, 1]))).rejects.toThrow(/read-only/);
        await expect(reader.deleteBarSet('GOOG', '1Day')).rejects.toThrow(/read-only/);
        await expect(reader.saveSweepOverfit('s', overfitResult(0))).rejects.toThrow(/read-only/);
      } finally {
        await reader.close();
      }
    });
  });
}
