/**
 * The run query builder (`../run-query.ts`) in PostgreSQL's words: arrays (`= ANY(?)`) instead
 * of IN lists, so one prepared statement serves any number of spellings; `right(x, n)` and
 * `left(x, n)` (a negative start means something else than in SQLite); `false`; `IS DISTINCT
 * FROM` with typed parameters and NULLs where the other side may be a bare NULL.
 */
import { queryBuilder, type SqlDialect } from '../run-query.js';

export { type Condition, condition, type FieldName, notNull, TRAINING_ROLE, tradesField } from '../run-query.js';
export { storedRow } from '../row-source.js';

const POSTGRES_DIALECT: SqlDialect = {
  oneOf: (expr, values) =>
    values.length === 1
      ? { sql: `${expr} = ?`, params: values }
      : { sql: `${expr} = ANY(?::text[])`, params: [values] },
  lastChars: (expr) => `right(${expr}, ?)`,
  firstChars: (expr) => `left(${expr}, ?)`,
  never: 'false',
  textParam: '?::text',
  distinctFrom: 'IS DISTINCT FROM',
  // Typed: PostgreSQL refuses a bare NULL in ORDER BY (a constant) and cannot type abs(NULL).
  nullNumber: 'NULL::float8',
};

export const { filterConditions, planQuery } = queryBuilder(POSTGRES_DIALECT);
