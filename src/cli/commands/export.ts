import { resolve } from 'node:path';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { writeFileAtomically } from '../../app/write-file-atomically.js';
import { printableLines } from '../../app/format-values.js';
import { modelFilterFor } from '../../app/model-filter.js';
import { checkTransferFormat, formatRuns } from '../../store/index.js';
import type { CliIO } from '../cli-io.js';

/** Flags of `backtest export`. */
export interface ExportCommandOptions {
  readonly format: 'csv' | 'json' | 'jsonl';
  readonly out?: string;
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly model?: string;
  readonly sweep?: string;
  readonly since?: number;
  readonly db?: string;
}

/**
 * `backtest export`: every matching run, to stdout or a file (written atomically). JSON carries
 * everything (summary, every metric, provenance, UUID, equity curve, trades); CSV the summary.
 */
export async function exportCommand(options: ExportCommandOptions, io: CliIO): Promise<void> {
  const format = checkTransferFormat(options.format);
  const filter = {
    symbol: options.symbol,
    timeframe: options.timeframe,
    modelPath: options.model === undefined ? undefined : modelFilterFor(options.model, io.cwd),
    sweepId: options.sweep,
    sinceTimestamp: options.since,
  };
  const records = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    store.exportRuns(filter),
  );
  const text = formatRuns(format === 'csv' ? records.map(({ row }) => ({ row })) : records, format);
  if (options.out === undefined) {
    // A terminal gets control characters escaped; a pipe or file gets the data as stored.
    io.out(io.columns === undefined ? text : printableLines(text));
    return;
  }
  const path = resolve(io.cwd, options.out);
  writeFileAtomically(path, text);
  io.err(`Wrote ${path}\n`);
}
