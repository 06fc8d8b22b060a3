import { formatMetricValue, printable } from '../../app/format-values.js';
import { fileURLToPath } from 'node:url';
import { openHistoryForWriting, withDatabase } from '../../app/open-history.js';
import { runBacktest } from '../../app/run-backtest.js';
import { runModelBacktest } from '../../app/run-model.js';
import { toSaveInput } from '../../app/save-result.js';
import { metricNameWithUnit } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import type { MetricName } from '../../core/metric-catalog.js';
import type { ParamValue } from '../../core/strategy.js';
import type { Timeframe } from '../../core/timeframe.js';
import { loadBarsCsv } from '../../data/index.js';
import type { BacktestRow, RunStore } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';
import { renderTable } from '../format.js';
import { LIST_METRICS, shortMetricHeader } from '../format-rows.js';
import { describeRunSource } from '../../app/stored-run.js';

/** Flags of `backtest demo`. */
export interface DemoCommandOptions {
  readonly db?: string;
  readonly json: boolean;
}

/** The bar files shipped with the package (sources in data/bars/README.md). */
const BUNDLED_BARS: readonly { file: string; symbol: string; timeframe: Timeframe; costs: DemoCosts }[] = [
  // A stock: 0.1 % commission and 2 bps slippage per side.
  { file: 'GOOG.csv', symbol: 'GOOG', timeframe: '1Day', costs: { commission: 0.001, slippageBps: 2 } },
  // Spot forex trades on tight spreads: 0.01 % commission and 1 bp slippage per side.
  { file: 'EURUSD.csv', symbol: 'EURUSD', timeframe: '1Hour', costs: { commission: 0.0001, slippageBps: 1 } },
];

interface DemoCosts {
  readonly commission: number;
  readonly slippageBps: number;
}

const BUILTIN_RUNS: readonly { strategy: string; params: Record<string, ParamValue> }[] = [
  { strategy: 'buy-and-hold', params: {} },
  { strategy: 'sma-cross', params: { fast: 10, slow: 30 } },
  { strategy: 'sma-cross', params: { fast: 10, slow: 20, short: true } },
  { strategy: 'rsi', params: { period: 14, lower: 30, upper: 70 } },
];

const BEST_BY: readonly MetricName[] = ['total_return', 'sharpe_ratio', 'max_drawdown', 'profit_factor', 'win_rate'];

const packageFile = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/**
 * `backtest demo`: imports the bundled bars, runs the built-in strategies, the example ONNX
 * policies and a small sweep, saves everything, and prints the leaderboard and the best run
 * per metric. Offline, in seconds.
 */
export async function demoCommand(options: DemoCommandOptions, io: CliIO): Promise<void> {
  const say = (line: string) => {
    if (!options.json) io.out(`${line}\n`);
  };
  await withDatabase(openHistoryForWriting({ db: options.db, cwd: io.cwd, env: io.env }), async (db) => {
    say(`Database: ${db.location}`);
    const savedIds: number[] = [];

    for (const bundled of BUNDLED_BARS) {
      const bars = loadBarsCsv(packageFile(`data/bars/${bundled.file}`), {
        symbol: bundled.symbol,
        timeframe: bundled.timeframe,
      });
      await db.importBars(bars);
      say(
        `Imported ${bars.length.toLocaleString('en-US')} ${bundled.symbol} ${bundled.timeframe} bars from data/bars/${bundled.file}`,
      );
      for (const run of BUILTIN_RUNS) {
        const result = await runBacktest({ bars, strategy: run.strategy, params: run.params, config: bundled.costs });
        savedIds.push(await db.saveRun(toSaveInput(result, { notes: 'demo' })));
      }
      // The example policy trained for these bars, written by scripts/make-example-models.ts.
      const modelName = `models/rl_symbols/${bundled.symbol}_${bundled.timeframe}.onnx`;
      const modelResult = await runModelBacktest({ bars, modelPath: packageFile(modelName), config: bundled.costs });
      savedIds.push(await db.saveRun(toSaveInput(modelResult, { notes: 'demo' })));
      say(`  ran the built-in strategies and the ONNX policy ${modelName}`);
    }
    say('Costs per side: GOOG commission 0.1 %, slippage 2 bps; EURUSD commission 0.01 %, slippage 1 bp');

    const sweepRuns = await runDemoSweep(db, say);

    const leaderboard = await db.listRuns({ sort: 'sharpe_ratio', limit: 10, minTrades: 1 });
    const best = await Promise.all(
      BEST_BY.map(async (metric) => ({
        metric,
        row: (await db.bestRun('GOOG', '1Day', metric, { minTrades: 1 })).row,
      })),
    );
    if (options.json) {
      io.out(
        `${toJsonText({ database: db.location, saved: savedIds.length + sweepRuns, leaderboard, bestGoog1Day: best })}\n`,
      );
      return;
    }
    say(`Saved ${savedIds.length + sweepRuns} runs.\n`);
    say('Leaderboard: top 10 saved runs by Sharpe ratio (annualized)');
    io.out(renderLeaderboard(leaderboard));
    say('\nBest GOOG 1Day run per metric');
    io.out(
      renderTable(
        ['Metric', 'Run', 'Strategy / model', 'Best value'],
        best.map(({ metric, row }) => [
          metricNameWithUnit(metric),
          row === undefined ? '' : `#${row.id}`,
          row === undefined ? '' : describeRunSource(row),
          row === undefined ? 'n/a' : formatMetricValue(metric, row[metric]),
        ]),
        3,
      ),
    );
    say(
      '\nNext: backtest list · backtest best GOOG 1Day --metric sharpe_ratio · backtest compare ID ID · backtest ui\n' +
        '(in a clone: npm link once to get the backtest command, or run npm run backtest -- list)',
    );
  });
}

/** A small sma-cross grid on GOOG, saved as one sweep. */
async function runDemoSweep(db: RunStore, say: (line: string) => void): Promise<number> {
  const bars = await db.loadBars('GOOG', '1Day');
  if (bars === undefined) return 0;
  const { runSweep } = await import('../../app/sweep/index.js');
  const grid = ['fast=5..30:5', 'slow=20..100:20'];
  const summary = await runSweep({
    bars,
    strategy: 'sma-cross',
    grid,
    config: BUNDLED_BARS[0]!.costs,
    db,
    notes: 'demo',
  });
  say(`Swept sma-cross on GOOG 1Day over ${grid.join(' ')}: ${summary.saved} runs saved as sweep ${summary.sweepId}`);
  return summary.saved;
}

function renderLeaderboard(rows: readonly BacktestRow[]): string {
  return renderTable(
    ['ID', 'Symbol', 'Timeframe', 'Strategy / model', ...LIST_METRICS.map(shortMetricHeader)],
    rows.map((row) => [
      String(row.id),
      printable(String(row.symbol)),
      printable(String(row.timeframe)),
      describeRunSource(row),
      ...LIST_METRICS.map((m) => formatMetricValue(m, row[m])),
    ]),
    4,
  );
}
