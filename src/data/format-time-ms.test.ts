import { describe, expect, it } from 'vitest';
import { formatTimeMs } from './format-time-ms.js';

describe('formatTimeMs', () => {
  it('leaves out zero milliseconds', () => {
    expect(formatTimeMs(1_092_873_600_000)).toBe('2004-08-19T00:00:00Z');
  });

  it('keeps non-zero milliseconds', () => {
    expect(formatTimeMs(1_092_873_600_250)).toBe('2004-08-19T00:00:00.250Z');
  });

  it('does not throw on values Date cannot hold', () => {
    expect(formatTimeMs(Number.NaN)).toBe('NaN');
    expect(formatTimeMs(1e20)).toBe('100000000000000000000');
  });
});
