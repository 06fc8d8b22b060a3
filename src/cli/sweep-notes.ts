/** One-line notes that `sweep` and `sweeps resume` print on standard error. */
import { availableParallelism } from 'node:os';
import type { CliIO } from './cli-io.js';

/** Grids at least this big say so before planning, which takes a moment (seconds at a million). */
const ANNOUNCED_GRID_SIZE = 100_000;

/**
 * `--workers` as a sweep should use it: more worker threads than cores only share the cores,
 * so a larger number is capped to the core count with a one-line note.
 *
 * @example
 * capWorkers(16, io, 2); // 2, after "note: --workers 16 is more than the 2 cores; using 2"
 */
export function capWorkers(
  requested: number | undefined,
  io: CliIO,
  cores = availableParallelism(),
): number | undefined {
  if (requested === undefined || requested <= cores) return requested;
  io.err(`note: --workers ${requested} is more than the ${cores} core${cores === 1 ? '' : 's'}; using ${cores}\n`);
  return cores;
}

/**
 * Says that a large grid is being planned, so a pause before the first line is explained (and
 * Ctrl-C stops it at once).
 *
 * @example
 * announcePlanning(1_000_000, io); // "Planning 1,000,000 combinations…"
 */
export function announcePlanning(gridSize: number, io: CliIO): void {
  if (gridSize >= ANNOUNCED_GRID_SIZE) io.err(`Planning ${gridSize.toLocaleString('en-US')} combinations…\n`);
}
