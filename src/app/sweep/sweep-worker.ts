/**
 * The worker thread of a sweep: builds the bars once from `workerData`, then runs the parameter
 * sets it is sent one at a time, saying when each starts and answering each with a compact save
 * input. Started through `sweep-worker-bootstrap.mjs` when running from the TypeScript sources,
 * which registers tsx first (worker threads do not inherit it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBarSeries } from '../../core/bars.js';
import { resolveConfig } from '../../core/config.js';
import type { StrategyDefinition } from '../../core/strategy.js';
import { periodReturns } from '../../metrics/index.js';
import { downsampleEquity, monthEndPoints, prepareBacktest } from '../../store/index.js';
import { resolveParams, resolveStrategy } from '../../strategies/index.js';
import { runPrepared } from '../run-backtest.js';
import { toSaveInput } from '../save-result.js';
import type {
  PreparedJobOutcome,
  SweepBatchRequest,
  SweepJob,
  SweepJobOutcome,
  SweepWorkerData,
  SweepWorkerMessage,
} from './sweep-messages.js';

const port = parentPort;
if (port === null) throw new Error('sweep-worker must run in a worker thread');
const data = workerData as SweepWorkerData;
const bars = createBarSeries(data.symbol, data.timeframe, data.columns);
const definitionLoading: Promise<StrategyDefinition> = resolveStrategy(data.strategy);

const post = (message: SweepWorkerMessage<SweepJobOutcome | PreparedJobOutcome>, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(message, transfer);
/** Unix seconds, the run timestamp of results prepared here. */
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

// Jobs run one at a time, in the order they arrived: the main thread relies on that to know
// which job was running when this worker hangs or dies.
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
    // Without a strategy every job is refused by the `fatal` already sent.
    if (definition !== undefined) for (const job of request.jobs) await runJob(definition, job);
    return definition;
  });
});

async function runJob(definition: StrategyDefinition, job: SweepJob): Promise<void> {
  post({ type: 'started', index: job.index });
  let outcome: SweepJobOutcome | PreparedJobOutcome;
  const transfer: ArrayBuffer[] = [];
  try {
    const params = resolveParams(definition, job.params);
    // The module path goes into the config, so every saved run records how to rebuild its strategy.
    const strategy =
      definition.module === undefined
        ? { name: definition.name, params }
        : { name: definition.name, params, module: definition.module };
    const config = resolveConfig({ ...data.config, strategy });
    const split = data.outOfSample;
    const result = await runPrepared(
      bars,
      definition.create(params),
      config,
      split === undefined
        ? { fingerprint: data.fingerprint }
        : {
            fingerprint: split.inSample,
            outOfSample: {
              fromIndex: split.fromIndex,
              strategy: definition.create(params),
              fingerprint: split.outOfSample,
            },
          },
    );
    const input = toSaveInput(result, {
      sweepId: data.sweepId,
      ...(data.notes === undefined ? {} : { notes: data.notes }),
    });
    // Downsampled here so a 100,000-point curve is never copied to the main thread.
    const curve = downsampleEquity(result.equityCurve);
    const monthEnds = monthEndPoints(result.equityCurve);
    // From the full curve too: the returns of each period of the sweep's grid, for `backtest overfit`.
    const periods = periodReturns(result.equityCurve.equity, data.periodGrid);
    transfer.push(
      curve.timeMs.buffer as ArrayBuffer,
      curve.equity.buffer as ArrayBuffer,
      monthEnds.timeMs.buffer as ArrayBuffer,
      monthEnds.equity.buffer as ArrayBuffer,
      periods.buffer as ArrayBuffer,
    );
    const sourcePointCount = result.equityCurve.timeMs.length;
    const full = { ...input, equityCurve: { ...curve, sourcePointCount, monthEnds }, periodReturns: periods };
    if (data.prepare === undefined) {
      outcome = { index: job.index, input: full };
    } else {
      // Packed here: the few byte arrays are copied to the main thread (cheap), where thousands
      // of trade objects would be cloned, rebuilt and collected there.
      const link = data.prepare.walkForward;
      transfer.length = 0;
      outcome = {
        index: job.index,
        prepared: prepareBacktest(
          link === undefined ? full : { ...full, walkForward: link },
          `configuration ${job.index + 1}`,
          nowSeconds,
        ),
      };
    }
  } catch (error) {
    outcome = { index: job.index, error: describe(error) };
  }
  post({ type: 'result', outcome }, transfer);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
