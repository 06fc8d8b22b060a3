/**
 * Symbols as the user types them, turned into the form Alpaca writes: stocks upper case
 * (`AAPL`, `BRK.B`), crypto pairs with a slash (`BTC/USD`). `BTCUSD`, `BTC-USD` and `btc/usd`
 * all name the pair `BTC/USD`, which is fetched from the crypto endpoint.
 */
import { UsageError } from '../../core/errors.js';

/** Which Alpaca endpoint serves a symbol. */
export const AlpacaAssetClass = {
  Stock: 'stock',
  Crypto: 'crypto',
} as const;
export type AlpacaAssetClass = (typeof AlpacaAssetClass)[keyof typeof AlpacaAssetClass];

/** A symbol in Alpaca's spelling and the endpoint that serves it. */
export interface AlpacaSymbol {
  /** As Alpaca writes it: `AAPL`, `BRK.B`, `BTC/USD`. */
  readonly symbol: string;
  readonly assetClass: AlpacaAssetClass;
}

/** Currencies Alpaca quotes crypto pairs in. */
const CRYPTO_QUOTES = ['USDT', 'USDC', 'USD', 'BTC'] as const;

/** Stock tickers: a letter, then letters, digits and a class dot (`BRK.B`); Alpaca's are short. */
const STOCK = /^[A-Z][A-Z0-9]*(?:\.[A-Z0-9]+)?$/;
const PAIR = /^([A-Z0-9]{2,10})[/-]([A-Z0-9]{2,10})$/;
const MAX_STOCK_LENGTH = 10;

/**
 * The Alpaca spelling of a symbol typed in any of the accepted forms; a `UsageError` naming
 * the symbol when it cannot be one.
 *
 * A slash always makes a pair. A dash does when what follows is a quote currency (`BTC-USD`).
 * Without a separator, six or more letters ending in a quote currency are a pair (`BTCUSD`,
 * `ETHUSDT`): stock tickers are at most five letters before a class suffix.
 *
 * @example
 * parseAlpacaSymbol('btcusd'); // { symbol: 'BTC/USD', assetClass: 'crypto' }
 * parseAlpacaSymbol('aapl'); // { symbol: 'AAPL', assetClass: 'stock' }
 */
export function parseAlpacaSymbol(text: string): AlpacaSymbol {
  const upper = text.trim().toUpperCase();
  const pair = PAIR.exec(upper);
  if (pair !== null) {
    const [, base, quote] = pair as unknown as [string, string, string];
    if (upper.includes('/') || (CRYPTO_QUOTES as readonly string[]).includes(quote)) {
      return { symbol: `${base}/${quote}`, assetClass: AlpacaAssetClass.Crypto };
    }
  }
  if (/^[A-Z0-9]+$/.test(upper) && upper.length >= 6) {
    for (const quote of CRYPTO_QUOTES) {
      if (upper.endsWith(quote) && upper.length - quote.length >= 2) {
        return { symbol: `${upper.slice(0, -quote.length)}/${quote}`, assetClass: AlpacaAssetClass.Crypto };
      }
    }
  }
  if (STOCK.test(upper) && upper.length <= MAX_STOCK_LENGTH)
    return { symbol: upper, assetClass: AlpacaAssetClass.Stock };
  throw new UsageError(
    `"${text}" is not a symbol Alpaca has: use a stock ticker such as AAPL or BRK.B, or a crypto pair such as BTC/USD (BTCUSD and BTC-USD work too)`,
  );
}

/**
 * The symbols of a `--symbol` list (`AAPL,MSFT,BTC/USD`), each once in Alpaca's spelling, in
 * the order given.
 *
 * @example
 * parseAlpacaSymbols('aapl, BTC-USD,AAPL'); // [{ symbol: 'AAPL', ... }, { symbol: 'BTC/USD', ... }]
 */
export function parseAlpacaSymbols(list: string): AlpacaSymbol[] {
  const parts = list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0) throw new UsageError('--symbol names no symbol; give one or more, e.g. --symbol AAPL,MSFT');
  const seen = new Set<string>();
  const symbols: AlpacaSymbol[] = [];
  for (const part of parts) {
    const parsed = parseAlpacaSymbol(part);
    if (seen.has(parsed.symbol)) continue;
    seen.add(parsed.symbol);
    symbols.push(parsed);
  }
  return symbols;
}
