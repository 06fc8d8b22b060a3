import type { BarSeries } from '../../core/bars.js';
import { formatTimeMs } from '../format-time-ms.js';

/**
 * Writes bars as CSV: header `time,open,high,low,close,volume`, ISO 8601 UTC times, numbers
 * in JavaScript's shortest exact form, `\n` line endings and a final newline. Reading the text
 * back with `parseBarsCsv` gives the same numbers bit for bit.
 *
 * @example
 * writeBarsCsv(bars); // 'time,open,high,low,close,volume\n2004-08-19T00:00:00Z,100,104.06,95.96,100.34,22351900\n…'
 */
export function writeBarsCsv(bars: BarSeries): string {
  const lines: string[] = ['time,open,high,low,close,volume'];
  for (let i = 0; i < bars.length; i++) {
    lines.push(
      `${formatTimeMs(bars.timeMs[i] as number)},${bars.open[i]},${bars.high[i]},${bars.low[i]},${bars.close[i]},${bars.volume[i]}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
