import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../core/errors.js';
import type { BacktestRow } from './backtest-columns.js';
import { csvField, parseBacktests } from './backtest-transfer.js';
import { makeTempDir, sampleInput } from './test-support.js';
import { TradingDatabase } from './trading-database.js';

let cleanup: () => void;
let source: TradingDatabase;
let target: TradingDatabase;

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
      metrics: { calmar_ratio: -Infinity, sqn: 1e-300 },
      config: { strategy: { name: 'sma-cross', params: { fast: 10, slow: 30 } } },
      strategyName: 'sma-cross',
      sweepId: 's1',
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
    it(`round-trips every column exactly through ${format}, with new ids`, () => {
      target.saveBacktestResult(sampleInput({ symbol: 'OLD' }));
      const text = source.exportBacktests({}, format);
      expect(target.importBacktests(text, format)).toEqual({ imported: 3 });
      const original = source.getBacktestResults({ sort: 'id', order: 'asc' });
      const copied = target.getBacktestResults({ sort: 'id', order: 'asc' }).slice(1);
      expect(copied.map((r) => r.id)).toEqual([2, 3, 4]);
      expect(withoutIds(copied)).toEqual(withoutIds(original));
      expect(copied[0]?.profit_factor).toBe(Infinity);
      expect(copied[0]?.sharpe_ratio).toBe(0.30000000000000004);
      expect(copied[1]?.notes).toBe('');
      expect(copied[2]?.notes).toBeNull();
      // Exporting the copy gives the same text apart from the ids.
      const again = target.exportBacktests({ symbol: 'MSFT' }, format);
      const first = source.exportBacktests({ symbol: 'MSFT' }, format);
      expect(again.replace(/^3,|"id": 3/m, 'ID')).toBe(first.replace(/^2,|"id": 2/m, 'ID'));
    });
  }

  it('writes a CSV header and RFC 4180 quoting', () => {
    const text = source.exportBacktests({ symbol: 'GOOG' }, 'csv');
    const [header] = text.split('\n');
    expect(header?.startsWith('id,symbol,timeframe,model_path,run_timestamp,start_date,end_date,')).toBe(true);
    expect(header?.endsWith(',package_version,sweep_id,config_hash')).toBe(true);
    expect(text).toContain(',"has ""quotes"", commas,\nand a line break",');
    expect(text).toContain(',Infinity,');
    expect(text).toContain(',-Infinity,');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField(' x')).toBe('" x"');
    expect(csvField(-Infinity)).toBe('-Infinity');
  });

  it('exports only the filtered rows, and JSON holds Infinity as a string', () => {
    const json = JSON.parse(source.exportBacktests({ sweepId: 's1' }, 'json')) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(json[0]?.profit_factor).toBe('Infinity');
    expect(json[0]?.calmar_ratio).toBe('-Infinity');
  });

  it('imports a CSV with only the older tool’s columns', () => {
    const csv = [
      'symbol,timeframe,run_timestamp,start_date,end_date,initial_capital,final_equity,total_return,sharpe_ratio',
      'BTCUSD,1h,1690000000,1672531200,1688169600,10000,12500.5,25.005,',
    ].join('\r\n');
    expect(target.importBacktests(csv, 'csv')).toEqual({ imported: 1 });
    const [row] = target.getBacktestResults();
    expect(row).toMatchObject({ symbol: 'BTCUSD', final_equity: 12500.5, sharpe_ratio: null, cagr: null });
  });

  it('validates every record first and writes nothing on any error', () => {
    const text = source.exportBacktests({}, 'csv');
    const lines = text.split('\n');
    // Line 5 is the third data row (the first row spans lines 2-3 because of its line break).
    lines[4] = (lines[4] ?? '').replace(/,1700000000,/, ',17e8x,');
    const error = dataError(() => target.importBacktests(lines.join('\n'), 'csv', 'runs.csv'));
    expect(error.message).toBe('runs.csv line 5, column run_timestamp: must be a whole number, not "17e8x"');
    expect(target.countBacktestResults()).toBe(0);
  });

  it('names the record and field of bad JSON values, and refuses NaN and unknown columns', () => {
    const rows = JSON.parse(source.exportBacktests({}, 'json')) as Record<string, unknown>[];
    (rows[1] as Record<string, unknown>).sharpe_ratio = 'NaN';
    const error = dataError(() => target.importBacktests(JSON.stringify(rows), 'json', 'runs.json'));
    expect(error.message).toBe(
      'runs.json (record 2) column sharpe_ratio: is NaN; an undefined metric must be empty (NULL)',
    );
    (rows[1] as Record<string, unknown>).sharpe_ratio = null;
    (rows[2] as Record<string, unknown>).sharp = 1;
    delete (rows[2] as Record<string, unknown>).symbol;
    const columns = dataError(() => target.importBacktests(JSON.stringify(rows), 'json', 'runs.json'));
    expect(columns.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual([
      'sharp: is not a column of backtest_results',
      'symbol: is a required column but is missing',
    ]);
    expect(target.countBacktestResults()).toBe(0);
  });

  it('reports broken text and unknown formats clearly', () => {
    expect(dataError(() => parseBacktests('{', 'json', 'x.json')).message).toMatch(/^x\.json: is not valid JSON/);
    expect(dataError(() => parseBacktests('{}', 'json', 'x.json')).message).toBe(
      'x.json: must be a JSON array of backtest rows',
    );
    expect(dataError(() => parseBacktests('symbol,timeframe\n"a,b', 'csv', 'x.csv')).message).toMatch(
      /^x\.csv.*is not valid CSV/,
    );
    expect(() => source.exportBacktests({}, 'xml' as 'csv')).toThrow(ConfigError);
    expect(parseBacktests('', 'csv')).toEqual([]);
  });
});
