/**
 * Database locations that are URLs rather than file paths: `postgres://` and `postgresql://`
 * select the PostgreSQL store. Their passwords must never reach a message, a log line or a
 * terminal, so every place that names such a location uses {@link redactDatabaseUrl}.
 */

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * True when `location` is a PostgreSQL connection URL (`postgres://...` or `postgresql://...`);
 * anything else is a SQLite file path.
 *
 * @example
 * isPostgresUrl('postgres://app:secret@db.local:5432/runs'); // true
 * isPostgresUrl('data/trading.db'); // false
 */
export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location.trim());
}

/**
 * The URL with its password replaced by `***` (in the user part and in a `password=` query
 * parameter); other locations unchanged. Parsed by hand rather than with `URL`, so a password
 * holding characters that `URL` rejects is still hidden: everything between the first `:` of
 * the user part and the last `@` is cut, which can only hide more, never less.
 *
 * @example
 * redactDatabaseUrl('postgres://app:secret@db.local/runs'); // 'postgres://app:***@db.local/runs'
 */
export function redactDatabaseUrl(location: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(location)?.[0];
  if (scheme === undefined) return location;
  const rest = location.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  let redacted = rest;
  if (at >= 0) {
    const userInfo = rest.slice(0, at);
    const colon = userInfo.indexOf(':');
    if (colon >= 0) redacted = `${userInfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
  }
  redacted = redacted.replace(/([?&]password=)[^&#]*/gi, '$1***');
  return scheme + redacted;
}

/**
 * A location as messages name it: a URL without its password, a file path as it is.
 *
 * @example
 * describeDatabase('postgresql://u:p@h/db'); // 'postgresql://u:***@h/db'
 */
export function describeDatabase(location: string): string {
  return isPostgresUrl(location) ? redactDatabaseUrl(location) : location;
}
