/**
 * Query parameters of the dashboard, checked with zod. A bad value is an {@link HTTPException}
 * 400 whose message names the parameter and says what is allowed.
 */
import { HTTPException } from 'hono/http-exception';
import { z } from 'zod';
import { METRIC_CATALOG, type MetricName } from '../core/metric-catalog.js';

const METRIC_NAMES = METRIC_CATALOG.map((m) => m.name) as [MetricName, ...MetricName[]];

/** Sort keys of the leaderboard: save time, id, or any metric. */
export const SORT_KEYS = ['run_timestamp', 'id', ...METRIC_NAMES] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Rows per leaderboard page: default and largest. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

// Forms submit empty fields as "", which means "no filter".
const filterText = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v),
  z.string().max(500, 'must be at most 500 characters').optional(),
);

const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.coerce
      .number({ error: 'must be a whole number' })
      .refine((n) => Number.isInteger(n), 'must be a whole number')
      .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`)
      .optional(),
  );

const metricName = z.enum(METRIC_NAMES, { error: `must be one of: ${METRIC_NAMES.join(', ')}` });

/** Leaderboard and `/api/runs` query. */
export const leaderboardQuerySchema = z.object({
  symbol: filterText,
  timeframe: filterText,
  model: filterText,
  sweep: filterText,
  strategy: filterText,
  sort: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .enum(SORT_KEYS, { error: `must be run_timestamp, id or a metric: ${METRIC_NAMES.join(', ')}` })
      .default('run_timestamp'),
  ),
  order: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional(),
  ),
  page: wholeNumber(1, 1_000_000),
  per: wholeNumber(1, MAX_PAGE_SIZE),
  // Which metrics of split runs the sort reads: in-sample (their own) or out-of-sample.
  sample: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.enum(['is', 'oos'], { error: 'must be is (in-sample) or oos (out-of-sample)' }).default('is'),
  ),
});
export type LeaderboardQuery = z.infer<typeof leaderboardQuerySchema>;

/** Sweep page query: which metric to colour by and which two parameters span the grid. */
export const sweepQuerySchema = z.object({
  metric: z.preprocess((v) => (v === '' ? undefined : v), metricName.default('sharpe_ratio')),
  x: filterText,
  y: filterText,
});

/** A run id in a path. */
export const runIdSchema = z
  .string({ error: 'must be a run id' })
  .trim()
  // Plain decimal digits only, as on the command line: not 0x10, 1e1 or 1.0.
  .regex(/^[0-9]+$/, 'must be a run id (a whole number of 1 or more, in decimal digits)')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n) && n >= 1, 'must be a run id (a whole number of 1 or more)');

/** Run ids to compare: `ids=1,2` or repeated `ids=1&ids=2`; 2 to 6 different runs. */
export const compareIdsSchema = z
  .array(runIdSchema)
  .transform((ids) => [...new Set(ids)])
  .refine((ids) => ids.length >= 2 && ids.length <= 6, 'pick 2 to 6 different runs to compare');

/**
 * Parses `value` with `schema`, or throws a 400 naming the first bad parameter.
 *
 * @example
 * const query = parseParams(leaderboardQuerySchema, c.req.query());
 */
export function parseParams<T>(schema: z.ZodType<T>, value: unknown, what = 'query parameter'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue === undefined || issue.path.length === 0 ? '' : ` "${issue.path.map(String).join('.')}"`;
  throw new HTTPException(400, { message: `invalid ${what}${name}: ${issue?.message ?? 'invalid value'}` });
}
