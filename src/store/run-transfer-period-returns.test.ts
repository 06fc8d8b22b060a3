import { describe, expect, it } from 'vitest';
import { DataError } from '../core/errors.js';
import { formatRuns, inputFromRecord, parseRuns, recordFromInput } from './run-transfer.js';

const input = {
  symbol: 'GOOG',
  timeframe: '1Day',
  runTimestamp: 1_700_000_000,
  startDate: 1_577_836_800,
  endDate: 1_609_372_800,
  initialCapital: 10_000,
  finalEquity: 11_000,
  totalReturn: 10,
  sweepId: 'sweep-a',
  periodReturns: Float64Array.from([0.1, -0.25, 0, -1, 1e-17]),
};

describe('period returns in the JSON transfer formats', () => {
  it('go out as period_returns and come back bit for bit, in json and jsonl (recovery files too)', () => {
    const record = recordFromInput(input);
    expect(record.periodReturns).toEqual(input.periodReturns);
    for (const format of ['json', 'jsonl'] as const) {
      const text = formatRuns([record], format);
      expect(text).toContain('"period_returns":');
      const [back] = parseRuns(text, format, 'runs');
      expect(back?.periodReturns).toEqual(input.periodReturns);
      expect(back === undefined ? undefined : inputFromRecord(back).periodReturns).toEqual(input.periodReturns);
    }
    // CSV holds the summary only.
    expect(formatRuns([record], 'csv')).not.toContain('period');
  });

  it('refuse anything but finite returns of at least -1, naming the record and field', () => {
    const text = formatRuns([recordFromInput(input)], 'jsonl').replace(
      '"period_returns":[0.1',
      '"period_returns":[-1.5',
    );
    const error = (() => {
      try {
        parseRuns(text, 'jsonl', 'runs.jsonl');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toBe(
      'runs.jsonl line 1 column period_returns: must be an array of finite returns of at least -1',
    );
  });
});
