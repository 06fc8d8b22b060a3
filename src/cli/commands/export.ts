import { resolve } from 'node:path';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { writeFileAtomically } from '../../app/write-file-atomically.js';
import type { CliIO } from '../cli-io.js';

/** Flags of `backtest export`. */
export interface ExportCommandOptions {
  readonly format: 'csv' | 'json';
  readonly out?: string;
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly model?: string;
  readonly sweep?: string;
  readonly since?: number;
  readonly db?: string;
}

/** `backtest export`: every matching run with every column, to stdout or a file (written atomically). */
export async function exportCommand(options: ExportCommandOptions, io: CliIO): Promise<void> {
  const text = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (db) =>
    db.exportBacktests(
      {
        symbol: options.symbol,
        timeframe: options.timeframe,
        modelPath: options.model,
        sweepId: options.sweep,
        sinceTimestamp: options.since,
      },
      options.format,
    ),
  );
  if (options.out === undefined) {
    io.out(text);
    return;
  }
  const path = resolve(io.cwd, options.out);
  writeFileAtomically(path, text);
  io.err(`Wrote ${path}\n`);
}
