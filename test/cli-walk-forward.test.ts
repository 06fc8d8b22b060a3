/** `backtest walk-forward` and `backtest walk-forwards` end to end, in-process, on the bundled GOOG bars. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'backtest-walk-forward-'));
const db = join(dir, 'wf.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARGS = [
  'walk-forward',
  '--data',
  GOOG,
  '--grid',
  'fast=5..15:5',
  '--grid',
  'slow=30,60',
  '--train',
  '2y',
  '--test',
  '1y',
  '--workers',
  '2',
];

describe('backtest walk-forward', () => {
  it('prints the windows, the stitched metrics and the efficiency; saves the group', async () => {
    const report = join(dir, 'wf.html');
    const run = await runCli([...ARGS, '--save-to-db', '--db', db, '--report', report], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /Walk-forward wf-\d{8}-\d{6}-[0-9a-f]{6}: 6 configurations of sma-cross × 7 windows \(rolling: train 2y, test 1y, step 1y\) = 42 training runs/,
    );
    expect(run.stdout).toContain('│ 1 │ 2004-08-19 → 2006-08-18 │ 2006-08-21 → 2007-08-17 │');
    expect(run.stdout).toContain('Stitched out-of-sample run: 7 test windows, 2006-08-21 → 2013-03-01');
    expect(run.stdout).toMatch(/Walk-forward efficiency: (-?\d+\.\d{3}|n\/a)/);
    expect(run.stdout).toMatch(/Saved walk-forward wf-[^:]+: stitched run id=43, 7 windows, 42 training runs/);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('id="walk-forward-windows"');

    const groups = JSON.parse((await runCli(['walk-forwards', '--db', db, '--json'], dir)).stdout);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ status: 'completed', partial: false, windowCount: 7, stitchedRunId: 43 });
    expect(groups[0].windows).toHaveLength(7);
    const shown = await runCli(['walk-forwards', 'show', groups[0].groupId, '--db', db], dir);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('rolling: train 2y, test 1y, step 1y');
    expect(shown.stdout).toContain('Walk-forward efficiency');

    // list and best see the stitched run only; the training runs are there when asked for.
    const listed = JSON.parse((await runCli(['list', '--db', db, '--json'], dir)).stdout);
    expect(listed.map((r: { id: number }) => r.id)).toEqual([43]);
    expect(listed[0]).toMatchObject({ walk_forward_role: 'stitched', walk_forward_id: groups[0].groupId });
    const table = (await runCli(['list', '--db', db], dir)).stdout;
    expect(table).toContain(`sma-cross walk-forward ${groups[0].groupId}`);
    const all = JSON.parse(
      (await runCli(['list', '--db', db, '--json', '--include-training', '--limit', '100'], dir)).stdout,
    );
    expect(all).toHaveLength(43);
    const best = JSON.parse(
      (await runCli(['best', 'GOOG', '1Day', '--metric', 'sharpe_ratio', '--db', db, '--json'], dir)).stdout,
    );
    expect(best.best.id).toBe(43);

    // rerun of the stitched run runs the whole walk-forward again and compares.
    const rerun = await runCli(['rerun', '43', '--data', GOOG, '--db', db, '--json'], dir);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const checked = JSON.parse(rerun.stdout);
    expect(checked.reproduced).toBe(true);
    expect(checked.windows).toHaveLength(7);
    expect(checked.windows.every((w: { same: boolean }) => w.same)).toBe(true);
    // Other bars: the bars line, and exit 1.
    const lines = readFileSync(GOOG, 'utf8').split('\n');
    const changed = join(dir, 'GOOG.csv');
    const row = lines.length - 20;
    const cells = (lines[row] as string).split(',');
    cells[5] = String(Number(cells[5]) + 1); // volume: the bars differ, the prices do not
    lines[row] = cells.join(',');
    writeFileSync(changed, lines.join('\n'));
    const again = await runCli(['rerun', '43', '--data', changed, '--db', db], dir);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/bars changed/);
  });

  it('--json prints each window with its chosen parameters and both metric sets', async () => {
    const run = await runCli([...ARGS, '--anchored', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.windows).toHaveLength(7);
    expect(json.windows.every((w: { trainFromMs: number }) => w.trainFromMs === Date.UTC(2004, 7, 19))).toBe(true);
    expect(json.windows[0]).toMatchObject({ index: 0, flat: false });
    expect(Object.keys(json.windows[0].chosenParams).sort()).toEqual(['fast', 'short', 'slow']);
    expect(typeof json.windows[0].oos_metrics.sharpe_ratio).toBe('number');
    expect(json.stitched.metrics.total_trades).toBeGreaterThan(0);
    expect(json.stitched.id).toBeUndefined();
  });

  it('refuses windows it cannot lay out, in one line, with exit 2', async () => {
    const mixed = await runCli([...ARGS.slice(0, -6), '--train', '2y', '--test', '100bars'], dir);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/mix calendar time and bars/);
    const overlap = await runCli([...ARGS, '--step', '6mo'], dir);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/--step 6mo is shorter than --test 1y/);
    const bad = await runCli([...ARGS.slice(0, -6), '--train', '2 years', '--test', '1y'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--train is "2 years"/);
    const tooLong = await runCli([...ARGS.slice(0, -6), '--train', '20y', '--test', '1y'], dir);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/too few for one walk-forward window/);
  });
});
