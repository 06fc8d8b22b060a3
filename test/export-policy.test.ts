/**
 * The exporter end to end: policies built in PyTorch here (a Stable-Baselines3 zip with its key
 * names, a TorchScript module, a plain state dict with VecNormalize statistics) are exported with
 * scripts/export_policy.py, and `backtest run --model` on each export makes the same trades, bar
 * for bar, as the PyTorch policy deciding in Python on the same observations (fills at the close,
 * so a decision on bar i is a trade at bar i). Needs PyTorch and onnx for $BACKTEST_PYTHON (else
 * python3): skipped with one line without them, failing under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadBarsCsv } from '../src/data/index.js';
import { describeWithPython, pythonInterpreter } from '../src/strategies/features/python-test-support.js';
import { runCli } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXPORTER = join(ROOT, 'scripts/export_policy.py');
/** The CLI from the sources, so the check does not depend on a fresh build. */
const CLI_FROM_SOURCES = `${join(ROOT, 'node_modules/.bin/tsx')} ${join(ROOT, 'src/cli/main.ts')}`;
const BARS = { GOOG: 'data/bars/GOOG.csv', EURUSD: 'data/bars/EURUSD.csv' } as const;

interface Case {
  readonly name: string;
  readonly symbol: keyof typeof BARS;
  readonly model: string;
  readonly out?: string;
  readonly args: string[];
  readonly trades: [string, number, number][];
  readonly margin: number;
}

let dir: string;
let cases: Case[] = [];

function exportPolicy(args: readonly string[], env: NodeJS.ProcessEnv = { BACKTEST_CLI: CLI_FROM_SOURCES }) {
  return spawnSync(pythonInterpreter(), [EXPORTER, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 240_000,
  });
}

