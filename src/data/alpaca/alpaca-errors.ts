/**
 * Failures talking to Alpaca, each with its own exit code so a script can tell "fix your keys"
 * from "try again later" (the codes are in the README's table).
 */
import { AppError } from '../../core/errors.js';

/** Exit code when Alpaca refuses the API keys (401/403) or none are set. */
export const AUTHENTICATION_EXIT_CODE = 6;
/** Exit code when Alpaca could not be reached, or kept failing, after every retry. */
export const NETWORK_EXIT_CODE = 7;

/**
 * Alpaca refused the request's credentials or permissions (HTTP 401 or 403), or no keys are
 * set: exit 6. The message never contains the keys.
 *
 * @example
 * throw new AlpacaAuthenticationError('Alpaca refused the API keys (HTTP 403: forbidden)');
 */
export class AlpacaAuthenticationError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'authentication', exitCode: AUTHENTICATION_EXIT_CODE, ...options });
  }
}

/**
 * Alpaca could not be reached, timed out, answered 5xx or kept rate limiting after every
 * retry: exit 7. Running the same command again later resumes.
 *
 * @example
 * throw new AlpacaNetworkError('could not reach https://data.alpaca.markets after 6 attempts (ECONNREFUSED)');
 */
export class AlpacaNetworkError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'network', exitCode: NETWORK_EXIT_CODE, ...options });
  }
}

/**
 * Alpaca rejected the request itself (HTTP 422, or another 4xx such as 404 for a wrong
 * `APCA_API_DATA_URL`): the flags or the symbol need fixing, so exit 2 as for bad flags.
 *
 * @example
 * throw new AlpacaRequestError('Alpaca rejected the request for AAPL 1Hour (HTTP 422: invalid symbol)', 422);
 */
export class AlpacaRequestError extends AppError {
  /** The HTTP status Alpaca answered with. */
  readonly status: number;

  constructor(message: string, status: number, options: { cause?: unknown } = {}) {
    super(message, { code: 'request', exitCode: 2, ...options });
    this.status = status;
  }
}
