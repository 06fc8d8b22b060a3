/**
 * The run query builder (`../run-query.ts`) in SQLite's words: IN lists, `substr` with a
 * negative start for the last characters, `0` for false, `IS NOT` as the null-safe inequality.
 */
import { queryBuilder, type SqlDialect } from '../run-query.js';

export { condition, notNull, TRAINING_ROLE, tradesField } from '../run-query.js';

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

const SQLITE_DIALECT: SqlDialect = {
  oneOf: (expr, values) => ({
    sql: values.length === 1 ? `${expr} = ?` : `${expr} IN (${placeholders(values.length)})`,
    params: values,
  }),
  lastChars: (expr) => `substr(${expr}, -?)`,
  firstChars: (expr) => `substr(${expr}, 1, ?)`,
  never: '0',
  textParam: '?',
  distinctFrom: 'IS NOT',
  nullNumber: 'NULL',
};

export const { filterConditions, planQuery } = queryBuilder(SQLITE_DIALECT);
