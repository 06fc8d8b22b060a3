import { describe, expect, it } from 'vitest';
import { describeRunSource, rowParams, rowStrategyName } from './stored-run.js';

const row = (
  fields: Partial<Record<'model_path' | 'strategy_name' | 'strategy_params_json' | 'config_json', string | null>>,
) => ({
  model_path: null,
  strategy_name: null,
  strategy_params_json: null,
  config_json: null,
  ...fields,
});

describe('reading what produced a stored run', () => {
  it('prefers the dedicated columns', () => {
    const r = row({
      strategy_name: 'sma-cross',
      strategy_params_json: '{"fast":10,"slow":30}',
      config_json: '{"strategy":{"name":"x"}}',
    });
    expect(rowStrategyName(r)).toBe('sma-cross');
    expect(rowParams(r)).toEqual({ fast: 10, slow: 30 });
    expect(describeRunSource(r)).toBe('sma-cross fast=10 slow=30');
  });

  it('falls back to the config for rows without them', () => {
    const r = row({ config_json: '{"strategy":{"name":"rsi","params":{"period":14}}}' });
    expect(describeRunSource(r)).toBe('rsi period=14');
  });

  it('shows the model file for model runs', () => {
    expect(describeRunSource(row({ model_path: 'models/rl_symbols/GOOGL_1Hour.pt', strategy_name: 'onnx' }))).toBe(
      'models/rl_symbols/GOOGL_1Hour.pt',
    );
  });

  it('never throws on what another program wrote', () => {
    const r = row({ config_json: '{"initial_capital": 10000', strategy_params_json: '[1,2]' });
    expect(rowStrategyName(r)).toBeUndefined();
    expect(rowParams(r)).toBeUndefined();
    expect(describeRunSource(r)).toBe('?');
  });
});
