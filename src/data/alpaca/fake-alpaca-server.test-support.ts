/**
 * A local stand-in for Alpaca's market-data API (tests only): a `node:http` server on
 * 127.0.0.1 and a free port that answers `GET /v2/stocks/bars` and
 * `GET /v1beta3/crypto/us/bars` as Alpaca documents them (keys checked, query checked, pages
 * along `next_page_token`, Alpaca's `{ code, message }` errors), and serves scripted answers
 * first (a 429 with `Retry-After`, a 500, malformed JSON, a dropped connection). No test
 * reaches the internet.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A bar as Alpaca sends it. */
export interface FakeBar {
  readonly t: string;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
  readonly v: number;
  readonly n?: number;
  readonly vw?: number;
}

/** An answer served instead of the normal one, in order, one per request. */
export type ScriptedAnswer =
  | { readonly status: number; readonly body?: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly hangUp: true }
  /** Never answers (until the server closes). */
  | { readonly stall: true };

/** A request the server saw. */
export interface SeenRequest {
  readonly path: string;
  /** Query parameters, decoded. */
  readonly query: Readonly<Record<string, string>>;
  readonly keyId: string | undefined;
  readonly secretKey: string | undefined;
}

/** The running fake. */
export interface FakeAlpacaServer {
  /** Base URL, e.g. `http://127.0.0.1:54321`: what `APCA_API_DATA_URL` is set to. */
  readonly url: string;
  readonly keyId: string;
  readonly secretKey: string;
  /** Bars per symbol as Alpaca writes it, oldest first; tests may change them between fetches. */
  readonly bars: Map<string, FakeBar[]>;
  /** Every request, in order. */
  readonly requests: SeenRequest[];
  /** Queues answers served before the normal ones. */
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const TIMEFRAME =
  /^(?:(?:[1-9]|[1-5][0-9])(?:Min|T)|(?:[1-9]|1[0-9]|2[0-3])(?:Hour|H)|1(?:Day|D)|1(?:Week|W)|(?:1|2|3|4|6|12)(?:Month|M))$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const STOCK_PATH = '/v2/stocks/bars';
const CRYPTO_PATH = '/v1beta3/crypto/us/bars';

/**
 * Starts the fake with `bars` (symbol → bars oldest first) and the keys it accepts.
 *
 * @example
 * const server = await startFakeAlpacaServer({ AAPL: hourlyBars('2024-01-02T14:00:00Z', 5) });
 * afterAll(() => server.close());
 */
export async function startFakeAlpacaServer(
  bars: Readonly<Record<string, FakeBar[]>> = {},
  keys: { readonly keyId?: string; readonly secretKey?: string } = {},
): Promise<FakeAlpacaServer> {
  const keyId = keys.keyId ?? 'test-key-id';
  const secretKey = keys.secretKey ?? 'test-secret-key';
  const data = new Map(Object.entries(bars));
  const requests: SeenRequest[] = [];
  const scripted: ScriptedAnswer[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      keyId: header('apca-api-key-id'),
      secretKey: header('apca-api-secret-key'),
    });
    const next = scripted.shift();
    if (next !== undefined) {
      if ('hangUp' in next) {
        req.socket.destroy();
        return;
      }
      if ('stall' in next) return;
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(next.body ?? '');
      return;
    }
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || (url.pathname !== STOCK_PATH && url.pathname !== CRYPTO_PATH)) {
      send(404, { message: 'Not Found' });
      return;
    }
    const givenKey = header('apca-api-key-id');
    const givenSecret = header('apca-api-secret-key');
    if (givenKey === undefined || givenSecret === undefined) {
      send(401, { code: 40110000, message: 'request is not authorized' });
      return;
    }
    if (givenKey !== keyId || givenSecret !== secretKey) {
      send(403, { message: 'forbidden.' });
      return;
    }
    const answer = barsAnswer(url, data);
    send(answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    keyId,
    secretKey,
    bars: data,
    requests,
    script: (...answers) => {
      scripted.push(...answers);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** The normal answer to a bars request, or Alpaca's 422 for a bad query. */
function barsAnswer(url: URL, data: ReadonlyMap<string, FakeBar[]>): { status: number; body: unknown } {
  const q = url.searchParams;
  const crypto = url.pathname === CRYPTO_PATH;
  const invalid = (message: string): { status: number; body: unknown } => ({
    status: 422,
    body: { code: 42210000, message },
  });
  const symbols = (q.get('symbols') ?? '').split(',').filter((s) => s !== '');
  if (symbols.length === 0) return invalid('missing symbols');
  for (const symbol of symbols) {
    const ok = crypto ? /^[A-Z0-9]+\/[A-Z0-9]+$/.test(symbol) : /^[A-Z][A-Z0-9.]*$/.test(symbol);
    if (!ok) return invalid(`invalid symbol: ${symbol}`);
  }
  if (!TIMEFRAME.test(q.get('timeframe') ?? '')) return invalid('invalid timeframe');
  for (const name of ['start', 'end']) {
    const value = q.get(name);
    if (value !== null && (!RFC3339.test(value) || Number.isNaN(Date.parse(value)))) return invalid(`invalid ${name}`);
  }
  const limit = Number(q.get('limit') ?? '1000');
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) return invalid('invalid limit: must be from 1 to 10000');
  if (crypto) {
    for (const name of ['feed', 'adjustment']) if (q.has(name)) return invalid(`unexpected parameter ${name}`);
  } else {
    const feed = q.get('feed');
    if (feed !== null && !['iex', 'sip', 'otc'].includes(feed)) return invalid('invalid feed');
    const adjustment = q.get('adjustment');
    if (adjustment !== null && !['raw', 'split', 'dividend', 'all'].includes(adjustment)) {
      return invalid('invalid adjustment');
    }
  }
  const sort = q.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') return invalid('invalid sort');
  let offset = 0;
  const token = q.get('page_token');
  if (token !== null) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (decoded === null) return invalid('invalid page token');
    offset = Number(decoded[1]);
  }
  const startMs = q.has('start') ? Date.parse(q.get('start') as string) : Number.NEGATIVE_INFINITY;
  const endMs = q.has('end') ? Date.parse(q.get('end') as string) : Date.now();
  // Sorted by symbol, then time, as Alpaca does; the limit counts bars of all symbols together.
  const rows: { symbol: string; bar: FakeBar }[] = [];
  for (const symbol of [...symbols].sort()) {
    const inRange = (data.get(symbol) ?? []).filter((bar) => {
      const t = Date.parse(bar.t);
      return t >= startMs && t <= endMs;
    });
    if (sort === 'desc') inRange.reverse();
    for (const bar of inRange) rows.push({ symbol, bar });
  }
  const page = rows.slice(offset, offset + limit);
  const grouped: Record<string, FakeBar[]> = {};
  for (const { symbol, bar } of page) {
    const list = grouped[symbol] ?? [];
    list.push(bar);
    grouped[symbol] = list;
  }
  const more = offset + limit < rows.length;
  return {
    status: 200,
    body: {
      bars: grouped,
      next_page_token: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : null,
    },
  };
}

/**
 * `count` valid bars `stepMs` apart from `firstIso`, prices drifting from `price`
 * (tests only).
 *
 * @example
 * hourlyBars('2024-01-02T14:00:00Z', 3); // 14:00, 15:00, 16:00
 */
export function hourlyBars(firstIso: string, count: number, price = 100, stepMs = 3_600_000): FakeBar[] {
  const firstMs = Date.parse(firstIso);
  return Array.from({ length: count }, (_, i) => {
    const open = price + i * 0.5;
    const close = open + 0.25;
    return {
      t: new Date(firstMs + i * stepMs).toISOString().replace('.000Z', 'Z'),
      o: open,
      h: close + 1,
      l: open - 1,
      c: close,
      v: 1000 + i,
      n: 10,
      vw: open + 0.1,
    };
  });
}
