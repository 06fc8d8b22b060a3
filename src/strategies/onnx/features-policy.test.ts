/**
 * Models that declare `backtest.features`, run through the real engine: for every feature in
 * the catalogue, decisions on a truncated series equal those on the full series (no look-ahead),
 * and every decision is the model's answer to the row an independent forward pass builds from
 * the account the engine reported at that bar (so the speculative batches of stepped models
 * never change a decision).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../core/bars.js';
import { sliceBars } from '../../core/bars.js';
import { resolveConfig } from '../../core/config.js';
import type { Direction, Strategy, StrategyContext } from '../../core/strategy.js';
import { runEngine } from '../../engine/run-engine.js';
import { FEATURE_NAMES, parseFeatureSpecs } from '../features/feature-spec.js';
import { randomBars } from '../features/feature-test-support.js';
import { ObservationRows } from '../features/observation-rows.js';
import { loadOnnxPolicy, type OnnxPolicy } from './load-onnx-policy.js';
import { actionFromOutput, type PolicyAction, readModelContract } from './model-contract.js';
import { forwardPass, randomLayers } from './onnx-test-support.js';
import { onnxStrategy } from './onnx-strategy.js';
import { writeOnnxModel } from './write-onnx-model.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'features-policy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One model per feature: the feature itself, next to two returns so that every model trades. */
const FEATURE_UNDER_TEST: Record<string, object> = {
  return: { feature: 'return', column: 'open', window: 2, lags: 3, scale: 100 },
  log_return: { feature: 'log_return', window: 3, scale: 100, norm: { kind: 'zscore', mean: 0, std: 2 } },
  relative_to_close: { feature: 'relative_to_close', column: 'high', scale: 100 },
  volume: { feature: 'volume', norm: { kind: 'zscore', mean: 1.75e6, std: 7e5 } },
  volume_zscore: { feature: 'volume_zscore', window: 24 },
  sma_ratio: { feature: 'sma_ratio', window: 30, scale: 100 },
  ema_ratio: { feature: 'ema_ratio', window: 10, scale: 100 },
  rsi: { feature: 'rsi', window: 14, norm: { kind: 'zscore', mean: 50, std: 15 } },
  atr_pct: { feature: 'atr_pct', window: 14, norm: { kind: 'zscore', mean: 1.6, std: 0.2 } },
  volatility: { feature: 'volatility', window: 20, scale: 100, norm: { kind: 'zscore', mean: 1.15, std: 0.15 } },
  time_of_day: { feature: 'time_of_day' },
  day_of_week: { feature: 'day_of_week' },
  position: { feature: 'position' },
  unrealized_pnl_pct: { feature: 'unrealized_pnl_pct', norm: { kind: 'clip', min: -5, max: 5 } },
  cash_fraction: { feature: 'cash_fraction' },
};

const bars = randomBars(360, 23);
const config = resolveConfig({ strategy: { name: 'onnx', params: {} }, commission: 0.001, slippageBps: 2 });

interface Step {
  readonly decision: Direction | undefined;
  readonly action: PolicyAction;
  readonly context: Required<Omit<StrategyContext, 'bars'>>;
}

/** Runs the policy through the engine on `series`, recording each bar's context and answer. */
async function runRecorded(
  policy: OnnxPolicy,
  series: BarSeries,
  runConfig = config,
): Promise<Step[] & { runtimeCalls?: number }> {
  const steps: Step[] & { runtimeCalls?: number } = [];
  let action: PolicyAction = 'none';
  const inner = policy.createStrategy({
    onAction: (_index, a) => (action = a),
    // Read after the run: stepped models call the runtime as the engine steps.
    onPrepared: (decisions) => Object.defineProperty(steps, 'runtimeCalls', { get: () => decisions.runtimeCalls }),
  });
  const recording: Strategy = {
    prepare: (b) => inner.prepare?.(b),
    onBar(context) {
      const decision = inner.onBar(context);
      const { index, position, equity, cash, entryPrice } = context;
      steps.push({ decision, action, context: { index, position, equity, cash: cash!, entryPrice: entryPrice! } });
      return decision;
    },
  };
  await recording.prepare!(series);
  runEngine(series, recording, runConfig);
  return steps;
}

async function writeModel(name: string, features: readonly object[], seed: number): Promise<string> {
  const metadata = {
    'backtest.features': JSON.stringify(features),
    'backtest.output': 'target',
    'backtest.allow_short': 'true',
    'backtest.threshold': '0.1',
  };
  const width = readModelContract(metadata, name).featureCount;
  const path = join(dir, `${name}_1Hour.onnx`);
  await writeFile(
    path,
    writeOnnxModel({ inputSize: width, output: 'target', layers: randomLayers([width, 8, 1], seed), metadata }),
  );
  return path;
}

