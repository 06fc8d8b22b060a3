import { resolve } from 'node:path';
import { openHistoryForReading } from '../../app/open-history.js';
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
 * `backtest report ID --out FILE.html`: one stored run (summary, config and the downsampled
 * equity curve) as a self-contained HTML file, written atomically.
 *
 * @example
 * await reportCommand({ id: 7, out: 'run-7.html' }, io);
 */
export async function reportCommand(options: ReportCommandOptions, io: CliIO): Promise<void> {
  const out = resolve(io.cwd, options.out);
  const db = openHistoryForReading({ db: options.db, cwd: io.cwd, env: io.env });
  let html: string;
  try {
    const row = db.getBacktestOrThrow(options.id);
    html = renderStoredReport(row, db.getEquityCurve(options.id));
  } finally {
    db.close();
  }
  writeFileAtomically(out, html);
  io.out(`Report of run ${options.id} written to ${out}\n`);
}
