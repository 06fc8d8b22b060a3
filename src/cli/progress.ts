import { SingleBar } from 'cli-progress';
import type { CliIO } from './cli-io.js';

/** A progress bar on standard error, drawn only when it is a terminal. */
export interface Progress {
  update(done: number, detail?: string): void;
  stop(): void;
}

/**
 * Starts a progress bar with a count, percentage and ETA for `total` steps. When standard
 * error is not a terminal (CI, pipes), nothing is drawn, so logs stay clean.
 *
 * @example
 * const progress = startProgress(io, 'Models', files.length);
 * progress.update(1, 'GOOG_1Day.onnx');
 * progress.stop();
 */
export function startProgress(io: CliIO, label: string, total: number): Progress {
  if (!io.interactive || total === 0) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {detail}`,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 50,
    stream: process.stderr,
  });
  bar.start(total, 0, { detail: '' });
  return {
    update: (done, detail = '') => bar.update(done, { detail }),
    stop: () => bar.stop(),
  };
}
