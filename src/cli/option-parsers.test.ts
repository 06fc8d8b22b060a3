import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDateToUnixSeconds, parseId } from './option-parsers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const originalTimeZone = process.env.TZ;
afterEach(() => {
  if (originalTimeZone === undefined) delete process.env.TZ;
  else process.env.TZ = originalTimeZone;
});

describe('parseDateToUnixSeconds (--since)', () => {
  it('reads a date or date-time without a zone as UTC, whatever the machine time zone', () => {
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
      process.env.TZ = zone;
      expect(parseDateToUnixSeconds('2026-01-01'), zone).toBe(Date.UTC(2026, 0, 1) / 1000);
      expect(parseDateToUnixSeconds('2026-01-01T09:30'), zone).toBe(Date.UTC(2026, 0, 1, 9, 30) / 1000);
      expect(parseDateToUnixSeconds('2026-01-01 09:30:15'), zone).toBe(Date.UTC(2026, 0, 1, 9, 30, 15) / 1000);
    }
  });

  it('honours an explicit zone or offset, and reads plain digits as unix seconds', () => {
    expect(parseDateToUnixSeconds('2026-01-01T09:30Z')).toBe(Date.UTC(2026, 0, 1, 9, 30) / 1000);
    expect(parseDateToUnixSeconds('2026-01-01T09:30:00+02:00')).toBe(Date.UTC(2026, 0, 1, 7, 30) / 1000);
    expect(parseDateToUnixSeconds('1767225600')).toBe(1767225600);
  });

  it('refuses what is not a date, saying why', () => {
    expect(() => parseDateToUnixSeconds('yesterday')).toThrow(InvalidArgumentError);
    expect(() => parseDateToUnixSeconds('2026-13-01')).toThrow(/month 13 is out of range/);
  });

  it('gives the same instant in a child process started with a non-UTC TZ', () => {
    const script = `
      const { parseDateToUnixSeconds } = await import('./src/cli/option-parsers.ts');
      console.log(JSON.stringify([new Date(2026, 0, 1).getTimezoneOffset(), parseDateToUnixSeconds('2026-01-01T09:30')]));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, TZ: 'America/Los_Angeles' },
    });
    expect(run.stderr).toBe('');
    const [offsetMinutes, seconds] = JSON.parse(run.stdout) as [number, number];
    expect(offsetMinutes).toBe(480); // the child really runs eight hours behind UTC
    expect(seconds).toBe(Date.UTC(2026, 0, 1, 9, 30) / 1000);
  });
});

describe('parseId', () => {
  it('takes plain decimal digits only', () => {
    expect(parseId('12')).toBe(12);
    expect(parseId('007')).toBe(7);
    for (const bad of ['0x10', '1e1', '0b11', '1.0', '0', '-1', ' 3', '', '9007199254740993']) {
      expect(() => parseId(bad), bad).toThrow(/not a run id/);
    }
  });
});