describeWithPython('the exporter, scripts/export_policy.py', ['torch', 'onnx'], () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'export-policy-'));
    const series = Object.fromEntries(
      Object.entries(BARS).map(([symbol, file]) => {
        const bars = loadBarsCsv(join(ROOT, file), { symbol, timeframe: symbol === 'GOOG' ? '1Day' : '1Hour' });
        return [
          symbol,
          {
            time_ms: Array.from(bars.timeMs),
            open: Array.from(bars.open),
            high: Array.from(bars.high),
            low: Array.from(bars.low),
            close: Array.from(bars.close),
            volume: Array.from(bars.volume),
          },
        ];
      }),
    );
    writeFileSync(join(dir, 'bars.json'), JSON.stringify(series));
    const build = spawnSync(
      pythonInterpreter(),
      [join(ROOT, 'test/python/build_policies.py'), dir, join(dir, 'bars.json')],
      {
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Case[];
  }, 240_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each([0, 1, 2])(
    'case %i: run --model on the export trades as the PyTorch policy decides, bar by bar',
    async (index) => {
      const c = cases[index]!;
      const outDir = join(dir, `case${index}`);
      mkdirSync(outDir);
      const out = join(outDir, c.out ?? c.model.replace(/\.(zip|pt)$/, '.onnx'));
      const exported = exportPolicy([join(dir, c.model), '--out', out, ...c.args]);
      expect(exported.stderr).toBe('');
      expect(exported.status).toBe(0);
      expect(exported.stdout).toMatch(/^Exported .* to .* for (GOOG|EURUSD) 1(Day|Hour)\n/);
      expect(exported.stdout).toMatch(/checked through the backtest's ONNX runtime on 256 random observations/);

      const run = await runCli(
        ['run', '--model', out, '--data', join(ROOT, BARS[c.symbol]), '--fill-at', 'close', '--json', '--trades'],
        ROOT,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const trades = (JSON.parse(run.stdout) as { trades: { side: string; entryIndex: number; exitIndex: number }[] })
        .trades;
      // A decision within rounding of a tie or the threshold could go either way in float32.
      expect(c.margin).toBeGreaterThan(2e-5);
      expect(c.trades.length).toBeGreaterThan(5);
      expect(trades.map((t) => [t.side, t.entryIndex, t.exitIndex])).toEqual(c.trades);
    },
    240_000,
  );

  it('model inspect shows the exported contract, and the export records where it came from', async () => {
    const out = join(dir, 'inspect', 'GOOG_1Day.onnx');
    mkdirSync(join(dir, 'inspect'));
    const exported = exportPolicy([join(dir, cases[0]!.model), '--out', out, ...cases[0]!.args]);
    expect(exported.status).toBe(0);
    const inspect = await runCli(['model', 'inspect', out, '--json'], ROOT);
    expect(inspect.code).toBe(0);
    const contract = JSON.parse(inspect.stdout);
    expect(contract).toMatchObject({
      symbol: 'GOOG',
      timeframe: '1Day',
      output: 'discrete',
      observationWidth: 10,
      decisionMode: 'position',
      valid: true,
      metadata: {
        exporter: 'backtest-ledger scripts/export_policy.py',
        source_model: 'GOOG_1Day.zip',
        actions: 'hold,buy,sell',
      },
    });
    expect(contract.features.map((f: { feature: string }) => f.feature)).toEqual([
      'return',
      'rsi',
      'sma_ratio',
      'day_of_week',
      'position',
    ]);
    const check = await runCli(['model', 'check', out, '--data', join(ROOT, BARS.GOOG), '--json'], ROOT);
    expect(check.code).toBe(0);
    const counts = JSON.parse(check.stdout);
    expect(counts.actions.none).toBe(19); // sma_ratio's window of 20: its first value is at bar 19
    expect(counts.actions.hold + counts.actions.buy + counts.actions.sell).toBe(counts.bars - 19);
  }, 240_000);

  it('uses the compiled CLI for its check when no BACKTEST_CLI is set', () => {
    if (!existsSync(join(ROOT, 'dist/cli/commands/model.js'))) {
      console.warn('skipped the compiled-CLI check of the exporter: dist/ has no model command yet (npm run build)');
      return;
    }
    const out = join(dir, 'compiled', 'EURUSD_1Hour.onnx');
    const exported = exportPolicy([join(dir, cases[1]!.model), '--out', out, ...cases[1]!.args], { BACKTEST_CLI: '' });
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
  }, 240_000);

  it('says in one line what is wrong and writes nothing', () => {
    const statedict = join(dir, 'GOOG_1Week.pt');
    for (const [args, message] of [
      [[statedict, '--out', join(dir, 'bad', 'policy.onnx')], /--out .*policy\.onnx: name it SYMBOL_TIMEFRAME\.onnx/],
      [
        [
          statedict,
          '--out',
          join(dir, 'bad', 'GOOG_2Day.onnx'),
          '--features',
          '[{"feature":"log_return","lags":3},{"feature":"volatility","window":10},{"feature":"relative_to_close","column":"high"},{"feature":"volume_zscore","window":20}]',
          '--activation',
          'relu',
          '--arch',
          'fc1,fc2,out',
        ],
        /2Day is not a timeframe the backtest knows/,
      ],
      [
        [statedict, '--out', join(dir, 'bad', 'GOOG_1Day.onnx'), '--window', '6'],
        /a state dict does not record its activation: pass --activation tanh or --activation relu/,
      ],
      [
        [statedict, '--out', join(dir, 'bad', 'GOOG_1Day.onnx'), '--window', '6', '--activation', 'relu'],
        /out gives 3 values but fc1 takes 6; name the layers in order with --arch/,
      ],
      [
        [join(dir, cases[0]!.model), '--out', join(dir, 'bad', 'GOOG_1Day.onnx'), '--window', '6'],
        /the observation is 6 columns wide but the policy takes 10 inputs/,
      ],
      [
        [join(dir, cases[0]!.model), '--out', join(dir, 'bad', 'GOOG_1Day.onnx'), '--features', '[{"feature":"macd"}]'],
        /--features: backtest\.features\[0\]: feature "macd" is not in the catalogue/,
      ],
    ] as const) {
      const run = exportPolicy(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  }, 240_000);
});
