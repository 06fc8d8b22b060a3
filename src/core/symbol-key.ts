/**
 * How symbols are matched across spellings. Symbols are stored as written (upper-cased, so
 * `BTC/USD` stays `BTC/USD`, as Alpaca writes crypto pairs) and looked up by a key that leaves
 * out what people write differently for the same instrument.
 *
 * Trap: the key drops `/` and `-` but keeps `.`. A dot marks a share class (`BRK.B`), and
 * dropping it could merge two listed tickers (`BRK.B` and a ticker `BRKB`) into one bar set, so
 * one import would silently replace the other's bars; a lookup that misses says so instead.
 * Hence `BRK-B` (Yahoo's spelling) is the key `BRKB`, not `BRK.B`.
 */

/**
 * The key a symbol is matched by: surrounding spaces removed, upper case, and the pair
 * separators `/` and `-` dropped.
 *
 * @example
 * symbolKey('BTC/USD'); // 'BTCUSD'
 * symbolKey('btc-usd'); // 'BTCUSD'
 * symbolKey('BRK.B'); // 'BRK.B'
 */
export function symbolKey(symbol: string): string {
  return symbol.trim().toUpperCase().replace(/[/-]/g, '');
}
