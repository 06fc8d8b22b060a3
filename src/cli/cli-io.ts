/**
 * Where a command reads and writes. Commands take this instead of touching `process`, so tests
 * call them as plain functions and capture what they print.
 */
export interface CliIO {
  /** Writes to standard output (text is written as given; add newlines yourself). */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** True when standard error is a terminal, so progress bars may be drawn. */
  readonly interactive: boolean;
  /**
   * Width in characters of the terminal standard output is shown on; tables are fitted to it.
   * Undefined when standard output is not a terminal (piped or redirected): tables then print
   * whole, every column and every full name, as with `--wide`.
   */
  readonly columns?: number | undefined;
  /** Asks a yes/no question; resolves false when there is no terminal to ask on. */
  readonly confirm: (question: string) => Promise<boolean>;
}

/** The real process's streams. */
export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    interactive: process.stderr.isTTY === true,
    // A pseudo-terminal that was never given a size reports 0 columns: treat it as unknown.
    columns: process.stdout.isTTY === true && process.stdout.columns > 0 ? process.stdout.columns : undefined,
    confirm: async (question) => {
      if (process.stdin.isTTY !== true) return false;
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}
