/**
 * Long synchronous work (expanding a grid of a million combinations takes seconds) written once
 * as a generator that `yield`s between slices, then run either straight through or in slices
 * that let the event loop in, so a Ctrl-C is heard while it runs.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InterruptedError } from './interrupted-error.js';

/** Work that may pause at each `yield` and finally returns a `T`. */
export type Slices<T> = Generator<void, T, void>;

/**
 * Items (combinations, values) a generator handles between two `yield`s: a few milliseconds of
 * work, so a Ctrl-C waits at most that long and a million items pay for ~250 pauses.
 */
export const ITEMS_PER_SLICE = 4096;

/**
 * Runs `work` to the end without pausing.
 *
 * @example
 * const plan = runToEnd(planSlices(definition, axes));
 */
export function runToEnd<T>(work: Slices<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done === true) return step.value;
  }
}

/**
 * Runs `work`, giving the event loop a turn after each slice; when `signal` is aborted, stops
 * at the next pause and throws an {@link InterruptedError} with `stoppedMessage`.
 *
 * @example
 * const plan = await runInSlices(planSlices(definition, axes), signal, 'sweep stopped by Ctrl-C while planning');
 */
export async function runInSlices<T>(
  work: Slices<T>,
  signal: AbortSignal | undefined,
  stoppedMessage: string,
): Promise<T> {
  for (;;) {
    if (signal?.aborted === true) {
      work.return(undefined as never);
      throw new InterruptedError(stoppedMessage);
    }
    const step = work.next();
    if (step.done === true) return step.value;
    // setImmediate runs after pending I/O, so a signal that arrived meanwhile is handled first.
    await nextTurn();
  }
}
