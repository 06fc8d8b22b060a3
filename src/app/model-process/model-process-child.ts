/**
 * The child process of `run --all`: runs one model at a time as the parent asks, so that a
 * model that hangs or crashes ONNX Runtime takes only this process down. The parent never
 * loads onnxruntime-node; this process loads it for the first model. Started through
 * `model-process-bootstrap.mjs` when running from the TypeScript sources.
 */
import { Worker } from 'node:worker_threads';
import { createBarSeries } from '../../core/bars.js';
import { runModelBacktest } from '../run-model.js';
import type { ModelProcessMessage, ModelRunRequest } from './model-process-messages.js';

/** How often the watchdog looks whether the parent is still there, ms. */
const PARENT_POLL_MS = 250;

const send = process.send?.bind(process);
if (send === undefined) throw new Error('model-process-child must be started with an IPC channel (child_process.fork)');
const post = (message: ModelProcessMessage): void => {
  send(message);
};

process.on('message', (request: ModelRunRequest) => {
  void answer(request);
});
// The parent is gone (it ended or was killed): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
watchParent();
post({ type: 'ready' });

/**
 * A model spinning inside ONNX Runtime's native code holds this process's main thread, so the
 * `disconnect` above never runs when the parent is killed outright (SIGKILL), and the process
 * would spin on alone. A small thread watches for the parent to go (this process is handed to
 * another parent then) and ends the process.
 */
function watchParent(): void {
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL');
    }, ${PARENT_POLL_MS});`,
    { eval: true, workerData: { parent: process.ppid, self: process.pid } },
  );
  // It never keeps the process alive by itself.
  watchdog.unref();
}

async function answer(request: ModelRunRequest): Promise<void> {
  try {
    const bars = createBarSeries(request.symbol, request.timeframe, request.columns);
    const result = await runModelBacktest({
      bars,
      modelPath: request.modelPath,
      ...(request.config === undefined ? {} : { config: request.config }),
    });
    post({
      type: 'result',
      data: {
        config: result.config,
        equity: result.equityCurve.equity,
        trades: result.trades,
        skippedOrders: result.skippedOrders,
        outOfMoney: result.outOfMoney,
        metrics: result.metrics,
        ...(result.model === undefined ? {} : { model: result.model }),
      },
    });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}
