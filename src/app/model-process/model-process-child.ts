/**
 * The child process of `run --all`: runs one model at a time as the parent asks, so that a
 * model that hangs or crashes ONNX Runtime takes only this process down. The parent never
 * loads onnxruntime-node; this process loads it for the first model. Started through
 * `model-process-bootstrap.mjs` when running from the TypeScript sources.
 */
import { createBarSeries } from '../../core/bars.js';
import { runModelBacktest } from '../run-model.js';
import type { ModelProcessMessage, ModelRunRequest } from './model-process-messages.js';

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
post({ type: 'ready' });

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
