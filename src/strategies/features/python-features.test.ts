/**
 * The Python catalogue (`scripts/backtest_features.py`) against this one: the same bars and
 * accounts through both must give the same series, bit for bit, and the same float32 rows.
 * Only plain Python is needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { type AccountState, computeFeatureSeries } from './feature-series.js';
import { FEATURE_NAMES, parseFeatureSpecs } from './feature-spec.js';
import { randomBars, seededRandom } from './feature-test-support.js';
import { ObservationRows } from './observation-rows.js';
import { describeWithPython, pythonInterpreter } from './python-test-support.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/backtest_features.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'features-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every feature, with lags, scales and each kind of normalisation somewhere. */
const FEATURES = [
  { feature: 'return', lags: 3, scale: 100 },
  { feature: 'return', column: 'low', window: 4 },
  { feature: 'log_return', column: 'high', window: 2, lags: 2, norm: { kind: 'zscore', mean: 0.001, std: 0.02 } },
  { feature: 'relative_to_close', column: 'open' },
  { feature: 'relative_to_close', column: 'high', scale: 100 },
  { feature: 'relative_to_close', column: 'low', norm: { kind: 'clip', min: -0.005, max: 0 } },
  { feature: 'volume', norm: { kind: 'zscore', mean: 1.5e6, std: 7e5, clip: 2 } },
  { feature: 'volume_zscore', window: 10 },
  { feature: 'sma_ratio', window: 20 },
  { feature: 'ema_ratio', window: 9, lags: 2 },
  { feature: 'rsi', window: 14, norm: { kind: 'zscore', mean: 50, std: 10 } },
  { feature: 'atr_pct', window: 7 },
  { feature: 'volatility', window: 12, scale: 100 },
  { feature: 'time_of_day', lags: 2 },
  { feature: 'day_of_week', norm: { kind: 'zscore', mean: [0, 0.1], std: [0.7, 0.7] } },
  { feature: 'position' },
  { feature: 'unrealized_pnl_pct', norm: { kind: 'clip', min: -10, max: 10 } },
  { feature: 'cash_fraction' },
];
/** Transcendental functions come from different maths libraries: equal to the last bit or so. */
const TRANSCENDENTAL = new Set(['log_return', 'time_of_day', 'day_of_week']);

describeWithPython('the Python feature catalogue', [], () => {
  it('computes what the backtest computes, for every feature', () => {
    expect(new Set(FEATURES.map((f) => f.feature))).toEqual(new Set(FEATURE_NAMES));
    const bars = randomBars(300, 5);
    const random = seededRandom(9);
    const accounts: AccountState[] = Array.from({ length: bars.length }, (_, i) => {
      const position = (Math.floor(random() * 3) - 1) as -1 | 0 | 1;
      const cash = position === 0 ? 10_000 : position === 1 ? random() * 100 : 20_000 - random() * 100;
      return {
        position,
        equity: 9_000 + random() * 2_000,
        cash,
        entryPrice: 90 + random() * 20,
        close: bars.close[i]!,
      };
    });
    const barsFile = join(dir, 'bars.json');
    writeFileSync(
      barsFile,
      JSON.stringify({
        time_ms: Array.from(bars.timeMs),
        open: Array.from(bars.open),
        high: Array.from(bars.high),
        low: Array.from(bars.low),
        close: Array.from(bars.close),
        volume: Array.from(bars.volume),
        accounts: accounts.map((a) => [a.position, a.equity, a.cash, a.entryPrice]),
      }),
    );
    const json = JSON.stringify(FEATURES);
    const run = spawnSync(pythonInterpreter(), [SCRIPT, '--features', json, '--bars', barsFile], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const python = JSON.parse(run.stdout) as {
      width: number;
      first_row: number;
      series: ((number | null)[][] | null)[];
      rows: (number[] | null)[];
    };

    const specs = parseFeatureSpecs(json, 'm.onnx');
    const rows = new ObservationRows(specs, bars);
    expect(python.width).toBe(rows.width);
    expect(python.first_row).toBe(rows.firstRow);

    const problems: string[] = [];
    specs.forEach((spec, s) => {
      if (spec.state) return;
      const ours = computeFeatureSeries(spec, bars);
      ours.forEach((values, v) => {
        values.forEach((value, i) => {
          const theirs = python.series[s]![v]![i];
          const same = Number.isFinite(value)
            ? theirs !== null &&
              (TRANSCENDENTAL.has(spec.feature)
                ? Math.abs(value - theirs!) <= 4e-16 * Math.max(1, Math.abs(value))
                : value === theirs)
            : theirs === null;
          if (!same) problems.push(`${spec.feature} value ${v} bar ${i}: ${value} here, ${theirs} in Python`);
        });
      });
    });

    const row = new Float32Array(rows.width);
    for (let i = 0; i < bars.length; i++) {
      const exists = rows.fill(i, accounts[i]!, row, 0);
      const theirs = python.rows[i];
      if (!exists || theirs === null || theirs === undefined) {
        if (exists !== (theirs !== null)) problems.push(`bar ${i}: row ${exists ? 'exists' : 'missing'} here only`);
        continue;
      }
      theirs.forEach((value, k) => {
        if (Math.fround(value) !== row[k]) problems.push(`bar ${i} column ${k}: ${row[k]} here, ${value} in Python`);
      });
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // The comparison covered real rows, with every state value in them.
    expect(python.rows.filter((r) => r !== null).length).toBeGreaterThan(250);
  });

  it('rejects what the backtest rejects, in the same words', () => {
    const run = spawnSync(
      pythonInterpreter(),
      [SCRIPT, '--features', '[{"feature":"return","windw":3}]', '--bars', 'x'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      'backtest.features[0] (return): unknown field windw; this feature takes feature, lags, scale, norm, column, window',
    );
  });
});
