/**
 * Out-of-sample splits end to end: `run` and `sweep` with `--oos-from` / `--oos-fraction`, what
 * is saved, and how `list`, `best`, `show`, `compare`, `rerun` and export/import show it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../src/app/run-backtest.js';
import { loadBarsFromFile } from '../src/data/index.js';
import { sliceBars } from '../src/core/bars.js';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'backtest-oos-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = async (args: string[]) => {
  const run = await runCli(args, dir);
  expect(run.code, run.stderr).toBe(0);
  return run;
};

describe('run and sweep split in and out of sample', () => {
  const db = join(dir, 'oos.db');

  it('run --oos-fraction: metrics in-sample, oos_metrics beside them, both saved', async () => {
    const json = JSON.parse(
      (
        await ok([
          'run',
          '--data',
          GOOG,
          '--param',
          'fast=10',
          '--param',
          'slow=30',
          '--oos-fraction',
          '0.3',
          '--save-to-db',
          '--db',
          db,
          '--json',
        ])
      ).stdout,
    );
    const bars = await loadBarsFromFile(GOOG, {});
    const k = bars.length - Math.round(0.3 * bars.length);
    const inSample = await runBacktest({
      bars: sliceBars(bars, 0, k),
      strategy: 'sma-cross',
      params: { fast: 10, slow: 30 },
    });
    expect(json.metrics.sharpe_ratio).toBe(inSample.metrics.sharpe_ratio);
    expect(json.bars.count).toBe(k);
    expect(json.outOfSample.bars.count).toBe(bars.length - k);
    expect(json.outOfSample.bars.firstTimeMs).toBe(bars.timeMs[k]);
    expect(typeof json.oos_metrics.sharpe_ratio).toBe('number');

    const shown = JSON.parse((await ok(['show', String(json.id), '--db', db, '--json'])).stdout);
    expect(shown.sharpe_ratio).toBe(json.metrics.sharpe_ratio);
    expect(shown.oos_metrics.sharpe_ratio).toBe(json.oos_metrics.sharpe_ratio);
    expect(shown.oos).toMatchObject({ from_ms: bars.timeMs[k], bars_count: bars.length - k });
    const table = (await ok(['show', String(json.id), '--db', db])).stdout;
    expect(table).toMatch(/In-sample\s+│\s+Out-of-sample/);

    const rerun = await runCli(['rerun', String(json.id), '--data', GOOG, '--db', db], dir);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('Reproduced');
  });

  it('run --oos-from a date: the out-of-sample part starts at the first bar on or after it', async () => {
    const json = JSON.parse((await ok(['run', '--data', GOOG, '--oos-from', '2011-01-01', '--json'])).stdout);
    expect(new Date(json.outOfSample.bars.firstTimeMs).toISOString().slice(0, 10)).toBe('2011-01-03');
    const none = await runCli(['run', '--data', GOOG, '--oos-from', '2030-01-01'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/leaves no out-of-sample bar/);
    const both = await runCli(['run', '--data', GOOG, '--oos-from', '2011-01-01', '--oos-fraction', '0.2'], dir);
    expect(both.code).toBe(2);
  });

  it('sweep --oos-fraction saves every run split; list, best and compare rank in-sample unless --sample oos', async () => {
    const sweep = JSON.parse(
      (
        await ok([
          'sweep',
          '--data',
          GOOG,
          '--grid',
          'fast=5..15:5',
          '--grid',
          'slow=30,50',
          '--oos-fraction',
          '0.3',
          '--save-to-db',
          '--db',
          db,
          '--workers',
          '1',
          '--json',
        ])
      ).stdout,
    );
    expect(sweep.top.every((row: { oos_metrics?: unknown }) => row.oos_metrics !== undefined)).toBe(true);
    const listed = JSON.parse(
      (await ok(['list', '--sweep', sweep.sweepId, '--sort', 'sharpe_ratio', '--db', db, '--json'])).stdout,
    );
    const inSample = listed.map((row: { sharpe_ratio: number }) => row.sharpe_ratio);
    expect(inSample).toEqual([...inSample].sort((a: number, b: number) => b - a));
    const byOos = JSON.parse(
      (await ok(['list', '--sweep', sweep.sweepId, '--sort', 'sharpe_ratio', '--sample', 'oos', '--db', db, '--json']))
        .stdout,
    );
    const oos = byOos.map((row: { oos_metrics: { sharpe_ratio: number } }) => row.oos_metrics.sharpe_ratio);
    expect(oos).toEqual([...oos].sort((a: number, b: number) => b - a));

    const table = (await ok(['list', '--sweep', sweep.sweepId, '--sort', 'sharpe_ratio', '--db', db])).stdout;
    expect(table).toContain('Sharpe IS');
    expect(table).toContain('Sharpe OOS');

    const best = JSON.parse(
      (await ok(['best', 'GOOG', '1Day', '--sweep', sweep.sweepId, '--metric', 'sharpe_ratio', '--db', db, '--json']))
        .stdout,
    );
    expect(best.best.id).toBe(listed[0].id);
    expect(best.best.oos_metrics.sharpe_ratio).toBe(listed[0].oos_metrics.sharpe_ratio);
    const bestOos = await ok([
      'best',
      'GOOG',
      '1Day',
      '--sweep',
      sweep.sweepId,
      '--metric',
      'sharpe_ratio',
      '--sample',
      'oos',
      '--db',
      db,
    ]);
    expect(bestOos.stdout).toContain(`id=${byOos[0].id}`);
    expect(bestOos.stdout).toMatch(/out of sample \(.* in sample\)/);

    const compared = (await ok(['compare', String(listed[0].id), String(listed[1].id), '--db', db])).stdout;
    expect(compared).toMatch(/Sharpe ratio \(annualized\) IS/);
    expect(compared).toMatch(/Sharpe ratio \(annualized\) OOS/);
  });

  it('export and import carry the out-of-sample part', async () => {
    // Its own run: tests run in shuffled order, so the others' runs may not be saved yet.
    await ok(['run', '--data', GOOG, '--oos-fraction', '0.3', '--save-to-db', '--db', db]);
    const out = join(dir, 'runs.json');
    await ok(['export', '--format', 'json', '--out', out, '--db', db]);
    const other = join(dir, 'copy.db');
    await ok(['import', out, '--db', other]);
    const a = JSON.parse((await ok(['list', '--db', db, '--json', '--limit', '100'])).stdout);
    const b = JSON.parse((await ok(['list', '--db', other, '--json', '--limit', '100'])).stdout);
    expect(b.map((row: { oos_metrics: unknown }) => row.oos_metrics)).toEqual(
      a.map((row: { oos_metrics: unknown }) => row.oos_metrics),
    );
  });
});
