import { describe, expect, it } from 'vitest';
import { StrategyError } from '../../core/errors.js';
import {
  DEFAULT_MODEL_CONTRACT,
  decisionFromOutput,
  fillObservations,
  type ModelContract,
  readModelContract,
  scaledReturns,
} from './model-contract.js';

describe('readModelContract', () => {
  it('gives the defaults for empty metadata and ignores keys outside backtest.*', () => {
    expect(readModelContract({ description: 'x', 'training.steps': '1e6' }, 'm.onnx')).toEqual(DEFAULT_MODEL_CONTRACT);
    expect(DEFAULT_MODEL_CONTRACT).toMatchObject({ window: 16, scale: 100, threshold: 0.5, featureCount: 16 });
  });

  it('reads every key', () => {
    const contract = readModelContract(
      {
        'backtest.window': ' 32 ',
        'backtest.scale': '1e4',
        'backtest.position': 'TRUE',
        'backtest.output': 'target',
        'backtest.allow_short': 'true',
        'backtest.threshold': '0.25',
        'backtest.input_name': 'observation',
        'backtest.output_name': 'action',
      },
      'm.onnx',
    );
    expect(contract).toMatchObject({
      window: 32,
      scale: 10_000,
      positionInput: true,
      output: 'target',
      allowShort: true,
      threshold: 0.25,
      inputName: 'observation',
      outputName: 'action',
      featureCount: 33,
      outputWidth: 1,
      declaresFeatures: false,
      decisionMode: 'position',
    });
    // A window of returns is the same as its features: W lags of the close return, then the position.
    expect(contract.features.map((spec) => [spec.feature, spec.column, spec.window, spec.lags, spec.scale])).toEqual([
      ['return', 'close', 1, 32, 10_000],
      ['position', undefined, undefined, 1, 1],
    ]);
  });

  it.each([
    ['backtest.window', '0'],
    ['backtest.window', '2.5'],
    ['backtest.window', '4097'],
    ['backtest.window', ''],
    ['backtest.scale', '0'],
    ['backtest.scale', '-100'],
    ['backtest.scale', 'Infinity'],
    ['backtest.threshold', '1'],
    ['backtest.threshold', '-0.1'],
    ['backtest.threshold', 'half'],
    ['backtest.position', 'yes'],
    ['backtest.allow_short', '1'],
    ['backtest.output', 'continuous'],
    ['backtest.input_name', ' '],
  ])('rejects %s="%s" with one line naming the file and the key', (key, value) => {
    const read = () => readModelContract({ [key]: value }, 'models/X_1Day.onnx');
    expect(read).toThrow(StrategyError);
    expect(read).toThrow(`models/X_1Day.onnx: metadata ${key}="${value}" is invalid; expected `);
  });

  it('rejects an unknown backtest.* key so that a typo cannot fall back to a default', () => {
    expect(() => readModelContract({ 'backtest.windw': '8' }, 'm.onnx')).toThrow(
      'm.onnx: unknown metadata key backtest.windw; known keys are backtest.window,',
    );
  });
});

describe('scaledReturns and fillObservations', () => {
  const contract: ModelContract = { ...DEFAULT_MODEL_CONTRACT, window: 2, featureCount: 3, positionInput: true };

  it('puts the newest return first, then older ones, then the position', () => {
    // closes 100, 110, 99, 99 → returns (×100): —, +10, −10, 0.
    const returns = scaledReturns(new Float64Array([100, 110, 99, 99]), 100);
    expect(Number.isNaN(returns[0])).toBe(true);
    expect(returns[1]).toBeCloseTo(10, 12);
    expect(returns[2]).toBeCloseTo(-10, 12);
    expect(returns[3]).toBe(0);

    const features = new Float32Array(4 * 3).fill(7);
    const valid = new Uint8Array(4);
    fillObservations(returns, contract, 0, 4, -1, features, valid);
    // bars 0 and 1: fewer than 2 returns → invalid, zero-filled.
    // bar 2: (r₂, r₁, position) = (−10, 10, −1); bar 3: (r₃, r₂, position) = (0, −10, −1).
    expect(Array.from(valid)).toEqual([0, 0, 1, 1]);
    expect(Array.from(features)).toEqual([0, 0, 0, 0, 0, 0, -10, 10, -1, 0, -10, -1].map(Math.fround));
  });

  it('fills rows starting mid-series', () => {
    const returns = scaledReturns(new Float64Array([100, 110, 99, 99]), 100);
    const features = new Float32Array(3);
    const valid = new Uint8Array(1);
    fillObservations(returns, contract, 3, 1, 1, features, valid);
    expect(Array.from(features)).toEqual([0, -10, 1].map(Math.fround));
    expect(valid[0]).toBe(1);
  });
});

describe('decisionFromOutput', () => {
  const discrete = DEFAULT_MODEL_CONTRACT;
  const discreteShort: ModelContract = { ...discrete, allowShort: true };
  const target: ModelContract = { ...discrete, output: 'target', outputWidth: 1, threshold: 0.5 };
  const targetShort: ModelContract = { ...target, allowShort: true };

  it.each([
    [[0.6, 0.3, 0.1], undefined, undefined],
    [[0.2, 0.7, 0.1], 1, 1],
    [[0.2, 0.1, 0.7], 0, -1],
    // Ties go to the lower index: hold beats buy, buy beats sell.
    [[0.4, 0.4, 0.2], undefined, undefined],
    [[0.2, 0.4, 0.4], 1, 1],
    [[0.4, 0.2, 0.4], undefined, undefined],
    // Logits work as well as probabilities.
    [[-3, 2, 5], 0, -1],
    [[Number.NaN, 2, 5], undefined, undefined],
  ])('discrete %j → %s (short: %s)', (row, flat, short) => {
    expect(decisionFromOutput(discrete, row, 0)).toBe(flat);
    expect(decisionFromOutput(discreteShort, row, 0)).toBe(short);
  });

  it.each([
    [0.51, 1, 1],
    [0.5, 0, 0],
    [0, 0, 0],
    [-0.5, 0, 0],
    [-0.51, 0, -1],
    [Number.NaN, undefined, undefined],
  ])('target %s → %s (short: %s)', (value, flat, short) => {
    expect(decisionFromOutput(target, [value], 0)).toBe(flat);
    expect(decisionFromOutput(targetShort, [value], 0)).toBe(short);
  });

  it('reads the row at the given offset', () => {
    expect(decisionFromOutput(discrete, [0.9, 0, 0, 0, 1, 0], 3)).toBe(1);
  });
});
