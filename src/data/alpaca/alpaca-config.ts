/**
 * Where Alpaca is and who we are to it, read from the environment only: keys are never taken
 * from a flag (they would land in shell history and `ps`), never printed and never stored.
 */
import { UsageError } from '../../core/errors.js';
import { AlpacaAuthenticationError } from './alpaca-errors.js';

/** Alpaca's market-data host. */
export const DEFAULT_ALPACA_DATA_URL = 'https://data.alpaca.markets';

/** Environment variables read by {@link alpacaConfigFromEnv}. */
export const AlpacaEnv = {
  KeyId: 'APCA_API_KEY_ID',
  SecretKey: 'APCA_API_SECRET_KEY',
  DataUrl: 'APCA_API_DATA_URL',
} as const;

/** Credentials and base URL for the market-data API. */
export interface AlpacaConfig {
  /** Sent as the `APCA-API-KEY-ID` header. */
  readonly keyId: string;
  /** Sent as the `APCA-API-SECRET-KEY` header. */
  readonly secretKey: string;
  /** Without a trailing slash, e.g. `https://data.alpaca.markets`. */
  readonly baseUrl: string;
}

/**
 * Reads `APCA_API_KEY_ID`, `APCA_API_SECRET_KEY` and `APCA_API_DATA_URL` (default
 * {@link DEFAULT_ALPACA_DATA_URL}). Missing keys are an {@link AlpacaAuthenticationError}
 * (exit 6) naming the variables, never their values; a base URL that is not http(s) is a
 * `UsageError`.
 *
 * @example
 * const config = alpacaConfigFromEnv(process.env);
 */
export function alpacaConfigFromEnv(env: NodeJS.ProcessEnv): AlpacaConfig {
  const keyId = env[AlpacaEnv.KeyId]?.trim() ?? '';
  const secretKey = env[AlpacaEnv.SecretKey]?.trim() ?? '';
  const missing = [...(keyId === '' ? [AlpacaEnv.KeyId] : []), ...(secretKey === '' ? [AlpacaEnv.SecretKey] : [])];
  if (missing.length > 0) {
    throw new AlpacaAuthenticationError(
      `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: export your Alpaca API key id and secret key in these environment variables (they are never taken from flags)`,
    );
  }
  const rawUrl = env[AlpacaEnv.DataUrl]?.trim() || DEFAULT_ALPACA_DATA_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new UsageError(`${AlpacaEnv.DataUrl} "${rawUrl}" is not a URL; use e.g. ${DEFAULT_ALPACA_DATA_URL}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${AlpacaEnv.DataUrl} "${rawUrl}" is not an http(s) URL; use e.g. ${DEFAULT_ALPACA_DATA_URL}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new UsageError(
      `${AlpacaEnv.DataUrl} must be a plain base URL such as ${DEFAULT_ALPACA_DATA_URL}, without user, password, query or fragment`,
    );
  }
  return { keyId, secretKey, baseUrl: url.href.replace(/\/+$/, '') };
}
