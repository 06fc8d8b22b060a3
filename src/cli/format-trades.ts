import { formatTimeMs, formatUnitValue } from '../app/format-values.js';
import type { Trade } from '../core/result.js';
import { renderTable } from './format.js';

/**
 * A trade list as a table (times UTC, money in account currency, return in percent), for
 * `run --trades` and `show --trades`.
 *
 * @example
 * io.out(renderTradeList(result.trades));
 */
export function renderTradeList(trades: readonly Trade[]): string {
  if (trades.length === 0) return 'No trades.\n';
  return renderTable(
    ['#', 'Side', 'Quantity', 'Entry', 'Entry price', 'Exit', 'Exit price', 'P&L', 'Return [%]', 'Costs'],
    trades.map((t, i) => [
      String(i + 1),
      t.side,
      formatUnitValue(t.quantity, 'ratio').replace(/\.?0+$/, ''),
      formatTimeMs(t.entryTimeMs),
      formatUnitValue(t.entryPrice, 'money'),
      formatTimeMs(t.exitTimeMs),
      formatUnitValue(t.exitPrice, 'money'),
      formatUnitValue(t.pnl, 'money'),
      formatUnitValue(t.returnPct, 'money'),
      formatUnitValue(t.costs, 'money'),
    ]),
    2,
  );
}
