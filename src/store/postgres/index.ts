/**
 * The PostgreSQL implementation of the run store. Importing this module loads the `pg` driver;
 * `openStore` imports it only for `postgres://` URLs.
 */
export type { OpenPostgresOptions } from './postgres-connection.js';
export { PostgresRunStore } from './postgres-run-store.js';
export { CURRENT_POSTGRES_SCHEMA_VERSION } from './postgres-schema.js';
export {
  idempotencyKey,
  type OnceOutcome,
  PostgresDistributed,
  type RunOrigin,
  type SweepFailureRecord,
  type SweepWorkerSeen,
} from './postgres-distributed.js';
