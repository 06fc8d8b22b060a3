import { SingleBar } from 'cli-progress';
import {
  type FetchProgress,
  fetchAlpacaBars,
  PartialFetchError,
  type SymbolFetchOutcome,
} from '../../app/fetch-alpaca-bars.js';
import { formatTimeMs } from '../../app/format-values.js';
import { toJsonText } from '../../app/json-text.js';
import { openHistoryForWriting } from '../../app/open-history.js';
import { AppError, UsageError } from '../../core/errors.js';
import type { Timeframe } from '../../core/timeframe.js';
import {
  type AlpacaAdjustment,
  AlpacaBarSource,
  type AlpacaBarSourceOptions,
  type AlpacaFeed,
  type AlpacaRetryNotice,
  alpacaConfigFromEnv,
  parseAlpacaSymbols,
} from '../../data/alpaca/index.js';
import { parseTimestampMs } from '../../data/csv/parse-timestamp.js';
import type { CliIO } from '../cli-io.js';

/** Flags of `backtest data fetch`. */
export interface DataFetchOptions {
  /** Where bars come from; only `alpaca` so far. */
  readonly source: string;
  /** One symbol or a comma-separated list: `AAPL,MSFT,BTC/USD`. */
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** `YYYY-MM-DD` or an ISO time (UTC unless it has an offset). */
  readonly start: string;
  /** As `start`; a bare date means the end of that day. Default: now. */
  readonly end?: string | undefined;
  readonly feed?: AlpacaFeed | undefined;
  readonly adjustment?: AlpacaAdjustment | undefined;
  readonly db?: string | undefined;
  /** Add this project's tables to another program's SQLite file. */
  readonly init?: boolean | undefined;
  readonly json?: boolean | undefined;
  /** Stops the fetch as Ctrl-C does (tests); the command listens for SIGINT itself too. */
  readonly signal?: AbortSignal | undefined;
  /** Settings of the Alpaca client that tests shorten (retry waits, page size). */
  readonly client?: Pick<AlpacaBarSourceOptions, 'retryBaseMs' | 'maxRetries' | 'pageLimit'> | undefined;
  /** Bars per committed chunk (tests). */
  readonly chunkBars?: number | undefined;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/**
 * `backtest data fetch --source alpaca --symbol AAPL,BTC/USD --timeframe 1Hour --start 2024-01-01`:
 * fetches each symbol's missing bars from Alpaca into the bar store and prints one line per
 * symbol. Keys come from `APCA_API_KEY_ID` and `APCA_API_SECRET_KEY` only. When some symbols
 * fail and others are stored, each failure gets a line on standard error and the command ends
 * with a {@link PartialFetchError} (exit 8); when all fail, with the first failure's exit code.
 */
export async function dataFetchCommand(options: DataFetchOptions, io: CliIO): Promise<void> {
  if (options.source !== 'alpaca') {
    throw new UsageError(`--source ${options.source} is not a bar source; use --source alpaca`);
  }
  const symbols = parseAlpacaSymbols(options.symbol);
  const startMs = parseTimeOption('--start', options.start, false);
  const endMs = options.end === undefined ? undefined : parseTimeOption('--end', options.end, true);
  if (endMs !== undefined && endMs < startMs) {
    throw new UsageError(`--end ${options.end} is before --start ${options.start}`);
  }
  // Keys are checked before the database is opened, so a missing key creates no file.
  const config = alpacaConfigFromEnv(io.env);
  const progress = startFetchProgress(io);
  const source = new AlpacaBarSource({
    ...config,
    ...options.client,
    onRetry: (notice) => progress.retry(notice),
  });
  const store = await openHistoryForWriting({
    db: options.db,
    cwd: io.cwd,
    env: io.env,
    init: options.init,
    onNotice: (line) => io.err(`${line}\n`),
  });
  const stop = new AbortController();
  const onSigint = (): void => stop.abort();
  const onAbort = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  process.once('SIGINT', onSigint);
  let outcomes: SymbolFetchOutcome[];
  // Failures are said at the end, so that a single failure is a single line (main prints it).
  const failures: FailedOutcome[] = [];
  const sayFailures = (list: readonly FailedOutcome[]): void => {
    // Every per-symbol message names its symbol already.
    for (const f of list) io.err(`error: ${f.error.message}\n`);
  };
  try {
    outcomes = await fetchAlpacaBars(source, store, {
      symbols,
      timeframe: options.timeframe,
      startMs,
      endMs,
      feed: options.feed,
      adjustment: options.adjustment,
      chunkBars: options.chunkBars,
      signal: stop.signal,
      onProgress: (update) => progress.update(update),
      onSymbol: (outcome) => {
        if (outcome.status === 'failed') failures.push(outcome);
        // Lines go out as each symbol ends, so a later fatal error leaves the earlier ones said.
        else if (options.json !== true) progress.pause(() => io.out(`${describeStored(outcome)}\n`));
      },
    });
  } catch (error) {
    progress.stop();
    sayFailures(failures);
    throw error;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
    options.signal?.removeEventListener('abort', onAbort);
    await store.close();
  }
  if (options.json === true) io.out(`${toJsonText(outcomes.map(toJson))}\n`);
  const first = failures[0];
  if (first === undefined) return;
  if (failures.length === 1 && outcomes.length === 1) throw first.error;
  sayFailures(failures);
  if (failures.length === outcomes.length) {
    throw new AppError(`none of the ${outcomes.length} symbols was fetched (each is named above)`, {
      code: first.error.code,
      exitCode: first.error.exitCode,
    });
  }
  throw new PartialFetchError(
    `${failures.length} of ${outcomes.length} symbols failed (${failures.map((o) => o.symbol).join(', ')}); the others were fetched and stored`,
  );
}

type FailedOutcome = Extract<SymbolFetchOutcome, { status: 'failed' }>;

/** `--start`/`--end` as unix ms; a bare date is midnight UTC, or for `--end` the last ms of that day. */
function parseTimeOption(flag: string, text: string, endOfDay: boolean): number {
  const value = text.trim();
  const ms = parseTimestampMs(value);
  if (typeof ms !== 'number' || /^\d+$/.test(value)) {
    throw new UsageError(
      `${flag} "${text}" is not a date; use YYYY-MM-DD or an ISO time such as 2024-01-02T14:30:00Z (UTC unless it has an offset)`,
    );
  }
  return endOfDay && DATE_ONLY.test(value) ? ms + MS_PER_DAY - 1 : ms;
}

/** One line for a stored symbol: what was new, then what the set holds now. */
function describeStored(outcome: Extract<SymbolFetchOutcome, { status: 'stored' }>): string {
  const fresh = Math.max(0, outcome.inserted - outcome.replaced);
  const updated = Math.min(outcome.inserted, outcome.replaced);
  const counts =
    fresh === 0 && updated <= 1
      ? 'up to date'
      : `${fresh.toLocaleString('en-US')} new bar${fresh === 1 ? '' : 's'}${
          updated > 0 ? `, ${updated.toLocaleString('en-US')} updated` : ''
        }`;
  const set = outcome.set;
  const held =
    set === undefined
      ? ''
      : `; stored ${set.count.toLocaleString('en-US')} bars, ${formatTimeMs(set.firstTimeMs)} → ${formatTimeMs(set.lastTimeMs)}`;
  const key = outcome.feed === null ? 'crypto' : `feed ${outcome.feed}, adjustment ${outcome.adjustment}`;
  return `${outcome.symbol} ${outcome.timeframe}: ${counts}${held} (alpaca, ${key}).`;
}

function toJson(outcome: SymbolFetchOutcome): Record<string, unknown> {
  if (outcome.status === 'failed') {
    return {
      symbol: outcome.symbol,
      timeframe: outcome.timeframe,
      status: 'failed',
      error: outcome.error.message,
      code: outcome.error.code,
      inserted: outcome.inserted,
    };
  }
  const { set } = outcome;
  return {
    symbol: outcome.symbol,
    timeframe: outcome.timeframe,
    status: 'stored',
    source: 'alpaca',
    feed: outcome.feed,
    adjustment: outcome.adjustment,
    fetched: outcome.fetched,
    inserted: outcome.inserted,
    replaced: outcome.replaced,
    count: set?.count ?? 0,
    firstTimeMs: set?.firstTimeMs ?? null,
    lastTimeMs: set?.lastTimeMs ?? null,
  };
}

/** The fetch's progress bar; every method is a no-op when standard error is not a terminal. */
interface FetchProgressBar {
  update(progress: FetchProgress): void;
  retry(notice: AlpacaRetryNotice): void;
  /** Runs `print` with the bar cleared, so lines do not mix with it. */
  pause(print: () => void): void;
  stop(): void;
}

/** Scale of the bar: the fraction in thousandths, so the percentage moves smoothly. */
const PROGRESS_STEPS = 1000;

/**
 * A progress bar on standard error with the share of the time range covered, bars received,
 * bars per second and an ETA, drawn only in a terminal (as `startProgress` in `progress.ts`,
 * whose count-of-total format does not fit a download of unknown size). Retries are noted in
 * the bar in a terminal and as `note:` lines otherwise.
 */
function startFetchProgress(io: CliIO): FetchProgressBar {
  if (!io.interactive) {
    return {
      update: () => {},
      retry: (notice) =>
        io.err(
          `note: Alpaca ${notice.reason}; retrying in ${formatSeconds(notice.waitMs)} (retry ${notice.attempt})\n`,
        ),
      pause: (print) => print(),
      stop: () => {},
    };
  }
  const startedMs = Date.now();
  let started = false;
  let last: FetchProgress = { symbol: '', bars: 0, fraction: 0 };
  let note = '';
  const bar = new SingleBar({
    format: 'Fetching [{bar}] {percentage}% | {bars} bars | {rate} bars/s | ETA {eta_formatted} | {detail}',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    stream: process.stderr,
  });
  const payload = (): Record<string, string> => {
    const seconds = (Date.now() - startedMs) / 1000;
    return {
      bars: last.bars.toLocaleString('en-US'),
      rate: seconds > 0 ? Math.round(last.bars / seconds).toLocaleString('en-US') : '0',
      detail: note === '' ? last.symbol : `${last.symbol} (${note})`,
    };
  };
  const draw = (): void => {
    if (!started) {
      bar.start(PROGRESS_STEPS, 0, payload());
      started = true;
    }
    bar.update(Math.round(last.fraction * PROGRESS_STEPS), payload());
  };
  return {
    update: (progress) => {
      last = progress;
      note = '';
      draw();
    },
    retry: (notice) => {
      note = `${notice.reason}, retrying in ${formatSeconds(notice.waitMs)}`;
      draw();
    },
    pause: (print) => {
      if (started) {
        bar.stop();
        started = false;
      }
      print();
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
