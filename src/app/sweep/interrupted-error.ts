import { AppError } from '../../core/errors.js';

/** Exit code of a process stopped by Ctrl-C (128 + SIGINT's number, 2), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * The user stopped a long command (Ctrl-C) after it had cleaned up: the CLI exits with 130.
 *
 * @example
 * throw new InterruptedError('sweep stopped by Ctrl-C; 120 of 400 runs were saved');
 */
export class InterruptedError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'interrupted', exitCode: INTERRUPTED_EXIT_CODE, ...options });
  }
}
