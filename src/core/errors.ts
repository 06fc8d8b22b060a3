/**
 * Every error the toolkit raises on purpose is an {@link AppError}: it carries a stable
 * `code` for scripts and the process exit code the CLI uses. Anything else that reaches
 * the CLI is treated as a bug.
 *
 * @example
 * throw new DataError('GOOG.csv line 12, column close: "abc" is not a number');
 */
export class AppError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, options: { code: string; exitCode: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.exitCode = options.exitCode;
  }
}

/** Bad flags or arguments on the command line (exit 2). */
export class UsageError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'usage', exitCode: 2, ...options });
  }
}

/** A config or strategy parameter that is out of range or of the wrong type (exit 2). */
export class ConfigError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'config', exitCode: 2, ...options });
  }
}

/** One problem found in input data, located as precisely as we can. */
export interface DataIssue {
  /** File path or other source name. */
  readonly source: string;
  /** 1-based line number in the source, when known. */
  readonly line?: number;
  /** Column / field name, when known. */
  readonly field?: string;
  /** What is wrong, in words a user can act on. */
  readonly reason: string;
}

/** Formats a data issue as `source line N, column F: reason`. */
export function formatDataIssue(issue: DataIssue): string {
  let where = issue.source;
  if (issue.line !== undefined) where += ` line ${issue.line}`;
  if (issue.field !== undefined) where += `${issue.line !== undefined ? ',' : ''} column ${issue.field}`;
  return `${where}: ${issue.reason}`;
}

/** Bad input data: bars, CSV files, model files, import files (exit 3). */
export class DataError extends AppError {
  readonly issues: readonly DataIssue[];

  constructor(issues: DataIssue | readonly DataIssue[], options: { cause?: unknown } = {}) {
    const list = Array.isArray(issues) ? (issues as readonly DataIssue[]) : [issues as DataIssue];
    const first = list[0];
    const message = first === undefined ? 'invalid data' : formatDataIssue(first);
    const more = list.length > 1 ? ` (and ${list.length - 1} more problem${list.length > 2 ? 's' : ''})` : '';
    super(message + more, { code: 'data', exitCode: 3, ...options });
    this.issues = list;
  }
}

/** A strategy or model failed to load or threw while running (exit 4). */
export class StrategyError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'strategy', exitCode: 4, ...options });
  }
}

/** The result store is unavailable, corrupt, read-only, or a migration failed (exit 5). */
export class StoreError extends AppError {
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { code: options.code ?? 'store', exitCode: 5, cause: options.cause });
  }
}

/**
 * Another process held the store's write lock for longer than the busy timeout: the write did
 * not happen and may be retried (exit 5 when it is not).
 */
export class StoreBusyError extends StoreError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, code: 'store-busy' });
  }
}

/** Something that can only be a bug in this toolkit (exit 70). */
export class InternalError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'internal', exitCode: 70, ...options });
  }
}
