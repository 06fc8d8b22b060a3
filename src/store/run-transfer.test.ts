import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../core/errors.js';
import type { Trade } from '../core/result.js';
import type { BacktestRow } from './run-row.js';
import { csvField, parseRuns } from './run-transfer.js';
import { legacyRowUuid } from './run-uuid.js';
import { makeTempDir, sampleInput } from './sqlite/test-support.js';
import { TradingDatabase } from './sqlite/trading-database.js';

let cleanup: () => void;
let source: TradingDatabase;
let target: TradingDatabase;

const trade: Trade = {
  side: 'short',
  quantity: 3,
  entryIndex: 1,
  exitIndex: 4,
  entryTimeMs: 1_600_000_000_000,
  exitTimeMs: 1_600_300_000_000,
  entryPrice: 101.5,
  exitPrice: 99.25,
  pnl: 6.1,
  returnPct: 2.003284072249589,
  costs: 0.65,
};

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = makeTempDir());
  source = TradingDatabase.open(join(dir, 'source.db'));
  target = TradingDatabase.open(join(dir, 'target.db'));
  source.saveBacktestResults([
    sampleInput({
      notes: 'has "quotes", commas,\nand a line break',
      profitFactor: Infinity,
      sharpeRatio: 0.1 + 0.2, // 0.30000000000000004 must survive exactly
      metrics: {
        calmar_ratio: -Infinity,
        sqn: 1e-300,
        returns_skewness: -0.1 - 0.2, // −0.30000000000000004, bit for bit
        returns_kurtosis: 4.75,
        returns_count: 251,
      },
      config: { strategy: { name: 'sma-cross', params: { fast: 10, slow: 30 } } },
      strategyName: 'sma-cross',
      sweepId: 's1',
      trades: [trade],
      outOfMoneyTimeMs: 1_600_300_000_000,
      equityCurve: {
        timeMs: new Float64Array([Date.UTC(2020, 0, 30), Date.UTC(2020, 0, 31), Date.UTC(2020, 1, 3)]),
        equity: new Float64Array([10_000, 10_050.25, 9_990]),
      },
    }),
    sampleInput({ symbol: 'MSFT', notes: '', modelPath: ' spaced.onnx ', totalTrades: 0 }),
    sampleInput({ symbol: 'EURUSD', timeframe: '1Hour' }),
  ]);
});

afterEach(() => {
  source.close();
  target.close();
  cleanup();
});

function withoutIds(rows: readonly BacktestRow[]): Omit<BacktestRow, 'id'>[] {
  return rows.map(({ id: _, ...rest }) => rest);
}

function dataError(fn: () => unknown): DataError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error('expected a DataError');
}

