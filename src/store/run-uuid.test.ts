import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { legacyRowUuid, newRunUuid, UUID_PATTERN } from './run-uuid.js';

const row = {
  id: 7,
  symbol: 'BTCUSD',
  timeframe: '1h',
  model_path: null,
  run_timestamp: 1_690_000_000,
  start_date: 1_672_531_200,
  end_date: 1_688_169_600,
  initial_capital: 10_000,
  final_equity: 12_500.5,
  total_return: 25.005,
  sharpe_ratio: 1.42,
  max_drawdown: -12.3,
  win_rate: 48.5,
  profit_factor: Infinity,
  total_trades: 87,
  avg_trade_pnl: 28.74,
  config_json: '{"fee":0.001}',
  notes: 'python run',
};

describe('run uuids', () => {
  it('gives new runs distinct random v4 uuids', () => {
    const a = newRunUuid();
    expect(a).toMatch(UUID_PATTERN);
    expect(a[14]).toBe('4');
    expect(newRunUuid()).not.toBe(a);
  });

  it('derives a v5 uuid from the 18 columns, the same every time', () => {
    const uuid = legacyRowUuid(row);
    expect(uuid).toMatch(UUID_PATTERN);
    expect(uuid[14]).toBe('5');
    expect('89ab').toContain(uuid[19]);
    expect(legacyRowUuid({ ...row, extra_column: 'ignored' })).toBe(uuid);
    expect(legacyRowUuid({ ...row, id: 8 })).not.toBe(uuid);
    expect(legacyRowUuid({ ...row, notes: null })).not.toBe(uuid);
  });

  it('follows RFC 9562 v5: SHA-1 of namespace bytes then the name', () => {
    // Recomputed independently from the definition: the first 16 bytes of SHA-1(ns || name),
    // version nibble 5, variant bits 10.
    const name = JSON.stringify([
      7,
      'BTCUSD',
      '1h',
      null,
      1_690_000_000,
      1_672_531_200,
      1_688_169_600,
      10_000,
      12_500.5,
      25.005,
      1.42,
      -12.3,
      48.5,
      'Infinity',
      87,
      28.74,
      '{"fee":0.001}',
      'python run',
    ]);
    const digest = createHash('sha1')
      .update(Buffer.from('4c1f7a529d0e4b8aa3f62e5d8c7b9a10', 'hex'))
      .update(name)
      .digest('hex');
    const expected = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-5${digest.slice(13, 16)}-${((Number.parseInt(digest.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${digest.slice(18, 20)}-${digest.slice(20, 32)}`;
    expect(legacyRowUuid(row)).toBe(expected);
  });
});
