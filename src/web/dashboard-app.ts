/**
 * The dashboard's routes. It only reads: every query goes through the store's API, which binds
 * values as parameters and whitelists sort columns, so nothing from a request reaches SQL text.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { toJsonText } from '../app/json-text.js';
import { AppError, ConfigError } from '../core/errors.js';
import type { MetricName } from '../core/metric-catalog.js';
import { resolve } from 'node:path';
import { MAX_LIMIT, modelFilterFromText, parseStoredConfig, type RunStore } from '../store/index.js';
import { loadFamilyDeflatedSharpe } from '../app/family-deflated-sharpe.js';
import { loadStoredRunDetails } from '../app/stored-run-details.js';
import { runJson } from '../app/stored-out-of-sample.js';
import { renderComparePage } from './compare-page.js';
import { CHART_LIBRARY_PATH, errorPage } from './dashboard-layout.js';
import {
  compareIdsSchema,
  DEFAULT_PAGE_SIZE,
  leaderboardQuerySchema,
  parseParams,
  runIdSchema,
  type LeaderboardQuery,
  sweepQuerySchema,
} from './dashboard-params.js';
import { renderLeaderboardPage } from './leaderboard-page.js';
import { renderRunPage } from './run-page.js';
import { rowParams } from '../app/stored-run.js';
import { renderSweepPage } from './sweep-page.js';
import { renderWalkForwardPage, renderWalkForwardsPage, walkForwardViewFromRecord } from './walk-forward-page.js';
import { varyingParams } from './sweep-heatmap.js';
import { lightweightChartsSource } from './web-assets.js';

function isApi(c: Context): boolean {
  return c.req.path.startsWith('/api/');
}

function jsonResponse(c: Context, value: unknown, status: 200 | 400 | 404 | 500 = 200): Response {
  return c.body(toJsonText(value), status, { 'content-type': 'application/json; charset=utf-8' });
}

function storeQuery(query: LeaderboardQuery) {
  return {
    symbol: query.symbol,
    timeframe: query.timeframe,
    // As typed and resolved against the server's folder; the file itself is never read for a request.
    modelPath:
      query.model === undefined
        ? undefined
        : { ...modelFilterFromText(query.model), paths: [...new Set([query.model, resolve(query.model)])] },
    sweepId: query.sweep,
    strategyName: query.strategy,
    sample: query.sample,
  };
}

/** Options for {@link createDashboardApp}. */
export interface DashboardOptions {
  /**
   * Decides from the `Host` header (undefined when absent) whether to answer; a refused request
   * gets 403. `startDashboard` always sets it (see `createHostCheck`). Unset: any host, for tests
   * through `app.request`.
   */
  readonly hostCheck?: ((hostHeader: string | undefined) => boolean) | undefined;
}

/**
 * The dashboard as a hono app over an open (read-only) database. Tests call `app.request()`;
 * `startDashboard` serves it on a port.
 *
 * @example
 * const app = createDashboardApp(await openStore({ db: 'data/trading.db', readonly: true }));
 * const res = await app.request('/?sort=sharpe_ratio');
 */
