import { AppError, StoreBusyError, StoreError } from '../../core/errors.js';

/**
 * Plain-words explanations of the failures a user can run into, by SQLSTATE (PostgreSQL's
 * error codes) or Node's network error codes. A prefix matches a class (`53` is "insufficient
 * resources").
 */
const EXPLANATIONS: readonly (readonly [code: string, explanation: string])[] = [
  ['ECONNREFUSED', 'cannot be reached: nothing listens at that host and port; check that the server is running'],
  ['ENOTFOUND', 'cannot be reached: its host name is unknown'],
  ['EAI_AGAIN', 'cannot be reached: its host name could not be looked up'],
  ['ETIMEDOUT', 'cannot be reached: the connection timed out'],
  ['ECONNRESET', 'closed the connection; check the server'],
  ['28P01', 'refused the password for that user'],
  ['28000', 'refused the connection (authentication); check the user and pg_hba.conf'],
  ['3D000', 'does not exist; create it first (CREATE DATABASE) or fix the name in the URL'],
  ['42501', 'refused the request: permission denied; grant the user rights on the schema and tables'],
  ['25006', 'is open read-only; open it for writing'],
  ['57P01', 'shut down while in use; try again when it is back'],
  ['57P03', 'is starting up or shutting down; try again in a moment'],
  ['53100', 'cannot grow: its disk is full'],
  ['53', 'ran out of resources (connections, memory or disk)'],
  ['23505', 'refused a row that repeats a unique value'],
  ['23', 'refused a row that breaks a table constraint'],
];

/** Failures worth retrying: the write did not happen, and trying again may succeed. */
const RETRYABLE = new Set(['40001', '40P01', '55P03']);

/**
 * Turns an error thrown while using the database at `location` (a URL without its password)
 * into a {@link StoreError} that names the database and says in plain words what went wrong;
 * an {@link AppError} passes through unchanged. Serialization failures, deadlocks and lock
 * time-outs become a {@link StoreBusyError}, which callers may retry.
 *
 * @example
 * try { await pool.query(sql, values); } catch (error) { throw toStoreError(error, store.location, 'save a run'); }
 */
export function toStoreError(error: unknown, location: string, action: string): AppError {
  if (error instanceof AppError) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const text = error instanceof Error ? error.message : String(error);
  const explanation = code === '' ? undefined : EXPLANATIONS.find(([prefix]) => code.startsWith(prefix))?.[1];
  const detail = explanation ?? (code === '' ? 'failed' : `failed with ${code}`);
  const message = `database ${location} ${detail} (while trying to ${action}: ${oneLine(text)})`;
  if (RETRYABLE.has(code)) return new StoreBusyError(message, { cause: error });
  return new StoreError(message, { cause: error });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
