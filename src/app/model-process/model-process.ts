/**
 * Runs ONNX models in a child process for `run --all`, one at a time, so that a model that
 * hangs (ONNX Runtime spinning in native code cannot be interrupted from JavaScript) or crashes
 * the runtime fails alone. A child process rather than a worker thread: onnxruntime-node has
 * had crashes in worker threads, and only a process can be stopped whatever it is doing.
 *
 * One child serves model after model; one that times out is killed, and one that dies is
 * replaced by a fresh child for the next model.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BarSeries } from '../../core/bars.js';
import type { BacktestConfigInput } from '../../core/config.js';
import { fingerprintBars } from '../../data/index.js';
import { BacktestResult } from '../backtest-result.js';
import type { ModelProcessMessage, ModelRunRequest } from './model-process-messages.js';

/**
 * The compiled CLI (dist/) forks the compiled child module. From the TypeScript sources (tests,
 * `npm run backtest`) the child goes through a bootstrap that registers tsx first.
 */
const CHILD_PATH = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('./model-process-bootstrap.mjs', import.meta.url)
    : new URL('./model-process-child.js', import.meta.url),
);
/** A child gets at least this long to start (the run timeout when that is longer). */
const MIN_START_TIMEOUT_MS = 60_000;
/** setTimeout fires at once for longer delays; a timeout of 24 days is as good as none. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** How one model's run in the child ended. */
export type ModelProcessOutcome =
  | { readonly result: BacktestResult; readonly error?: undefined; readonly aborted?: undefined }
  | { readonly error: string; readonly result?: undefined; readonly aborted?: undefined }
  | { readonly aborted: true; readonly result?: undefined; readonly error?: undefined };

/** What {@link ModelProcess.run} backtests. */
export interface ModelProcessRequest {
  readonly modelPath: string;
  readonly bars: BarSeries;
  readonly config?: Partial<Omit<BacktestConfigInput, 'strategy'>> | undefined;
}

/** One exchange with the child: its answer, or why there was none. */
type Reply =
  | { readonly kind: 'message'; readonly message: ModelProcessMessage }
  /** The child ended or could not be reached: `reason` says how ("exited with code 3"). */
  | { readonly kind: 'lost'; readonly reason: string }
  | { readonly kind: 'timeout'; readonly message: string }
  | { readonly kind: 'aborted' };

/**
 * A child process that backtests models on request; see the module comment.
 *
 * @example
 * const models = new ModelProcess({ runTimeoutSeconds: 600 });
 * try {
 *   const outcome = await models.run({ modelPath: 'models/GOOG_1Day.onnx', bars });
 *   if (outcome.result !== undefined) await outcome.result.saveToDb();
 * } finally {
 *   models.close();
 * }
 */
export class ModelProcess {
  private child: ChildProcess | undefined;
  private readonly runTimeoutSeconds: number;

  constructor(options: { readonly runTimeoutSeconds: number }) {
    this.runTimeoutSeconds = options.runTimeoutSeconds;
  }

  /**
   * Backtests one model in the child, starting a child first if there is none. The result is
   * the same {@link BacktestResult} an in-process `runModelBacktest` gives. A run still going
   * after the run timeout is killed with its child; `signal` kills it at once.
   */
  async run(request: ModelProcessRequest, signal?: AbortSignal): Promise<ModelProcessOutcome> {
    let child = this.child;
    if (child === undefined) {
      child = fork(CHILD_PATH, [], {
        serialization: 'advanced',
        // The bootstrap brings its own loader; flags of the parent (test runners') are not for it.
        execArgv: [],
        // Standard output stays the parent's alone (`--json`); errors of the runtime still show.
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      this.child = child;
      // Errors also end the exchange under way; this keeps one between exchanges from throwing.
      child.on('error', () => {});
      const startMs = Math.max(this.runTimeoutSeconds * 1000, MIN_START_TIMEOUT_MS);
      const timeout = `the model's process did not start within ${startMs / 1000} s`;
      const started = await this.exchange(child, undefined, startMs, timeout, signal);
      if (started.kind !== 'message') return this.endChild(child, started, 'before it was ready');
    }

    const { bars, modelPath, config } = request;
    const message: ModelRunRequest = {
      type: 'run',
      modelPath,
      symbol: bars.symbol,
      timeframe: bars.timeframe,
      columns: {
        timeMs: bars.timeMs,
        open: bars.open,
        high: bars.high,
        low: bars.low,
        close: bars.close,
        volume: bars.volume,
      },
      ...(config === undefined ? {} : { config }),
    };
    const reply = await this.exchange(
      child,
      message,
      this.runTimeoutSeconds * 1000,
      `timed out after ${this.runTimeoutSeconds} s`,
      signal,
    );
    if (reply.kind !== 'message') return this.endChild(child, reply, 'while running it');
    const answer = reply.message;
    if (answer.type === 'error') return { error: answer.message };
    if (answer.type !== 'result') {
      return this.endChild(child, { kind: 'lost', reason: `answered "${answer.type}"` }, 'instead of a result');
    }
    const { equity, ...data } = answer.data;
    return {
      // As runPrepared builds it: the curve's times are the bars', and the bars are hashed only if read.
      result: new BacktestResult({
        ...data,
        symbol: bars.symbol,
        timeframe: bars.timeframe,
        equityCurve: { timeMs: bars.timeMs, equity },
        bars: () => fingerprintBars(bars),
      }),
    };
  }

  /** Ends the child, if one is running. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
  }

  /** Kills a child that failed, hung or was stopped, and says why its model has no result. */
  private endChild(
    child: ChildProcess,
    reply: Exclude<Reply, { kind: 'message' }>,
    phase: string,
  ): ModelProcessOutcome {
    if (this.child === child) this.child = undefined;
    child.kill('SIGKILL');
    if (reply.kind === 'aborted') return { aborted: true };
    if (reply.kind === 'timeout') return { error: reply.message };
    return { error: `the model's process ${reply.reason} ${phase}` };
  }

  /** Sends `request` (when given) and waits for the child's next message, its exit, the timeout or `signal`. */
  private exchange(
    child: ChildProcess,
    request: ModelRunRequest | undefined,
    timeoutMs: number,
    timeoutMessage: string,
    signal: AbortSignal | undefined,
  ): Promise<Reply> {
    return new Promise((resolve) => {
      const onMessage = (message: ModelProcessMessage): void => done({ kind: 'message', message });
      const onExit = (code: number | null, signalName: NodeJS.Signals | null): void =>
        done({
          kind: 'lost',
          reason: signalName === null ? `exited with code ${code}` : `was killed by ${signalName}`,
        });
      const onError = (error: Error): void => done({ kind: 'lost', reason: `failed: ${error.message}` });
      const onAbort = (): void => done({ kind: 'aborted' });
      const timer = setTimeout(
        () => done({ kind: 'timeout', message: timeoutMessage }),
        Math.min(timeoutMs, LONGEST_TIMER_MS),
      );
      const done = (reply: Reply): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
        signal?.removeEventListener('abort', onAbort);
        resolve(reply);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.on('error', onError);
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (request !== undefined) {
        child.send(request, (error) => {
          if (error !== null) done({ kind: 'lost', reason: `could not be sent the model: ${error.message}` });
        });
      }
    });
  }
}
