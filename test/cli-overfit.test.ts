/**
 * `backtest overfit` end to end: a real sweep saved by the CLI, its probability of backtest
 * overfitting computed, stored with the sweep and shown by `sweeps show` and the dashboard; and
 * the one-line refusals with their exit codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteRunStore } from '../src/store/sqlite/index.js';
import { createDashboardApp } from '../src/web/dashboard-app.js';
import { runCli } from './cli-harness.js';

const GOOG = fileURLToPath(new URL('../data/bars/GOOG.csv', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'backtest-cli-overfit-'));
const db = join(dir, 'runs.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let sweepId: string;

/** A sweep of 16 sma-cross configurations on GOOG's 2,148 daily bars, saved. */
beforeAll(async () => {
  const run = await runCli(
    [
      'sweep',
      '--data',
      GOOG,
      '--grid',
      'fast=5..20:5',
      '--grid',
      'slow=30..60:10',
      '--workers',
      '2',
      '--save-to-db',
      '--db',
      db,
      '--json',
    ],
    dir,
  );
  expect(run.code, run.stderr).toBe(0);
  sweepId = JSON.parse(run.stdout).sweepId;
}, 90_000);

describe('backtest overfit', () => {
  it('computes PBO, the regression and the probability of loss, and stores them with the sweep', async () => {
    const run = await runCli(['overfit', sweepId, '--db', db, '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout);
    // 2,147 bar returns in periods of 2: 1,074 periods; C(16, 8) splits.
    expect(printed).toMatchObject({
      sweepId,
      metric: 'sharpe_ratio',
      blocks: 16,
      configurations: 16,
      periods: 1074,
      splits: 12_870,
      runsWithoutPeriodReturns: 0,
      periodGrid: { barsPerPeriod: 2, periodCount: 1074 },
    });
    for (const field of ['pbo', 'probabilityOfLoss']) {
      expect(printed[field]).toBeGreaterThanOrEqual(0);
      expect(printed[field]).toBeLessThanOrEqual(1);
    }
    expect(typeof printed.slope).toBe('number');
    expect(printed.mostChosenInSample[0].params).toHaveProperty('fast');

    const text = await runCli(['overfit', sweepId, '--db', db, '--blocks', '8', '--metric', 'total_return'], dir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Probability of backtest overfitting (PBO)');
    expect(text.stdout).toContain('16 runs × 1,074 periods, 8 blocks: 70 splits, by total return');
    expect(text.stdout).toMatch(/Best in-sample most often: run \d+ \(fast=\d+, short=false, slow=\d+\)/);

    // The last one computed is the one stored, and `sweeps show` prints it.
    const show = await runCli(['sweeps', 'show', sweepId, '--db', db], dir);
    expect(show.stdout).toContain('1074 periods of 2 bar returns');
    expect(show.stdout).toContain(`Probability of backtest overfitting (backtest overfit ${sweepId}):`);
    expect(show.stdout).toContain('8 blocks: 70 splits, by total return');
    const shown = JSON.parse((await runCli(['sweeps', 'show', sweepId, '--db', db, '--json'], dir)).stdout);
    expect(shown.overfit).toMatchObject({ metric: 'total_return', blocks: 8, splits: 70 });
    expect(shown.overfit.logits).toBeUndefined();
  });

  it('the dashboard sweep page shows PBO, the histogram of logits and the in-sample/out-of-sample scatter', async () => {
    expect((await runCli(['overfit', sweepId, '--db', db], dir)).code).toBe(0);
    const store = SqliteRunStore.open(db, { readonly: true });
    try {
      const page = await (await createDashboardApp(store).request(`/sweeps/${sweepId}`)).text();
      expect(page).toContain('Probability of backtest overfitting');
      expect(page).toMatch(/data-pbo="[\d.]+"/);
      expect(page).toContain('<svg class="overfit-histogram"');
      expect((page.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(30);
      expect(page).toContain('<svg class="overfit-scatter"');
      // 12,870 splits are thinned to at most 2,000 points.
      const points = (page.match(/<circle /g) ?? []).length;
      expect(points).toBeGreaterThan(1000);
      expect(points).toBeLessThanOrEqual(2000);
      expect(page).toContain('Every 7th of 12,870 splits is drawn.');
    } finally {
      await store.close();
    }
  });

  it('refuses in one line: unknown sweep 5, no period returns 3, too few runs or periods 2', async () => {
    const unknown = await runCli(['overfit', 'nope', '--db', db], dir);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toBe(`error: database ${db} has no sweep nope; backtest sweeps lists the stored ones\n`);

    const odd = await runCli(['overfit', sweepId, '--db', db, '--blocks', '5'], dir);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toBe('error: --blocks 5 is not an even whole number from 2 to 20\n');
    const badMetric = await runCli(['overfit', sweepId, '--db', db, '--metric', 'cagr'], dir);
    expect(badMetric.code).toBe(2);

    // A sweep whose runs were saved before period returns were kept.
    const copy = join(dir, 'old.db');
    const raw = new Database(db);
    await raw.backup(copy);
    raw.close();
    const old = new Database(copy);
    old.exec('DELETE FROM run_period_returns');
    old.close();
    const none = await runCli(['overfit', sweepId, '--db', copy], dir);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(
      new RegExp(`^error: sweep ${sweepId}: none of its 16 saved runs has period returns: .*run the sweep again`),
    );
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
  });
});