describe('export and import', () => {
  for (const format of ['csv', 'json'] as const) {
    it(`round-trips every field exactly through ${format}, with new ids and the same UUIDs`, () => {
      target.saveBacktestResult(sampleInput({ symbol: 'OLD' }));
      const text = source.exportBacktests({}, format);
      expect(target.importBacktests(text, format)).toEqual({ imported: 3, present: 0, ids: [2, 3, 4] });
      const original = source.getBacktestResults({ sort: 'id', order: 'asc' });
      const copied = target.getBacktestResults({ sort: 'id', order: 'asc' }).slice(1);
      expect(withoutIds(copied)).toEqual(withoutIds(original));
      expect(copied[0]?.profit_factor).toBe(Infinity);
      expect(copied[0]?.sharpe_ratio).toBe(0.30000000000000004);
      expect(copied[0]).toMatchObject({
        returns_skewness: -0.30000000000000004,
        returns_kurtosis: 4.75,
        returns_count: 251,
      });
      expect(copied[1]).toMatchObject({ returns_skewness: null, returns_kurtosis: null, returns_count: null });
      expect(copied[1]?.notes).toBe('');
      expect(copied[2]?.notes).toBeNull();
      // Exporting the copy gives the same text apart from the ids.
      const again = target.exportBacktests({ symbol: 'MSFT' }, format);
      const first = source.exportBacktests({ symbol: 'MSFT' }, format);
      expect(again.replace(/^3,|"id": 3/m, 'ID')).toBe(first.replace(/^2,|"id": 2/m, 'ID'));
    });

    it(`importing the same ${format} file twice leaves the history unchanged`, () => {
      const text = source.exportBacktests({}, format);
      target.importBacktests(text, format);
      const before = target.getBacktestResults({ sort: 'id', order: 'asc' });
      expect(target.importBacktests(text, format)).toEqual({ imported: 0, present: 3, ids: [] });
      expect(target.getBacktestResults({ sort: 'id', order: 'asc' })).toEqual(before);
    });
  }

  it('imports exports written before schema 5 (no skewness, kurtosis or count of returns) with NULL in them', () => {
    const json = JSON.parse(source.exportBacktests({ sweepId: 's1' }, 'json')) as Record<string, unknown>[];
    for (const record of json) {
      delete record.returns_skewness;
      delete record.returns_kurtosis;
      delete record.returns_count;
    }
    target.importBacktests(JSON.stringify(json), 'json');
    const [copy] = target.getBacktestResults();
    expect(copy).toMatchObject({ sweep_id: 's1', returns_skewness: null, returns_kurtosis: null, returns_count: null });
  });

  it('JSON carries the equity curve (with month ends) and the trades; CSV does not', () => {
    const json = JSON.parse(source.exportBacktests({ sweepId: 's1' }, 'json')) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(json[0]?.profit_factor).toBe('Infinity');
    expect(json[0]?.calmar_ratio).toBe('-Infinity');
    expect(json[0]?.trades).toEqual([trade]);
    expect(json[0]?.equity_curve).toEqual({
      time_ms: [Date.UTC(2020, 0, 30), Date.UTC(2020, 0, 31), Date.UTC(2020, 1, 3)],
      equity: [10_000, 10_050.25, 9_990],
      source_point_count: 3,
      month_end_time_ms: [Date.UTC(2020, 0, 31), Date.UTC(2020, 1, 3)],
      month_end_equity: [10_050.25, 9_990],
    });
    target.importBacktests(JSON.stringify(json), 'json');
    const [copy] = target.getBacktestResults();
    expect(target.getTrades(copy?.id ?? 0)).toEqual([trade]);
    expect(target.getEquityCurve(copy?.id ?? 0)).toEqual(source.getEquityCurve(1));
    expect(copy?.out_of_money_time_ms).toBe(1_600_300_000_000);
    expect(source.exportBacktests({}, 'csv')).not.toContain('equity_curve');
  });

  it('writes a CSV header and RFC 4180 quoting', () => {
    const text = source.exportBacktests({ symbol: 'GOOG' }, 'csv');
    const [header] = text.split('\n');
    expect(header?.startsWith('id,symbol,timeframe,model_path,run_timestamp,start_date,end_date,')).toBe(true);
    expect(
      header?.endsWith(
        ',config_hash,uuid,out_of_money_time_ms,strategy_module_path,strategy_module_sha256,returns_skewness,returns_kurtosis,returns_count,walk_forward_id,walk_forward_role,walk_forward_window',
      ),
    ).toBe(true);
    expect(text).toContain(',"has ""quotes"", commas,\nand a line break",');
    expect(text).toContain(',Infinity,');
    expect(text).toContain(',-Infinity,');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField(' x')).toBe('" x"');
    expect(csvField(-Infinity)).toBe('-Infinity');
  });

  it('neutralises formula-like text in CSV (OWASP), keeps numbers numbers, and round-trips it exactly', () => {
    const notes = ["=cmd|' /C calc'!A0", '+1', '-2', '@SUM(A1)', '\tx', "'quoted", 'plain'];
    source.saveBacktestResults(notes.map((note, i) => sampleInput({ symbol: `F${i}`, notes: note, totalReturn: -5 })));
    const text = source.exportBacktests({}, 'csv');
    expect(text).toContain(",'=cmd|' /C calc'!A0,");
    expect(text).toContain(",'+1");
    expect(text).toContain(",'-2");
    expect(text).toContain(",'@SUM(A1)");
    expect(text).toContain(",'\tx,");
    expect(text).toContain(",''quoted");
    expect(text).toContain(',plain');
    // Numbers are not text: a negative return stays a number a spreadsheet can add up.
    expect(text).toMatch(/,-5,/);
    target.importBacktests(text, 'csv');
    const copied = target.getBacktestResults({ sort: 'id', order: 'asc' }).slice(3);
    expect(copied.map((row) => row.notes)).toEqual(notes);
  });

  it('imports the older tool’s CSV (its columns only), once, with a UUID its columns derive', () => {
    const csv = [
      'id,symbol,timeframe,run_timestamp,start_date,end_date,initial_capital,final_equity,total_return,sharpe_ratio,profit_factor',
      '7,BTCUSD,1h,1690000000,1672531200,1688169600,10000,12500.5,25.005,nan,inf',
      '8,BTCUSD,1h,1690000001,1672531200,1688169600,10000,9000,-10,-0.5,-inf',
    ].join('\r\n');
    expect(target.importBacktests(csv, 'csv')).toEqual({ imported: 2, present: 0, ids: [1, 2] });
    const [second, first] = target.getBacktestResults();
    expect(first).toMatchObject({
      symbol: 'BTCUSD',
      final_equity: 12500.5,
      sharpe_ratio: null,
      profit_factor: Infinity,
    });
    expect(second?.profit_factor).toBe(-Infinity);
    expect(first?.uuid).toBe(
      legacyRowUuid({
        id: 7,
        symbol: 'BTCUSD',
        timeframe: '1h',
        run_timestamp: 1690000000,
        start_date: 1672531200,
        end_date: 1688169600,
        initial_capital: 10000,
        final_equity: 12500.5,
        total_return: 25.005,
        profit_factor: Infinity,
      }),
    );
    expect(target.importBacktests(csv, 'csv')).toMatchObject({ imported: 0, present: 2 });
  });

  it('reads Python’s bare Infinity, -Infinity and NaN in JSON', () => {
    const text = `[{"symbol": "X", "timeframe": "1Day", "run_timestamp": 1700000000, "start_date": 1600000000,
      "end_date": 1600086400, "initial_capital": 1000, "final_equity": 1100, "total_return": 10,
      "profit_factor": Infinity, "calmar_ratio": -Infinity, "sharpe_ratio": NaN, "notes": "NaN and Infinity stay text"}]`;
    const [record] = parseRuns(text, 'json', 'py.json');
    expect(record?.row).toMatchObject({
      profit_factor: Infinity,
      calmar_ratio: -Infinity,
      sharpe_ratio: null,
      notes: 'NaN and Infinity stay text',
    });
  });

  for (const format of ['csv', 'json'] as const) {
    it(`keeps a run's walk-forward link through ${format}: a training run stays hidden, a stitched run linked`, () => {
      const [training, stitched] = source.saveBacktestResults([
        sampleInput({ symbol: 'WF', walkForward: { id: 'wf-1', role: 'training', window: 2 } }),
        sampleInput({ symbol: 'WF', walkForward: { id: 'wf-1', role: 'stitched' } }),
      ]);
      const text = source.exportBacktests({ symbol: 'WF', includeTraining: true }, format);
      expect(target.importBacktests(text, format)).toMatchObject({ imported: 2 });
      const link = (row: BacktestRow | undefined) => [
        row?.walk_forward_id,
        row?.walk_forward_role,
        row?.walk_forward_window,
      ];
      const copied = target.getBacktestResults({ sort: 'id', order: 'asc', includeTraining: true });
      expect(copied.map(link)).toEqual([
        link(source.getBacktestResults({ includeTraining: true }).find((r) => r.id === training)),
        link(source.getBacktestResults().find((r) => r.id === stitched)),
      ]);
      expect(copied.map(link)).toEqual([
        ['wf-1', 'training', 2],
        ['wf-1', 'stitched', null],
      ]);
      expect(target.getBacktestResults().map((row) => row.walk_forward_role)).toEqual(['stitched']);
    });
  }

  it('refuses an imported walk-forward role without its group', () => {
    const rows = JSON.parse(source.exportBacktests({ sweepId: 's1' }, 'json')) as Record<string, unknown>[];
    (rows[0] as Record<string, unknown>).walk_forward_role = 'training';
    expect(() => target.importBacktests(JSON.stringify(rows), 'json', 'runs.json')).toThrow(/walkForward/);
    expect(target.countBacktestResults({ includeTraining: true })).toBe(0);
  });

  it('validates every record first, as a save would, and writes nothing on any error', () => {
    const text = source.exportBacktests({}, 'csv');
    const lines = text.split('\n');
    // Line 5 is the third data row (the first row spans lines 2-3 because of its line break).
    lines[4] = (lines[4] ?? '').replace(/,1700000000,/, ',17e8x,');
    const error = dataError(() => target.importBacktests(lines.join('\n'), 'csv', 'runs.csv'));
    expect(error.message).toBe('runs.csv line 5, column run_timestamp: must be a whole number, not "17e8x"');
    // A value the text allows but a save does not: the record (its last line) and field are named.
    const negative = text.replace(/,10000,11250,/g, ',-5,11250,');
    expect(() => target.importBacktests(negative, 'csv', 'runs.csv')).toThrow(
      /runs\.csv line 3: field initialCapital must be a finite number above 0, not -5/,
    );
    expect(target.countBacktestResults()).toBe(0);
  });

  it('names the record and field of bad JSON values, and refuses NaN where a value is required', () => {
    const rows = JSON.parse(source.exportBacktests({}, 'json')) as Record<string, unknown>[];
    (rows[1] as Record<string, unknown>).total_return = 'NaN';
    const error = dataError(() => target.importBacktests(JSON.stringify(rows), 'json', 'runs.json'));
    expect(error.message).toBe('runs.json (record 2) column total_return: is NaN, but this column needs a number');
    (rows[1] as Record<string, unknown>).total_return = 1;
    (rows[2] as Record<string, unknown>).sharp = 1;
    delete (rows[2] as Record<string, unknown>).symbol;
    const columns = dataError(() => target.importBacktests(JSON.stringify(rows), 'json', 'runs.json'));
    expect(columns.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual([
      'sharp: is not a field of a backtest run',
      'symbol: is a required column but is missing',
    ]);
    expect(target.countBacktestResults()).toBe(0);
  });

  it('reports broken text and unknown formats clearly', () => {
    expect(dataError(() => parseRuns('{', 'json', 'x.json')).message).toMatch(/^x\.json: is not valid JSON/);
    expect(dataError(() => parseRuns('{}', 'json', 'x.json')).message).toBe(
      'x.json: must be a JSON array of backtest runs',
    );
    expect(dataError(() => parseRuns('symbol,timeframe\n"a,b', 'csv', 'x.csv')).message).toMatch(
      /^x\.csv.*is not valid CSV/,
    );
    expect(() => source.exportBacktests({}, 'xml' as 'csv')).toThrow(ConfigError);
    expect(parseRuns('', 'csv')).toEqual([]);
  });
});

