import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomLayers } from '../../strategies/onnx/onnx-test-support.js';
import { writeOnnxModel } from '../../strategies/onnx/write-onnx-model.js';
import type { CliIO } from '../cli-io.js';
import { main } from '../main.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GOOG_CSV = join(ROOT, 'data/bars/GOOG.csv');
const FEATURES = [
  { feature: 'return', lags: 4, scale: 100 },
  { feature: 'rsi', window: 10, norm: { kind: 'zscore', mean: 50, std: 15 } },
  { feature: 'cash_fraction' },
  { feature: 'unrealized_pnl_pct', norm: { kind: 'clip', min: -20, max: 20 } },
];
let dir = '';
let stepped = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-command-'));
  stepped = join(dir, 'GOOG_1Day.onnx');
  await writeFile(
    stepped,
    writeOnnxModel({
      inputSize: 7,
      output: 'discrete',
      layers: randomLayers([7, 6, 3], 5),
      metadata: { 'backtest.features': JSON.stringify(FEATURES), description: 'test policy' },
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function backtest(args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    cwd: dir,
    env: {},
    interactive: false,
    confirm: async () => false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('backtest model inspect', () => {
  it('prints inputs, outputs, features with their columns, the window and the output kind, and says it is valid', async () => {
    const run = await backtest(['model', 'inspect', 'GOOG_1Day.onnx']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Symbol     GOOG  timeframe 1Day  (from the file name)');
    expect(run.stdout).toContain('Input      obs  float32 [batch, 7]  ← fed');
    expect(run.stdout).toContain('Output     probs  float32 [batch, 3]  ← read');
    expect(run.stdout).toContain('Decisions  discrete: argmax of (hold, buy, sell); sell goes flat');
    expect(run.stdout).toContain('Observation 7 columns; the first observation is at bar 10 (backtest.features)');
    expect(run.stdout).toMatch(/Batching\s+stepped: P&L or cash observed/);
    expect(run.stdout).toMatch(/│ 0–3\s+│ return close window=1 ×4 lags scale=100\s+│\s+4 │/);
    expect(run.stdout).toMatch(/│ 5\s+│ cash_fraction \(state\)\s+│\s+state │/);
    expect(run.stdout).toContain('Other metadata: description=test policy');
    expect(run.stdout.trimEnd().endsWith('Contract: valid')).toBe(true);

    const json = JSON.parse((await backtest(['model', 'inspect', 'GOOG_1Day.onnx', '--json'])).stdout);
    expect(json).toMatchObject({ observationWidth: 7, firstObservationBar: 10, decisionMode: 'stepped', valid: true });
    expect(json.features[1]).toMatchObject({ feature: 'rsi', window: 10, columns: { first: 4, last: 4 } });
  });

  it('shows a window-of-returns model as such', async () => {
    const run = await backtest(['model', 'inspect', join(ROOT, 'models/rl_symbols/EURUSD_1Hour.onnx')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(backtest.window=8, scale 100, position last)');
    expect(run.stdout).toContain('Decisions  target: above 0.5 long, below −0.5 short, else flat');
  });

  it('fails in one line (exit 4) on a model that breaks its contract, and on a .pt file', async () => {
    const bad = join(dir, 'BAD_1Day.onnx');
    await writeFile(
      bad,
      writeOnnxModel({
        inputSize: 3,
        output: 'target',
        layers: randomLayers([3, 1], 1),
        metadata: { 'backtest.features': '[{"feature":"rsi","windw":3}]' },
      }),
    );
    const run = await backtest(['model', 'inspect', bad]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(
      /^error: .*BAD_1Day\.onnx: metadata backtest\.features\[0\] \(rsi\): unknown field windw/,
    );
    const pt = await backtest(['model', 'inspect', 'GOOG_1Day.pt']);
    expect(pt.code).toBe(4);
    expect(pt.stderr).toContain('scripts/export_policy.py GOOG_1Day.pt --out GOOG_1Day.onnx');
  });
});

describe('backtest model check', () => {
  it('runs the model on bars and reports decisions per action', async () => {
    const run = await backtest(['model', 'check', 'GOOG_1Day.onnx', '--data', GOOG_CSV, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ symbol: 'GOOG', timeframe: '1Day', bars: 2148, decisionMode: 'stepped' });
    const { hold, buy, sell, none, nan } = summary.actions;
    expect(none).toBe(10);
    expect(nan).toBe(0);
    expect(hold + buy + sell).toBe(2148 - 10);
    expect(summary.observedBars).toBe(2148 - 10);
    expect(summary.runtimeCalls).toBeGreaterThan(0);
    expect(summary.runtimeCalls).toBeLessThan(2148 / 2);

    const text = await backtest(['model', 'check', 'GOOG_1Day.onnx', '--data', GOOG_CSV]);
    expect(text.stdout).toMatch(/^GOOG_1Day\.onnx on GOOG 1Day: 2148 bars, 2004-08-19/);
    expect(text.stdout).toMatch(/│ buy\s+│ go long\s+│\s+\d+ │\s+[\d.]+ % │/);
    expect(text.stdout).toMatch(/Runtime calls \d+ \(stepped\); run with default settings: \d+ trades/);
  });

  it('takes the stored bars of the symbol and timeframe in the name when --data is left out', async () => {
    const db = join(dir, 'bars.db');
    const imported = await backtest([
      'data',
      'import',
      GOOG_CSV,
      '--symbol',
      'GOOG',
      '--timeframe',
      '1Day',
      '--db',
      db,
    ]);
    expect(imported.code).toBe(0);
    const run = await backtest([
      'model',
      'check',
      join(ROOT, 'models/rl_symbols/GOOG_1Day.onnx'),
      '--db',
      db,
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ bars: 2148, decisionMode: 'batched', runtimeCalls: 1 });
  });
});

describe('backtest model evaluate and features', () => {
  it('prints the outputs of given rows as JSON, and the feature catalogue', async () => {
    await writeFile(
      join(dir, 'rows.json'),
      JSON.stringify({
        rows: [
          [0, 0, 0, 0, 0, 1, 0],
          [1, -1, 2, 0.5, 3, 0.9, 4],
        ],
      }),
    );
    const run = await backtest(['model', 'evaluate', 'GOOG_1Day.onnx', '--observations', 'rows.json']);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer).toMatchObject({ symbol: 'GOOG', timeframe: '1Day', width: 7, output: 'discrete' });
    expect(answer.outputs).toHaveLength(2);
    expect(answer.outputs[0]).toHaveLength(3);
    expect(answer.actions.every((a: string) => ['hold', 'buy', 'sell'].includes(a))).toBe(true);

    await writeFile(join(dir, 'short.json'), JSON.stringify({ rows: [[1, 2]] }));
    const short = await backtest(['model', 'evaluate', 'GOOG_1Day.onnx', '--observations', 'short.json']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('"rows" must be a non-empty array of arrays of 7 numbers');

    const features = await backtest(['model', 'features']);
    expect(features.stdout.split('\n').filter((line) => /^[a-z_]+[ :(]/.test(line))).toHaveLength(15);
  });
});