export function createDashboardApp(db: RunStore, options: DashboardOptions = {}): Hono {
  const app = new Hono();

  const hostCheck = options.hostCheck;
  if (hostCheck !== undefined) {
    // A page on another site can point a name it controls at this machine (DNS rebinding) and read
    // this server; such requests carry that foreign name in Host, so only this server's names pass.
    // Nothing is logged: the header is attacker-chosen text.
    app.use('*', async (c, next) => {
      if (!hostCheck(c.req.header('host'))) {
        return c.text(
          '403 Forbidden: this dashboard does not answer to that Host header (backtest ui --allowed-host NAME adds a name)\n',
          403,
        );
      }
      return next();
    });
  }

  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header(
      'content-security-policy',
      "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'",
    );
  });

  const loadPage = async (c: Context) => {
    const query = parseParams(leaderboardQuerySchema, c.req.query());
    const per = query.per ?? DEFAULT_PAGE_SIZE;
    const page = query.page ?? 1;
    const filter = storeQuery(query);
    const total = await db.countRuns(filter);
    const rows = await db.listRuns({
      ...filter,
      sort: query.sort,
      order: query.order,
      limit: per,
      offset: (page - 1) * per,
    });
    return { query, per, page, total, rows, outOfSample: await db.outOfSample(rows.map((row) => row.id)) };
  };

  const loadRun = async (c: Context) => {
    const id = parseParams(runIdSchema, c.req.param('id'), 'run id');
    const row = await db.findRun(id);
    if (row === undefined)
      throw new HTTPException(404, { message: `There is no run with id ${id} in ${db.location}.` });
    return row;
  };

  app.get('/', async (c) => c.html(renderLeaderboardPage(await loadPage(c))));

  app.get('/runs/:id', async (c) => {
    const row = await loadRun(c);
    const [details, deflatedSharpe, outOfSample] = await Promise.all([
      loadStoredRunDetails(db, row.id),
      loadFamilyDeflatedSharpe(db, row),
      db.outOfSample([row.id]),
    ]);
    return c.html(renderRunPage(details, deflatedSharpe, outOfSample.get(row.id)));
  });

  app.get('/compare', async (c) => {
    const raw = (c.req.queries('ids') ?? []).flatMap((v) => v.split(',')).filter((v) => v.trim() !== '');
    const ids = parseParams(compareIdsSchema, raw, 'run ids');
    const rows = await Promise.all(
      ids.map(async (id) => {
        const row = await db.findRun(id);
        if (row === undefined) throw new HTTPException(404, { message: `There is no run with id ${id} to compare.` });
        return row;
      }),
    );
    return c.html(
      renderComparePage(
        rows,
        await Promise.all(rows.map((row) => db.equityCurve(row.id))),
        await db.outOfSample(rows.map((row) => row.id)),
      ),
    );
  });

  app.get('/sweeps/:sweepId', async (c) => {
    const sweepId = c.req.param('sweepId');
    const query = parseParams(sweepQuerySchema, c.req.query());
    const rows = await db.listRuns({ sweepId, sort: 'id', order: 'asc', limit: MAX_LIMIT });
    const record = await db.findSweep(sweepId);
    if (rows.length === 0)
      throw new HTTPException(404, { message: `There is no sweep "${sweepId}" (no saved run has this sweep id).` });
    const params = varyingParams(rows.map((row) => ({ id: row.id, params: rowParams(row), value: null })));
    for (const [name, value] of [
      ['x', query.x],
      ['y', query.y],
    ] as const) {
      if (value !== undefined && !params.includes(value)) {
        throw new HTTPException(400, {
          message: `invalid query parameter "${name}": "${value}" is not a parameter that varies in this sweep; choose one of: ${params.join(', ') || '(none)'}`,
        });
      }
    }
    const x = query.x ?? params[0];
    const y = query.y ?? (query.x === undefined ? params[1] : params.find((p) => p !== x));
    if (x !== undefined && x === y) {
      throw new HTTPException(400, {
        message: 'invalid query parameters "x" and "y": choose two different parameters',
      });
    }
    const overfit = await db.findSweepOverfit(sweepId);
    return c.html(
      renderSweepPage({ sweepId, rows, record, metric: query.metric as MetricName, params, x, y, overfit }),
    );
  });

  app.get('/walk-forwards', async (c) => c.html(renderWalkForwardsPage(await db.listWalkForwards())));

  app.get('/walk-forwards/:groupId', async (c) => {
    const groupId = c.req.param('groupId');
    const record = await db.findWalkForward(groupId);
    if (record === undefined) {
      throw new HTTPException(404, { message: `There is no walk-forward "${groupId}" in ${db.location}.` });
    }
    const curve = record.stitchedRunId === null ? undefined : await db.equityCurve(record.stitchedRunId);
    return c.html(renderWalkForwardPage(walkForwardViewFromRecord(record, curve)));
  });

  app.get('/api/runs', async (c) => {
    const { query, per, page, total, rows, outOfSample } = await loadPage(c);
    return jsonResponse(c, {
      total,
      page,
      per,
      sort: query.sort,
      order: query.order ?? null,
      runs: rows.map((row) => runJson(row, outOfSample.get(row.id))),
    });
  });

  app.get('/api/runs/:id', async (c) => {
    const row = await loadRun(c);
    return jsonResponse(c, {
      ...runJson(row, (await db.outOfSample([row.id])).get(row.id)),
      config: parseStoredConfig(row) ?? null,
      strategy_params: rowParams(row) ?? null,
      trades: (await db.trades(row.id)) ?? null,
    });
  });

  app.get('/api/runs/:id/equity', async (c) => {
    const row = await loadRun(c);
    const curve = await db.equityCurve(row.id);
    if (curve === undefined) throw new HTTPException(404, { message: `Run ${row.id} has no stored equity curve.` });
    return jsonResponse(c, {
      id: row.id,
      sourcePointCount: curve.sourcePointCount,
      timeMs: curve.timeMs,
      equity: curve.equity,
    });
  });

  app.get(CHART_LIBRARY_PATH, (c) =>
    c.body(lightweightChartsSource(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  app.notFound((c) => {
    const message = `There is no page at ${c.req.path}.`;
    return isApi(c) ? jsonResponse(c, { error: message }, 404) : c.html(errorPage(404, message), 404);
  });

  app.onError((error, c) => {
    let status: 400 | 404 | 500 = 500;
    let message = 'Internal error; see the server output.';
    if (error instanceof HTTPException) {
      status = error.status === 404 ? 404 : error.status === 400 ? 400 : 500;
      message = error.message;
    } else if (error instanceof ConfigError) {
      // The store rejects bad filter values with a ConfigError before any SQL runs.
      status = 400;
      message = error.message;
    } else if (error instanceof AppError) {
      message = error.message;
    }
    if (status === 500) console.error(error);
    return isApi(c) ? jsonResponse(c, { error: message }, status) : c.html(errorPage(status, message), status);
  });

  return app;
}
