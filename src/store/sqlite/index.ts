/**
 * The SQLite implementation of the store. Importing this module loads better-sqlite3, so the
 * rest of the code reaches it through `openStore` (a dynamic import) and never at start-up.
 *
 * @example
 * import { TradingDatabase } from './store/sqlite/index.js';
 */
export { CURRENT_SCHEMA_VERSION, LEGACY_DDL } from './schema.js';
export type { OpenDatabaseOptions, SynchronousMode } from './sqlite-connection.js';
export { SqliteRunStore } from './sqlite-run-store.js';
export { parseConfigJson, TradingDatabase } from './trading-database.js';