describe('crafted import files', () => {
  const base = {
    symbol: 'X',
    timeframe: '1Day',
    run_timestamp: 1_700_000_000,
    start_date: 1_600_000_000,
    end_date: 1_600_086_400,
    initial_capital: 1000,
    final_equity: 1100,
    total_return: 10,
  };
  it.each([
    [{ run_timestamp: 9_999_999_999 }, /run_timestamp|runTimestamp.*not a time between 1970 and 2200/],
    [{ start_date: -5 }, /startDate.*not a time between 1970 and 2200/],
    [{ end_date: 1_500_000_000 }, /endDate 1500000000 is before startDate/],
    [{ timeframe: '7Min7' }, /timeframe is "7Min7", not a timeframe/],
    [{ symbol: '\u001b[31mEVIL' }, /symbol holds a control character \(U\+001B\)/],
    [{ notes: 'bell\u0007' }, /notes holds a control character \(U\+0007\)/],
    [{ config_json: '{broken' }, /configJson must be valid JSON text/],
    [{ initial_capital: 0 }, /initialCapital must be a finite number above 0/],
    [{ total_trades: 2.5 }, /total_trades.*whole number|totalTrades|must be a whole number/],
  ])('refuses %j, naming the record and field, and imports nothing', (change, reason) => {
    const text = JSON.stringify([base, { ...base, ...change }]);
    expect(() => target.importBacktests(text, 'json', 'crafted.json')).toThrow(reason);
    expect(() => target.importBacktests(text, 'json', 'crafted.json')).toThrow(/crafted\.json \(record 2\)/);
    expect(target.countBacktestResults()).toBe(0);
  });

  it('keeps tabs and line breaks in notes', () => {
    const text = JSON.stringify([{ ...base, notes: 'a\tb\nc' }]);
    expect(target.importBacktests(text, 'json', 'ok.json').imported).toBe(1);
  });
});
