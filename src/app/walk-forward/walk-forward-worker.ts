/**
 * The worker thread of a walk-forward: builds the bars once from `workerData`, then runs the
 * training jobs it is sent, one at a time and in order (the sweep pool's protocol, see
 * `../sweep/sweep-worker.ts`), each on its window's training bars only.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBarSeries } from '../../core/bars.js';
import { resolveConfig } from '../../core/config.js';
import type { StrategyDefinition } from '../../core/strategy.js';
import { type BacktestInput, downsampleEquity, monthEndPoints, WalkForwardRole } from '../../store/index.js';
import { resolveParams, resolveStrategy } from '../../strategies/index.js';
import { viewBars } from '../out-of-sample.js';
import { runPrepared } from '../run-backtest.js';
import { toSaveInput } from '../save-result.js';
import type { SweepBatchRequest, SweepJob, SweepJobOutcome, SweepWorkerMessage } from '../sweep/sweep-messages.js';
import type { WalkForwardWorkerData } from './walk-forward-messages.js';

const port = parentPort;
if (port === null) throw new Error('walk-forward-worker must run in a worker thread');
const data = workerData as WalkForwardWorkerData;
const bars = createBarSeries(data.symbol, data.timeframe, data.columns);
const definitionLoading: Promise<StrategyDefinition> = resolveStrategy(data.strategy);

const post = (message: SweepWorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

let queue: Promise<StrategyDefinition | undefined> = definitionLoading.then(
  (definition) => {
    post({ type: 'ready' });
    return definition;
  },
  (error: unknown) => {
    post({ type: 'fatal', message: describe(error) });
    return undefined;
  },
);
port.on('message', (request: SweepBatchRequest) => {
  queue = queue.then(async (definition) => {
    if (definition !== undefined) for (const job of request.jobs) await runJob(definition, job);
    return definition;
  });
});

async function runJob(definition: StrategyDefinition, job: SweepJob): Promise<void> {
  post({ type: 'started', index: job.index });
  let outcome: SweepJobOutcome;
  const transfer: ArrayBuffer[] = [];
  try {
    const window = data.windows[Math.floor(job.index / data.configCount)];
    if (window === undefined) throw new Error(`job ${job.index} has no window`);
    const params = resolveParams(definition, job.params);
    const strategy =
      definition.module === undefined
        ? { name: definition.name, params }
        : { name: definition.name, params, module: definition.module };
    const config = resolveConfig({ ...data.config, strategy });
    const training = viewBars(bars, window.from, window.to);
    const result = await runPrepared(training, definition.create(params), config, { fingerprint: window.fingerprint });
    let input: BacktestInput;
    if (data.save === undefined) {
      // Only the metrics are needed to choose a configuration.
      input = {
        symbol: result.symbol,
        timeframe: result.timeframe,
        startDate: Math.floor(window.fingerprint.firstTimeMs / 1000),
        endDate: Math.floor(window.fingerprint.lastTimeMs / 1000),
        initialCapital: config.initialCash,
        finalEquity: result.metrics.final_equity,
        totalReturn: result.metrics.total_return,
        metrics: result.metrics,
      };
    } else {
      const saved = toSaveInput(result, data.save.notes === undefined ? {} : { notes: data.save.notes });
      // Downsampled here so a long curve is never copied to the main thread.
      const curve = downsampleEquity(result.equityCurve);
      const monthEnds = monthEndPoints(result.equityCurve);
      transfer.push(
        curve.timeMs.buffer as ArrayBuffer,
        curve.equity.buffer as ArrayBuffer,
        monthEnds.timeMs.buffer as ArrayBuffer,
        monthEnds.equity.buffer as ArrayBuffer,
      );
      input = {
        ...saved,
        equityCurve: { ...curve, sourcePointCount: result.equityCurve.timeMs.length, monthEnds },
        walkForward: { id: data.save.groupId, role: WalkForwardRole.Training, window: window.index },
      };
    }
    outcome = { index: job.index, input };
  } catch (error) {
    outcome = { index: job.index, error: describe(error) };
  }
  post({ type: 'result', outcome }, transfer);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
