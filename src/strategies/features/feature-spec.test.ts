import { describe, expect, it } from 'vitest';
import { StrategyError } from '../../core/errors.js';
import {
  describeCatalogue,
  describeFeatureSpec,
  FEATURE_NAMES,
  featureSpec,
  featureSpecToJson,
  parseFeatureSpecs,
} from './feature-spec.js';

describe('parseFeatureSpecs', () => {
  it('fills in defaults and works out widths and warm-ups', () => {
    const specs = parseFeatureSpecs(
      JSON.stringify([
        { feature: 'return', lags: 16, scale: 100 },
        { feature: 'rsi' },
        { feature: 'time_of_day', lags: 2 },
        { feature: 'volume_zscore', window: 30, norm: { kind: 'clip', min: -4, max: 4 } },
        { feature: 'position' },
      ]),
      'm.onnx',
    );
    expect(specs.map((s) => [s.feature, s.column, s.window, s.lags, s.scale, s.width, s.warmUp, s.state])).toEqual([
      ['return', 'close', 1, 16, 100, 16, 1, false],
      ['rsi', undefined, 14, 1, 1, 1, 14, false],
      ['time_of_day', undefined, undefined, 2, 1, 4, 0, false],
      ['volume_zscore', undefined, 30, 1, 1, 1, 29, false],
      ['position', undefined, undefined, 1, 1, 1, 0, true],
    ]);
    expect(specs[3]!.norm).toEqual({ kind: 'clip', min: -4, max: 4 });
  });

  it('expands a z-score given as one mean and deviation to every value, or takes one per value', () => {
    const [one, each] = parseFeatureSpecs(
      JSON.stringify([
        { feature: 'return', lags: 3, norm: { kind: 'zscore', mean: 0, std: 2 } },
        { feature: 'day_of_week', norm: { kind: 'zscore', mean: [0, 0.1], std: [1, 0.5], clip: 3 } },
      ]),
      'm.onnx',
    );
    expect(one!.norm).toEqual({ kind: 'zscore', mean: [0, 0, 0], std: [2, 2, 2], clip: undefined });
    expect(each!.norm).toEqual({ kind: 'zscore', mean: [0, 0.1], std: [1, 0.5], clip: 3 });
  });

  it.each([
    ['not json', /is not valid JSON/],
    ['{}', /non-empty JSON array/],
    ['[]', /non-empty JSON array/],
    ['[{"feature":"macd"}]', /\[0\]: feature "macd" is not in the catalogue; known features are return, log_return/],
    [
      '[{"feature":"return","windw":3}]',
      /\[0\] \(return\): unknown field windw; this feature takes feature, lags, scale, norm, column, window/,
    ],
    ['[{"feature":"rsi","column":"high"}]', /unknown field column/],
    ['[{"feature":"return","column":"volume"}]', /column "volume" must be one of open, high, low, close/],
    ['[{"feature":"relative_to_close","column":"close"}]', /must be one of open, high, low/],
    ['[{"feature":"volatility","window":1}]', /window must be a whole number from 2 to 4096/],
    ['[{"feature":"return","lags":0}]', /lags must be a whole number from 1/],
    ['[{"feature":"return","lags":2.5}]', /lags must be a whole number/],
    ['[{"feature":"position","lags":2}]', /lags must be 1; state features/],
    ['[{"feature":"return","scale":0}]', /scale must be a finite number other than 0/],
    ['[{"feature":"return","norm":"zscore"}]', /norm must be "none"/],
    [
      '[{"feature":"return","norm":{"kind":"zscore","mean":0,"std":0}}]',
      /norm.std must be a number or an array of 1 finite numbers > 0/,
    ],
    ['[{"feature":"return","lags":2,"norm":{"kind":"zscore","mean":[0],"std":1}}]', /norm.mean must be .* array of 2/],
    ['[{"feature":"return","norm":{"kind":"clip","min":1,"max":1}}]', /min \(1\) must be below max \(1\)/],
    [
      '[{"feature":"return","norm":{"kind":"clip","min":-1,"max":1,"clip":3}}]',
      /unknown field clip; clip takes kind, min, max/,
    ],
    ['[{"feature":"return","norm":{"kind":"zscore","mean":0,"std":1,"clip":0}}]', /clip must be above 0/],
    ['[{"feature":"return","lags":4096},{"feature":"rsi"}]', /rows 4097 wide; at most 4096/],
  ])('rejects %s', (json, message) => {
    const parse = () => parseFeatureSpecs(json, 'models/X_1Day.onnx');
    expect(parse).toThrow(StrategyError);
    expect(parse).toThrow(/^models\/X_1Day\.onnx: metadata backtest\.features/);
    expect(parse).toThrow(message);
  });

  it('round-trips through featureSpecToJson', () => {
    const json = JSON.stringify([
      { feature: 'log_return', column: 'high', window: 3, lags: 2, scale: 100 },
      { feature: 'sma_ratio', window: 10, norm: { kind: 'zscore', mean: 0.001, std: 0.02, clip: 5 } },
      { feature: 'cash_fraction', norm: { kind: 'clip', min: 0, max: 2 } },
    ]);
    const specs = parseFeatureSpecs(json, 'm.onnx');
    expect(parseFeatureSpecs(JSON.stringify(specs.map(featureSpecToJson)), 'm.onnx')).toEqual(specs);
    expect(describeFeatureSpec(specs[1]!)).toBe('sma_ratio window=10 z-score mean 0.001 std 0.02 clip ±5');
  });
});

describe('the catalogue', () => {
  it('has the documented features, each described on one line', () => {
    expect(FEATURE_NAMES).toEqual([
      'return',
      'log_return',
      'relative_to_close',
      'volume',
      'volume_zscore',
      'sma_ratio',
      'ema_ratio',
      'rsi',
      'atr_pct',
      'volatility',
      'time_of_day',
      'day_of_week',
      'position',
      'unrealized_pnl_pct',
      'cash_fraction',
    ]);
    expect(describeCatalogue()).toHaveLength(FEATURE_NAMES.length);
    expect(featureSpec({ feature: 'ema_ratio' }).window).toBe(20);
  });
});
