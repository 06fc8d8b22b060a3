import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { alpacaConfigFromEnv } from './alpaca-config.js';
import { AlpacaAuthenticationError } from './alpaca-errors.js';

const keys = { APCA_API_KEY_ID: 'key-id', APCA_API_SECRET_KEY: 'secret' };

describe('alpacaConfigFromEnv', () => {
  it("reads the keys and defaults to Alpaca's data host", () => {
    expect(alpacaConfigFromEnv(keys)).toEqual({
      keyId: 'key-id',
      secretKey: 'secret',
      baseUrl: 'https://data.alpaca.markets',
    });
  });

  it('takes the base URL from APCA_API_DATA_URL, without a trailing slash', () => {
    expect(alpacaConfigFromEnv({ ...keys, APCA_API_DATA_URL: 'http://127.0.0.1:8080/' }).baseUrl).toBe(
      'http://127.0.0.1:8080',
    );
    expect(alpacaConfigFromEnv({ ...keys, APCA_API_DATA_URL: 'https://proxy.example/alpaca/' }).baseUrl).toBe(
      'https://proxy.example/alpaca',
    );
  });

  it('names missing keys without showing any value (exit 6)', () => {
    let error: unknown;
    try {
      alpacaConfigFromEnv({ APCA_API_KEY_ID: 'key-id' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AlpacaAuthenticationError);
    expect((error as AlpacaAuthenticationError).exitCode).toBe(6);
    expect((error as Error).message).toMatch(/^APCA_API_SECRET_KEY is not set: /);
    expect((error as Error).message).not.toContain('key-id');
    expect(() => alpacaConfigFromEnv({ APCA_API_KEY_ID: ' ', APCA_API_SECRET_KEY: '' })).toThrow(
      /^APCA_API_KEY_ID and APCA_API_SECRET_KEY are not set/,
    );
  });

  it('refuses a base URL that is not a plain http(s) URL', () => {
    expect(() => alpacaConfigFromEnv({ ...keys, APCA_API_DATA_URL: 'data.alpaca.markets' })).toThrow(UsageError);
    expect(() => alpacaConfigFromEnv({ ...keys, APCA_API_DATA_URL: 'ftp://data.alpaca.markets' })).toThrow(
      'is not an http(s) URL',
    );
    expect(() => alpacaConfigFromEnv({ ...keys, APCA_API_DATA_URL: 'https://user:pw@host/' })).toThrow(
      'without user, password, query or fragment',
    );
  });
});
