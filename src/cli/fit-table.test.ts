import { describe, expect, it } from 'vitest';
import {
  COMFORTABLE_SHRINK_WIDTH,
  fitTable,
  MIN_SHRINK_WIDTH,
  type TableToFit,
  tableWidth,
  truncateMiddle,
  wrapText,
} from './fit-table.js';
import { renderFittedTable } from './format.js';

/** A `list`-shaped table: a long name column and metric columns that may be dropped. */
const runs: TableToFit = {
  columns: [
    { header: 'ID' },
    { header: 'Symbol' },
    { header: 'Strategy / model', shrink: true },
    { header: 'Return [%]', align: 'right', dropRank: 1 },
    { header: 'Sharpe', align: 'right', dropRank: 2 },
    { header: 'Max DD [%]', align: 'right', dropRank: 3 },
    { header: 'Trades', align: 'right', dropRank: 4 },
  ],
  rows: [
    ['1', 'GOOG', 'sma-cross fast=10 short=false slow=30', '477.53', '1.033', '-29.58', '33'],
    ['2', 'EURUSD', 'models/rl_symbols/EURUSD_1Hour.onnx', '-3.10', '-0.212', '-8.40', '120'],
    ['3', 'GOOG', 'buy-and-hold', '698.13', '0.879', '-65.29', '1'],
  ],
};

/** The widest line of a rendered table, in characters. */
function renderedWidth(text: string): number {
  return Math.max(...text.split('\n').map((line) => [...line].length));
}

describe('fitTable', () => {
  it('returns the whole table when there is no width limit (piped output, --wide)', () => {
    const fitted = fitTable(runs, undefined);
    expect(fitted.columns).toEqual(runs.columns);
    expect(fitted.rows).toEqual(runs.rows);
    expect(fitted.hidden).toEqual([]);
    expect(fitted.width).toBe(renderedWidth(renderFittedTable(runs, undefined)));
  });

  it('leaves a table that fits alone', () => {
    const natural = fitTable(runs, undefined).width;
    expect(fitTable(runs, natural).rows).toEqual(runs.rows);
    expect(fitTable(runs, natural).hidden).toEqual([]);
  });

  it('shortens long names before it drops any column', () => {
    const natural = fitTable(runs, undefined).width;
    const fitted = fitTable(runs, natural - 5);
    expect(fitted.hidden).toEqual([]);
    expect(fitted.width).toBe(natural - 5);
    expect(fitted.rows[0]![2]).toBe('sma-cross fast=…rt=false slow=30');
    expect(fitted.rows[2]![2]).toBe('buy-and-hold');
  });

  it('drops columns by rank, highest first, once names are at the comfortable width', () => {
    // ID, Symbol, a 24-wide name, Return and Sharpe: 2 + 6 + 24 + 10 + 6 + 5 × 3 + 1 = 64.
    const fitted = fitTable(runs, 64);
    expect(fitted.hidden).toEqual(['Max DD [%]', 'Trades']);
    expect(fitted.columns.map((column) => column.header)).toEqual([
      'ID',
      'Symbol',
      'Strategy / model',
      'Return [%]',
      'Sharpe',
    ]);
    expect(fitted.width).toBe(64);
    expect(fitted.rows.every((row) => [...row[2]!].length <= COMFORTABLE_SHRINK_WIDTH)).toBe(true);
  });

  it('shortens names below the comfortable width only when every droppable column is gone', () => {
    // The header "Strategy / model" is never shortened: 16 characters is as narrow as that column gets.
    const fitted = fitTable(runs, 34);
    expect(fitted.hidden).toEqual(['Return [%]', 'Sharpe', 'Max DD [%]', 'Trades']);
    expect(fitted.width).toBe(34);
    expect(fitted.rows[1]![2]).toBe('models/…our.onnx');
  });

  it('returns the columns that always stay, at their narrowest, when nothing fits', () => {
    const fitted = fitTable(runs, 10);
    expect(fitted.columns.map((column) => column.header)).toEqual(['ID', 'Symbol', 'Strategy / model']);
    expect(fitted.width).toBe(tableWidth([2, 6, 16]));
    expect(fitted.width).toBeGreaterThan(10);
  });

  it('never cuts a shortened cell below the minimum width', () => {
    const narrowHeader: TableToFit = { columns: [{ header: 'N', shrink: true }], rows: [['x'.repeat(40)]] };
    expect(fitTable(narrowHeader, 5).rows[0]![0]).toHaveLength(MIN_SHRINK_WIDTH);
  });

  it('stays within every width it can fit, and says so truthfully', () => {
    const smallest = fitTable(runs, 0).width;
    for (let width = smallest; width <= 120; width++) {
      const fitted = fitTable(runs, width);
      const drawn = renderedWidth(renderFittedTable(runs, width).split('\nHidden')[0]!);
      expect(drawn, `width ${width}`).toBe(fitted.width);
      expect(fitted.width, `width ${width}`).toBeLessThanOrEqual(width);
    }
  });

  it('wraps shrinkable rows across run columns, keeping every character (compare)', () => {
    const compare: TableToFit = {
      columns: [
        { header: '', shrink: true, minWidth: 16 },
        { header: '#1', align: 'right' },
        { header: '#2', align: 'right' },
      ],
      rows: [
        ['Symbol', 'GOOG', 'GOOG'],
        ['Strategy / model', 'sma-cross fast=10 short=false slow=30', 'models/rl_symbols/GOOG_1Day.onnx'],
        ['Average trade duration [bars]', '36.5', '69'],
      ],
      shrinkRows: [1],
      overflow: 'wrap',
    };
    const fitted = fitTable(compare, 60);
    expect(fitted.hidden).toEqual([]);
    expect(fitted.width).toBeLessThanOrEqual(60);
    expect(fitted.rows[1]![1]!.replace(/\n/g, ' ')).toBe('sma-cross fast=10 short=false slow=30');
    expect(fitted.rows[1]![2]!.replace(/\n/g, '')).toBe('models/rl_symbols/GOOG_1Day.onnx');
    expect(fitted.rows[0]).toEqual(['Symbol', 'GOOG', 'GOOG']);
  });
});

describe('truncateMiddle', () => {
  it('keeps the start and the end around one ellipsis', () => {
    expect(truncateMiddle('models/rl_symbols/GOOG_1Day.onnx', 20)).toBe('models/rl…_1Day.onnx');
    expect(truncateMiddle('short', 20)).toBe('short');
    expect([...truncateMiddle('x'.repeat(50), 12)]).toHaveLength(12);
  });
});

describe('wrapText', () => {
  it('breaks at spaces, then after slashes or dots, then anywhere', () => {
    expect(wrapText('strategy.params.thresholdPct', 16)).toBe('strategy.params.\nthresholdPct');
    expect(wrapText('sma-cross fast=10 slow=30', 12)).toBe('sma-cross\nfast=10\nslow=30');
    expect(wrapText('models/rl_symbols/GOOG_1Day.onnx', 15)).toBe('models/\nrl_symbols/\nGOOG_1Day.onnx');
    expect(wrapText('abcdefghij', 4)).toBe('abcd\nefgh\nij');
  });
});