describe('every catalogued feature in a model run by the engine', () => {
  it('covers the whole catalogue', () => {
    expect(Object.keys(FEATURE_UNDER_TEST).sort()).toEqual([...FEATURE_NAMES].sort());
  });

  it.each(FEATURE_NAMES.map((name, i) => [name, i] as const))(
    '%s: truncated series decide as the full one, and each decision is the model on the real row',
    async (name, i) => {
      const features = [FEATURE_UNDER_TEST[name]!, { feature: 'return', lags: 2, scale: 100 }];
      // The first of a few seeded networks that goes both long and short, so that positions,
      // P&L and cash really vary.
      let seed = 100 + i;
      let policy = await loadOnnxPolicy(await writeModel(`F${i}`, features, seed));
      let full = await runRecorded(policy, bars);
      const bothWays = (steps: Step[]) =>
        steps.some((s) => s.action === 'long') && steps.some((s) => s.action === 'short');
      for (let attempt = 0; attempt < 20 && !bothWays(full); attempt++) {
        await policy.release();
        seed += 1000;
        policy = await loadOnnxPolicy(await writeModel(`F${i}`, features, seed));
        full = await runRecorded(policy, bars);
      }
      const path = policy.modelPath;
      try {
        expect(bothWays(full)).toBe(true);
        for (const length of [40, 137, 251]) {
          const truncated = await runRecorded(policy, sliceBars(bars, 0, length));
          expect(truncated.map((s) => s.decision)).toEqual(full.slice(0, length).map((s) => s.decision));
        }

        // Independent check: build each row from the recorded account, evaluate it in float64.
        const specs = parseFeatureSpecs(JSON.stringify(features), path);
        const rows = new ObservationRows(specs, bars);
        const row = new Float32Array(rows.width);
        const contract = policy.contract;
        const spec = {
          inputSize: rows.width,
          output: 'target' as const,
          layers: randomLayers([rows.width, 8, 1], seed),
        };
        let compared = 0;
        for (const step of full) {
          const c = step.context;
          const exists = rows.fill(c.index, { ...c, close: bars.close[c.index]! }, row, 0);
          if (!exists) {
            expect(step.action).toBe('none');
            continue;
          }
          const [value] = forwardPass(spec, row);
          // float32 inference vs this float64 pass: skip values within rounding of the threshold.
          if (Math.abs(Math.abs(value!) - contract.threshold) < 1e-4) continue;
          expect(step.action).toBe(actionFromOutput(contract, [value!], 0));
          compared++;
        }
        expect(compared).toBeGreaterThan(250);
      } finally {
        await policy.release();
      }
    },
  );
});

describe('a stepped model (P&L and cash observed)', () => {
  const features = [
    { feature: 'unrealized_pnl_pct' },
    { feature: 'cash_fraction', norm: { kind: 'zscore', mean: 1, std: 0.5 } },
    { feature: 'position' },
    { feature: 'rsi', window: 6, norm: { kind: 'zscore', mean: 50, std: 15 } },
  ];

  it.each([
    ['next open, all in', {}],
    ['at the close, half the equity, fees, fractional', { fillAt: 'close', size: 0.5, fixedFee: 3, fractional: true }],
    ['an account too small to buy one unit at times', { initialCash: 150 }],
    ['speculative batches of at most 5 rows', {}, 5],
    ['no speculation: one row per call', {}, 1],
  ] as const)(
    '%s: every decision is the model on the real row, in few runtime calls',
    async (_label, settings, batchRows?: number) => {
      const path = await writeModel('STEPPED', features, 31);
      const policy = await loadOnnxPolicy(path, batchRows === undefined ? {} : { batchRows });
      try {
        const runConfig = resolveConfig({ ...config, ...settings });
        const steps = await runRecorded(policy, bars, runConfig);
        const rows = new ObservationRows(parseFeatureSpecs(JSON.stringify(features), path), bars);
        const row = new Float32Array(rows.width);
        const spec = { inputSize: rows.width, output: 'target' as const, layers: randomLayers([rows.width, 8, 1], 31) };
        let compared = 0;
        for (const step of steps) {
          const c = step.context;
          if (!rows.fill(c.index, { ...c, close: bars.close[c.index]! }, row, 0)) continue;
          const [value] = forwardPass(spec, row);
          if (Math.abs(Math.abs(value!) - policy.contract.threshold) < 1e-4) continue;
          expect(step.action).toBe(actionFromOutput(policy.contract, [value!], 0));
          compared++;
        }
        expect(compared).toBeGreaterThan(300);
        const changes = steps.filter((s, i) => i > 0 && s.context.position !== steps[i - 1]!.context.position).length;
        expect(changes).toBeGreaterThan(5);
        if (batchRows === 1) expect(steps.runtimeCalls).toBe(bars.length - rows.firstRow);
        else expect(steps.runtimeCalls).toBeLessThan(bars.length / (batchRows === undefined ? 3 : 2));
      } finally {
        await policy.release();
      }
    },
  );

  it('runs the same through the onnx strategy definition, which releases its policy before the run', async () => {
    const path = await writeModel('STEPPED', features, 31);
    const policy = await loadOnnxPolicy(path);
    const expected = (await runRecorded(policy, bars)).map((s) => s.decision);
    await policy.release();
    const strategy = onnxStrategy.create({ model: path });
    const decisions: (Direction | undefined)[] = [];
    await strategy.prepare!(bars);
    const recording = {
      onBar(context: StrategyContext) {
        const decision = strategy.onBar(context);
        decisions.push(decision);
        return decision;
      },
    };
    runEngine(bars, recording, config);
    expect(decisions).toEqual(expected);
  });
});

