import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../core/errors.js';
import { checkBarFile } from './check-bar-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bar-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (path: string, maxBytes?: number): string => {
  try {
    checkBarFile(path, path, maxBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('checkBarFile', () => {
  it('accepts a regular file within the limit', () => {
    const file = join(dir, 'bars.csv');
    writeFileSync(file, 'time,open,high,low,close,volume\n');
    expect(() => checkBarFile(file, 'bars.csv')).not.toThrow();
  });

  it('refuses a folder, a device and a FIFO before reading them', () => {
    expect(refusal(dir)).toBe(`${dir}: is a folder, not a file of bars`);
    expect(refusal('/dev/zero')).toBe('/dev/zero: is a device, not a regular file of bars');
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    // Reading a FIFO with no writer would block forever; the check never opens it.
    expect(refusal(fifo)).toBe(`${fifo}: is a FIFO (named pipe), not a regular file of bars`);
  });

  it('refuses a file beyond the limit and says how to raise it', () => {
    const file = join(dir, 'big.csv');
    writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 48));
    expect(refusal(file, 2 * 1024 * 1024)).toBe(
      `${file}: is 3 MB, more than the 2 MB limit for a bar file; set BACKTEST_MAX_DATA_MB to read larger files`,
    );
    expect(refusal(join(dir, 'missing.csv'))).toContain('file not found');
  });
});
