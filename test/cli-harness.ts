/** Runs the CLI in-process with captured output, as the tests' stand-in for a terminal. */
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/cli-io.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `backtest <args>` with `cwd` as the working directory; `answers` reply to confirmations;
 * `columns` is the terminal width tables fit (default: none, as when output is piped).
 */
export async function runCli(
  args: readonly string[],
  cwd: string,
  options: { answers?: boolean[]; env?: NodeJS.ProcessEnv; interactive?: boolean; columns?: number } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const answers = [...(options.answers ?? [])];
  const io: CliIO = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    cwd,
    env: options.env ?? {},
    interactive: options.interactive ?? false,
    columns: options.columns,
    confirm: async () => answers.shift() ?? false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
