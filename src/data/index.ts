/**
 * Bringing bars into the program: CSV reading and writing, Parquet reading, the bar checks
 * every source uses, time zones, fingerprints, and synthetic bars for benchmarks and tests.
 */
export { type BarsFileIdentity, barsFileIdentity } from './bars-file-identity.js';
export {
  type CsvBarsOptions,
  type CsvFileOptions,
  loadBarsCsv,
  loadBarsCsvBySymbol,
  parseBarsCsv,
  parseBarsCsvBySymbol,
} from './csv/parse-bars-csv.js';
export { parseDecimalBytes } from './csv/parse-decimal.js';
export {
  epochValueToMs,
  MAX_EPOCH_MILLISECONDS,
  MIN_EPOCH_MILLISECONDS,
  MIN_EPOCH_SECONDS,
  parseTimestampMs,
  type TimestampProblem,
} from './csv/parse-timestamp.js';
export { writeBarsCsv } from './csv/write-bars-csv.js';
export { fingerprintBars } from './fingerprint-bars.js';
export { formatTimeMs } from './format-time-ms.js';
export { BarFileFormat, barFileFormat, loadBarsFromFile, loadBarsFromFileBySymbol } from './load-bars-file.js';
export type { BarFileOptions } from './name-bar-groups.js';
export {
  loadBarsParquet,
  loadBarsParquetBySymbol,
  type ParquetBarsOptions,
  type ParquetFileOptions,
  parseBarsParquet,
  parseBarsParquetBySymbol,
} from './parquet/parse-bars-parquet.js';
export {
  type BarSpacing,
  CONFIDENT_GAP_COUNT,
  inferTimeframe,
  measureSpacing,
  spacingContradicts,
} from './infer-timeframe.js';
export { generateSyntheticBars, type SyntheticBarsOptions } from './synthetic-bars.js';
export { createTimeZone, isTimeZone, TimeZone } from './time-zone.js';
export {
  assertValidBars,
  type BarField,
  type BarProblem,
  findBarProblems,
  MAX_REPORTED_ISSUES,
} from './validate-bars.js';
export { checkBarFile, DEFAULT_MAX_BAR_FILE_BYTES } from './check-bar-file.js';
