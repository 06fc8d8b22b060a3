/**
 * The shapes of Alpaca market-data responses this adapter reads, checked with zod before any
 * value is used (as trading-signals checks its Alpaca bars with `BarSchema`). Per Alpaca's
 * market-data reference, stock bars (`GET /v2/stocks/bars`) and crypto bars
 * (`GET /v1beta3/crypto/us/bars`) both answer
 * `{ bars: { SYMBOL: [{ t, o, h, l, c, v, n, vw }] }, next_page_token }`, with `t` an RFC 3339
 * time and `next_page_token` null on the last page.
 */
import { z } from 'zod';

/** One bar as Alpaca sends it; `n` (trade count) and `vw` (volume-weighted price) are not stored. */
export const AlpacaBarSchema = z.object({
  /** Bar open time, RFC 3339 (`2024-01-02T14:00:00Z`). */
  t: z.iso.datetime({ offset: true }),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  /** Volume: shares for stocks, units of the base currency for crypto (fractional). */
  v: z.number(),
  n: z.number().optional(),
  vw: z.number().optional(),
});
export type AlpacaBar = z.infer<typeof AlpacaBarSchema>;

/**
 * A page of historical bars. `bars` is `{}` (older releases: `null`) when the range holds none;
 * symbols without bars are left out of it.
 */
export const AlpacaBarsPageSchema = z.object({
  bars: z.record(z.string(), z.array(AlpacaBarSchema).nullable()).nullable(),
  next_page_token: z.string().nullable().optional(),
});
export type AlpacaBarsPage = z.infer<typeof AlpacaBarsPageSchema>;

/** Alpaca's error body, e.g. `{ "code": 42210000, "message": "invalid timeframe" }`. */
export const AlpacaErrorSchema = z.object({
  code: z.number().optional(),
  message: z.string(),
});