describe('decision modes', () => {
  it('batched without state, three position variants with only the position, stepped with P&L or cash', () => {
    const mode = (features: object[]) =>
      readModelContract({ 'backtest.features': JSON.stringify(features) }, 'm.onnx').decisionMode;
    expect(mode([{ feature: 'rsi' }])).toBe('batched');
    expect(mode([{ feature: 'rsi' }, { feature: 'position' }])).toBe('position');
    expect(mode([{ feature: 'position' }, { feature: 'cash_fraction' }])).toBe('stepped');
    expect(mode([{ feature: 'unrealized_pnl_pct' }])).toBe('stepped');
  });

  it('a stepped model needs the engine: its decisions cannot be looked up by bar and position alone', async () => {
    const path = await writeModel('STEP', [{ feature: 'cash_fraction' }, { feature: 'return' }], 7);
    const policy = await loadOnnxPolicy(path);
    try {
      const decisions = await policy.decide(bars);
      expect(decisions.stepped).toBe(true);
      expect(() => decisions.at(10, 0)).toThrow(/only as the engine steps/);
      const handBuilt = { index: 10, bars, position: 0 as const, equity: 1 };
      expect(() => decisions.actionFor(handBuilt)).toThrow(/gives no cash or entry price; run it through the engine/);
    } finally {
      await policy.release();
    }
  });

  it('a features model with the same values as a window of returns decides exactly like it', async () => {
    const layers = randomLayers([6, 5, 3], 3);
    const legacy = join(dir, 'L_1Hour.onnx');
    const declared = join(dir, 'D_1Hour.onnx');
    await writeFile(
      legacy,
      writeOnnxModel({
        inputSize: 6,
        output: 'discrete',
        layers,
        metadata: { 'backtest.window': '5', 'backtest.position': 'true' },
      }),
    );
    await writeFile(
      declared,
      writeOnnxModel({
        inputSize: 6,
        output: 'discrete',
        layers,
        metadata: { 'backtest.features': '[{"feature":"return","lags":5,"scale":100},{"feature":"position"}]' },
      }),
    );
    const [a, b] = [await loadOnnxPolicy(legacy), await loadOnnxPolicy(declared)];
    try {
      const [x, y] = [await runRecorded(a, bars), await runRecorded(b, bars)];
      expect(y.map((s) => s.action)).toEqual(x.map((s) => s.action));
      expect(new Set(x.map((s) => s.action)).size).toBeGreaterThan(2);
    } finally {
      await a.release();
      await b.release();
    }
  });

  it('refuses backtest.features next to backtest.window, and names a bad feature', async () => {
    expect(() =>
      readModelContract({ 'backtest.features': '[{"feature":"rsi"}]', 'backtest.window': '4' }, 'm.onnx'),
    ).toThrow('m.onnx: metadata backtest.features replaces backtest.window; remove it');
    const path = join(dir, 'BAD_1Hour.onnx');
    await writeFile(
      path,
      writeOnnxModel({
        inputSize: 3,
        output: 'target',
        layers: randomLayers([3, 1], 1),
        metadata: { 'backtest.features': '[{"feature":"rsi"},{"feature":"time_of_day"}]', 'backtest.output': 'target' },
      }),
    );
    await expect(loadOnnxPolicy(path)).resolves.toBeDefined();
    await writeFile(
      path,
      writeOnnxModel({
        inputSize: 2,
        output: 'target',
        layers: randomLayers([2, 1], 1),
        metadata: { 'backtest.features': '[{"feature":"rsi"},{"feature":"time_of_day"}]', 'backtest.output': 'target' },
      }),
    );
    await expect(loadOnnxPolicy(path)).rejects.toThrow(
      /model input 'obs' is 2 wide but the contract expects 3: rsi window=14 \(1\) \+ time_of_day \(2\) \(backtest\.features\)/,
    );
  });
});
