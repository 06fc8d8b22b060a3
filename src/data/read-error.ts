/**
 * Words for why a file could not be read, from a Node file system error, completing
 * "`path`: …".
 *
 * @example
 * describeReadError(error, 'a CSV file'); // 'file not found', 'is a directory, not a CSV file', ...
 */
export function describeReadError(error: unknown, kind: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return `is a directory, not ${kind}`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `cannot read the file (${error instanceof Error ? error.message : String(error)})`;
  }
}
