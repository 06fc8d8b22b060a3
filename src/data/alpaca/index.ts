/**
 * The Alpaca adapter: historical bars from Alpaca's market-data API behind the `BarSource`
 * port, with keys from the environment, symbols in Alpaca's spelling and errors that carry
 * their own exit codes.
 */
export {
  ALPACA_MAX_PAGE_LIMIT,
  AlpacaAdjustment,
  AlpacaBarSource,
  type AlpacaBarRequest,
  type AlpacaBarSourceOptions,
  AlpacaFeed,
  type AlpacaRetryNotice,
  retryAfterMs,
} from './alpaca-bar-source.js';
export { type AlpacaConfig, AlpacaEnv, alpacaConfigFromEnv, DEFAULT_ALPACA_DATA_URL } from './alpaca-config.js';
export {
  AUTHENTICATION_EXIT_CODE,
  AlpacaAuthenticationError,
  AlpacaNetworkError,
  AlpacaRequestError,
  NETWORK_EXIT_CODE,
} from './alpaca-errors.js';
export { AlpacaAssetClass, type AlpacaSymbol, parseAlpacaSymbol, parseAlpacaSymbols } from './alpaca-symbol.js';
