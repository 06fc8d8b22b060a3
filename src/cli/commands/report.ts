import { resolve } from 'node:path';
import { openHistoryForReading, withDatabase } from '../../app/open-history.js';
import { loadStoredRunDetails } from '../../app/stored-run-details.js';
import { writeFileAtomically } from '../../app/write-file-atomically.js';
import { renderStoredReport } from '../../web/run-report.js';
import type { CliIO } from '../cli-io.js';

/** Flags of `backtest report`, as commander parses them, plus the run id argument. */
export interface ReportCommandOptions {
  /** Run id. */
  readonly id: number;
  /** The HTML file to write. */
  readonly out: string;
  readonly db?: string;
}

/**
 * `backtest report ID --out FILE.html`: one stored run (summary, config, the downsampled equity
 * curve, trades, monthly returns, and the price chart when the bar store has the run's bars) as
 * a self-contained HTML file, written atomically.
 *
 * @example
 * await reportCommand({ id: 7, out: 'run-7.html' }, io);
 */
export async function reportCommand(options: ReportCommandOptions, io: CliIO): Promise<void> {
  const out = resolve(io.cwd, options.out);
  const details = await withDatabase(openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env }), (store) =>
    loadStoredRunDetails(store, options.id),
  );
  const html = renderStoredReport(details);
  writeFileAtomically(out, html);
  io.out(`Report of run ${options.id} written to ${out}\n`);
}
