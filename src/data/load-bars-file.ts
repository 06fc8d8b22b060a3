import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import type { BarSeries } from '../core/bars.js';
import { type CsvFileOptions, loadBarsCsv, loadBarsCsvBySymbol } from './csv/parse-bars-csv.js';
import { loadBarsParquet, loadBarsParquetBySymbol, startsLikeParquet } from './parquet/parse-bars-parquet.js';

/** The kinds of bar files that load. */
export const BarFileFormat = {
  Csv: 'csv',
  Parquet: 'parquet',
} as const;
export type BarFileFormat = (typeof BarFileFormat)[keyof typeof BarFileFormat];

const PARQUET_EXTENSIONS: ReadonlySet<string> = new Set(['.parquet', '.parq', '.pq']);

/**
 * Whether a bar file is Parquet (its extension is `.parquet`, `.parq` or `.pq`, or it begins
 * with `PAR1`) or CSV (anything else, including a path that cannot be read, so that the CSV
 * reader says why).
 *
 * @example
 * barFileFormat('data/GOOG.parquet'); // 'parquet'
 */
export function barFileFormat(path: string): BarFileFormat {
  if (PARQUET_EXTENSIONS.has(extname(path).toLowerCase())) return BarFileFormat.Parquet;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && startsLikeParquet(head) ? BarFileFormat.Parquet : BarFileFormat.Csv;
  } catch {
    return BarFileFormat.Csv;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads the bars of one symbol from a CSV or Parquet file (see {@link barFileFormat}), with
 * `loadBarsCsv` or `loadBarsParquet`: the same options, column rules and checks.
 *
 * @example
 * const bars = await loadBarsFromFile('data/GOOG.parquet', { adjusted: true });
 */
export async function loadBarsFromFile(path: string, options: CsvFileOptions = {}): Promise<BarSeries> {
  return barFileFormat(path) === BarFileFormat.Parquet ? loadBarsParquet(path, options) : loadBarsCsv(path, options);
}

/**
 * Reads every symbol of a CSV or Parquet file as its own series; otherwise as
 * {@link loadBarsFromFile}.
 *
 * @example
 * for (const bars of await loadBarsFromFileBySymbol('universe.parquet')) console.log(bars.symbol);
 */
export async function loadBarsFromFileBySymbol(path: string, options: CsvFileOptions = {}): Promise<BarSeries[]> {
  return barFileFormat(path) === BarFileFormat.Parquet
    ? loadBarsParquetBySymbol(path, options)
    : loadBarsCsvBySymbol(path, options);
}
