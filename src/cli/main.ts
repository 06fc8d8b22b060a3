/**
 * The `backtest` command line. Declares the commands and loads each command's module only
 * when it runs, so `--help` and light commands start fast. This is the only place that turns
 * errors into exit codes.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { AppError, UsageError } from '../core/errors.js';
import { packageVersion } from '../app/package-version.js';
import { type CliIO, processIO } from './cli-io.js';
import {
  collect,
  parseDateToUnixSeconds,
  parseEndTimeMs,
  parseFraction,
  parseId,
  parseNonNegativeInteger,
  parseNumber,
  parsePositiveNumber,
  parsePositiveInteger,
  parseProbability,
  parseStartTimeMs,
  parseTimeframe,
  parseTimeZone,
  TIMEFRAME_FORMS,
} from './option-parsers.js';

const MODEL_FILTER_HELP =
  'only runs of this model: a path (models/x.onnx and its absolute path are the same model), a file name, or a SHA-256 prefix';
const INIT_HELP = "add this project's tables to an existing SQLite file of another program (refused without it)";
const DB_HELP =
  'SQLite database file, or a PostgreSQL URL postgres://user:password@host:port/database (default: $BACKTEST_DB or ./data/trading.db)';
const RUN_TIMEOUT_HELP =
  'stop a combination still running after this many seconds (its worker is replaced) and count it as failed';
const WORKERS_HELP = 'worker threads (default and most: the number of CPU cores)';

/** How a bar file is read: `--adjusted` and `--tz`, shared by `run`, `sweep` and `data import`. */
function addBarFileOptions(command: Command): void {
  command
    .option(
      '--adjusted',
      'scale open, high, low and close by Adj Close / Close (Yahoo files); without it an Adj Close column is ignored',
      false,
    )
    .option(
      '--tz <zone>',
      'IANA time zone of file times written without an offset, e.g. America/New_York (default: UTC)',
      parseTimeZone,
    );
}

/** Where the bars come from and which strategy runs: shared by `run` and `sweep`. */
function addBarSourceOptions(command: Command): void {
  command
    .option(
      '--data <file>',
      'CSV or Parquet file of bars (time, open, high, low, close, volume); without it, bars come from the database',
    )
    .option(
      '--symbol <symbol>',
      "symbol of the bars; picks its rows from a file with a symbol column (default: the file's symbol column, else its name: GOOG for GOOG.csv or GOOG_1Day.csv)",
    )
    .addOption(
      new Option(
        '--timeframe <timeframe>',
        `bar timeframe: ${TIMEFRAME_FORMS} (default: from a SYMBOL_TIMEFRAME.csv name, else the bar spacing)`,
      ).argParser(parseTimeframe),
    )
    .option(
      '--start <date>',
      'use bars from this time on (stored or from --data): YYYY-MM-DD, ISO time (UTC unless it has a zone) or unix seconds (default: the first bar)',
      parseStartTimeMs,
    )
    .option(
      '--end <date>',
      'use bars up to this time, inclusive; a date alone includes that whole day (UTC) (default: the last bar)',
      parseEndTimeMs,
    )
    .option(
      '--strategy <name|file>',
      'built-in strategy (buy-and-hold, sma-cross, rsi; see backtest strategies) or a module file (.ts, .mts, .cts, .js, .mjs, .cjs)',
      'sma-cross',
    );
  addBarFileOptions(command);
}

/** The out-of-sample split, shared by `run` and `sweep`. */
function addOutOfSampleOptions(command: Command): void {
  command
    .option(
      '--oos-from <date>',
      'also evaluate out of sample from this time on (YYYY-MM-DD, ISO time or unix seconds): the metrics are then the in-sample part’s, and the out-of-sample part starts flat with the cash after a warm-up over the bars before it',
      parseStartTimeMs,
    )
    .option(
      '--oos-fraction <fraction>',
      'as --oos-from, with the last fraction of the bars out of sample (0.3: the last 30 %)',
      parseFraction,
    );
}

/** `--sample is|oos`: which metrics of split runs a ranking reads; shared by `list` and `best`. */
function sampleOption(what: string): Option {
  return new Option(
    '--sample <sample>',
    `which metrics ${what}: is (in-sample, the run’s own) or oos (out-of-sample, of runs split with --oos-from or --oos-fraction)`,
  )
    .choices(['is', 'oos'])
    .default('is');
}

/** Cash, costs, sizing and fill timing: every setting of the backtest config, shared by `run` and `sweep`. */
/** `--lock-timeout` of the commands that save runs. */
function lockTimeoutOption(): Option {
  return new Option(
    '--lock-timeout <seconds>',
    "how long a save waits for another process's write lock before giving up and writing the results to a recovery file",
  )
    .argParser(parsePositiveNumber)
    .default(600);
}

/** `--lease-seconds` of `sweep` and `walk-forward --distributed`. */
function leaseSecondsOption(): Option {
  return new Option(
    '--lease-seconds <n>',
    'with --distributed: how long a worker holds a job; a job whose worker died goes to another after it (default: 120)',
  ).argParser(parsePositiveInteger);
}

/** `--batch-size` of `sweep` and `walk-forward --distributed`. */
function batchSizeOption(): Option {
  return new Option(
    '--batch-size <n>',
    'with --distributed: configurations per job; size it so one job takes well under the lease on one worker (default: 10)',
  ).argParser(parsePositiveInteger);
}

function addRunConfigOptions(command: Command): void {
  command
    .option('--cash <amount>', 'initial cash, account currency', parseNumber, 10_000)
    .option(
      '--commission <fraction>',
      'commission as a fraction of traded value, per side (0.001 = 0.1 %)',
      parseNumber,
      0,
    )
    .option('--fixed-fee <amount>', 'fixed fee per order, account currency', parseNumber, 0)
    .option('--slippage-bps <bps>', 'slippage against the trader, basis points', parseNumber, 0)
    .option('--size <fraction>', 'fraction of equity per position, in (0, 1]', parseNumber, 1)
    .option('--fractional', 'allow fractional quantities (default: whole units, rounded down)', false)
    .addOption(
      new Option('--fill-at <when>', 'when an order decided on a bar fills')
        .choices(['next-open', 'close'])
        .default('next-open'),
    )
    .option('--risk-free-rate <fraction>', 'annual risk-free rate for Sharpe and Sortino (0.02 = 2 %)', parseNumber, 0);
}

/**
 * Option help without the noise of "(default: false)" on switches and "(default: [])" on
 * repeatable flags; every other default is shown as Commander shows it.
 */
function describeOption(option: Option): string {
  const quiet =
    option.defaultValue === false || (Array.isArray(option.defaultValue) && option.defaultValue.length === 0);
  return quiet ? option.description : new Help().optionDescription(option);
}

/** Builds the command tree; `io` receives all output. */
export function createProgram(io: CliIO): Command {
  const program = new Command('backtest')
    .description('Fast, reproducible backtests whose results are saved, listed, compared and ranked.')
    .version(packageVersion(), '-V, --version')
    .option('--verbose', 'print stack traces on errors')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .configureHelp({ optionDescription: describeOption })
    .exitOverride();

  const run = program
    .command('run')
    .description('Backtest one strategy or model on one bar series and print its metrics');
  addBarSourceOptions(run);
  run.option('--param <name=value>', 'strategy parameter, repeatable (e.g. --param fast=10)', collect, []);
  addOutOfSampleOptions(run);
  addRunConfigOptions(run);
  run
    .option('--save-to-db', 'save the run to the database', false)
    .option('--notes <text>', 'notes stored with the saved run')
    .addOption(lockTimeoutOption())
    .option('--init', INIT_HELP, false)
    .option('--db <path>', DB_HELP)
    .option('--trades', 'also print the trade list', false)
    .option('--equity-curve', 'with --json: also include the equity curve (time and equity at each bar)', false)
    .option(
      '--report <file>',
      'also write a self-contained HTML report: equity, drawdown, price with trades, monthly returns, trades',
    )
    .option('--model <file>', 'backtest an ONNX policy; symbol and timeframe come from its name SYMBOL_TIMEFRAME.onnx')
    .option('--all', 'backtest every .onnx model under --models-dir on its own symbol and timeframe', false)
    .option('--models-dir <dir>', 'folder searched by --all, recursively', 'models')
    .option(
      '--run-timeout <seconds>',
      'with --all: stop a model still running after this many seconds and count it as failed (default: 600)',
      parsePositiveNumber,
    )
    .option('--json', 'print one JSON object instead of tables', false)
    .action(async (options) => {
      if (options.runTimeout !== undefined && options.all !== true) {
        throw new UsageError('--run-timeout applies to run --all (each model runs in its own process)');
      }
      const { runCommand } = await import('./commands/run.js');
      await runCommand(options, io);
    });

  const sweep = program
    .command('sweep')
    .description(
      'Run every combination of a parameter grid in parallel, save each run under one sweep id, and rank them',
    );
  addBarSourceOptions(sweep);
  sweep
    .option(
      '--grid <name=values>',
      'swept parameter, repeatable: name=start..end:step (inclusive), name=a,b,c or name=value',
      collect,
      [],
    )
    .option(
      '--where <expression>',
      "run only combinations where this holds, e.g. 'slow - fast >= 10' (+ - * /, < <= > >= == !=, and or not, parentheses)",
    )
    .option(
      '--param <name=value>',
      'parameter fixed for every combination, repeatable (e.g. --param short=true)',
      collect,
      [],
    )
    .option('--workers <n>', WORKERS_HELP, parsePositiveInteger)
    .option('--run-timeout <seconds>', RUN_TIMEOUT_HELP, parsePositiveNumber, 600)
    .option('--metric <metric>', 'metric the printed top runs are ranked by', 'sharpe_ratio')
    .option('--top <n>', 'how many of the best runs to print', parsePositiveInteger, 10);
  addOutOfSampleOptions(sweep);
  addRunConfigOptions(sweep);
  sweep
    .option('--save-to-db', 'save every run to the database under one sweep id', false)
    .option('--notes <text>', 'notes stored with every saved run')
    .addOption(lockTimeoutOption())
    .option('--init', INIT_HELP, false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print one JSON object instead of tables', false)
    .option(
      '--distributed',
      'store the sweep and its bars in the PostgreSQL --db and enqueue its configurations for `backtest worker` processes on any machine; shows progress until all are done',
      false,
    )
    .addOption(leaseSecondsOption())
    .addOption(batchSizeOption())
    .option('--detach', 'with --distributed: return once the jobs are enqueued instead of showing progress', false)
    .action(async (options) => {
      const { sweepCommand } = await import('./commands/sweep.js');
      await sweepCommand(options, io);
    });

  program
    .command('worker')
    .description(
      'Run distributed sweep jobs (sweep --distributed) from a PostgreSQL database, on any machine that reaches it; SIGTERM or Ctrl-C returns the job in hand and exits',
    )
    .option('--db <url>', 'PostgreSQL URL postgres://user:password@host:port/database (default: $BACKTEST_DB)')
    .option('--concurrency <n>', 'worker threads (default: the available parallelism)', parsePositiveInteger)
    .option('--exit-when-idle', 'exit once no sweep has a job waiting or leased', false)
    .action(async (options) => {
      const { workerCommand } = await import('./commands/worker.js');
      await workerCommand(options, io);
    });

  const walkForward = program
    .command('walk-forward')
    .description(
      'Walk-forward optimization: run a grid on each training window, test the best configuration on the window after it, stitch the tests into one out-of-sample run',
    );
  addBarSourceOptions(walkForward);
  walkForward
    .option('--grid <name=values>', 'swept parameter, repeatable, as for sweep', collect, [])
    .option('--where <expression>', 'run only configurations where this holds, as for sweep')
    .option('--param <name=value>', 'parameter fixed for every configuration, repeatable', collect, [])
    .requiredOption('--train <duration>', 'training window: a whole number and d, w, mo, y or bars, e.g. 2y, 500bars')
    .requiredOption('--test <duration>', 'test window after each training window, e.g. 6mo')
    .option('--step <duration>', 'how far each window moves on (default: --test); at least --test')
    .option('--anchored', 'every window trains from the first bar (an expanding window)', false)
    .option('--metric <metric>', 'metric the best configuration of each training window is chosen by', 'sharpe_ratio')
    .option(
      '--min-trades <n>',
      'configurations with fewer closed training trades are not chosen; a window where none qualifies stays flat',
      parseNonNegativeInteger,
      1,
    )
    .option('--workers <n>', WORKERS_HELP, parsePositiveInteger)
    .option('--run-timeout <seconds>', RUN_TIMEOUT_HELP, parsePositiveNumber, 600);
  addRunConfigOptions(walkForward);
  walkForward
    .option(
      '--save-to-db',
      'save the group, each window, every training run (hidden from list and best) and the stitched run',
      false,
    )
    .option('--notes <text>', 'notes stored with every saved run')
    .option('--report <file>', 'also write a self-contained HTML report: windows, chosen parameters, stitched equity')
    .addOption(lockTimeoutOption())
    .option('--init', INIT_HELP, false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print one JSON object instead of tables', false)
    .option(
      '--distributed',
      "run each window's training grid on `backtest worker` processes through the PostgreSQL --db (saved there, as with --save-to-db); shows progress until every window is done",
      false,
    )
    .addOption(leaseSecondsOption())
    .addOption(batchSizeOption())
    .action(async (options) => {
      const { walkForwardCommand } = await import('./commands/walk-forward.js');
      await walkForwardCommand(options, io);
    });

  const walkForwards = program
    .command('walk-forwards')
    .description('Stored walk-forward groups: list them (the default) or show one')
    .addHelpText('after', '\n`backtest walk-forwards` alone is `backtest walk-forwards list`.');
  walkForwards
    .command('list', { isDefault: true })
    .description(
      'List stored walk-forwards, newest first, with windows, status and efficiency; partial ones are marked *',
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .option('--wide', 'show every column and full names, even when the terminal is narrower', false)
    .allowExcessArguments(true)
    .action(async (options, command: Command) => {
      if (command.args.length > 0) {
        throw new UsageError(
          `unknown walk-forwards command "${command.args[0]}"; use walk-forwards [list] or walk-forwards show ID`,
        );
      }
      const { walkForwardsListCommand } = await import('./commands/walk-forwards.js');
      await walkForwardsListCommand(options, io);
    });
  walkForwards
    .command('show')
    .description('Show a walk-forward: definition, windows with chosen parameters, stitched metrics, efficiency')
    .argument('<id>', 'walk-forward group id')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of tables', false)
    .action(async (id: string, options) => {
      const { walkForwardsShowCommand } = await import('./commands/walk-forwards.js');
      await walkForwardsShowCommand({ ...options, id }, io);
    });

  const sweeps = program
    .command('sweeps')
    .description('Manage stored sweeps: list them (the default), show one, resume one that stopped, delete one')
    .addHelpText('after', '\n`backtest sweeps` alone is `backtest sweeps list` (see `backtest sweeps list --help`).');
  sweeps
    .command('list', { isDefault: true })
    .description('List stored sweeps, newest first, with status and done/planned counts; partial ones are marked *')
    .addOption(
      new Option('--status <status>', 'only sweeps with this status').choices(['running', 'completed', 'interrupted']),
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    // `sweeps bogus` lands here as the default command: say it is an unknown command, not "too many arguments".
    .allowExcessArguments(true)
    .action(async (options, command: Command) => {
      if (command.args.length > 0) {
        throw new UsageError(
          `unknown sweeps command "${command.args[0]}"; use sweeps [list], sweeps show ID, sweeps resume ID or sweeps delete ID`,
        );
      }
      const { sweepsListCommand } = await import('./commands/sweeps.js');
      await sweepsListCommand(options, io);
    });
  sweeps
    .command('show')
    .description(
      'Show a sweep: definition (strategy, grid, where, fixed parameters, bars, config), status, counts, best run',
    )
    .argument('<id>', 'sweep id')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (id: string, options) => {
      const { sweepsShowCommand } = await import('./commands/sweeps.js');
      await sweepsShowCommand({ ...options, id }, io);
    });
  sweeps
    .command('resume')
    .description(
      'Run the combinations of a stored sweep that have no saved run yet, on the same bars and strategy; a distributed sweep goes back to its workers through the queue',
    )
    .argument('<id>', 'sweep id')
    .option(
      '--data <file>',
      "CSV of the sweep's bars (default: the file it ran on if still there, else the bars stored in the database); its SHA-256 must match",
    )
    .option('--allow-changed-strategy', 'resume even though the strategy module changed since the sweep ran', false)
    .option('--workers <n>', WORKERS_HELP, parsePositiveInteger)
    .option('--run-timeout <seconds>', RUN_TIMEOUT_HELP, parsePositiveNumber, 600)
    .option(
      '--detach',
      'a distributed sweep (PostgreSQL): enqueue its missing and failed configurations for the workers and return without watching',
    )
    .addOption(lockTimeoutOption())
    .option('--db <path>', DB_HELP)
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (id: string, options) => {
      const { sweepsResumeCommand } = await import('./commands/sweeps.js');
      await sweepsResumeCommand({ ...options, id }, io);
    });
  sweeps
    .command('delete')
    .description('Delete a sweep and every run saved under it')
    .argument('<id>', 'sweep id')
    .option('--yes', 'do not ask for confirmation', false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of text', false)
    .action(async (id: string, options) => {
      const { sweepsDeleteCommand } = await import('./commands/sweeps.js');
      await sweepsDeleteCommand({ ...options, id }, io);
    });

  program
    .command('overfit')
    .description(
      'Probability of backtest overfitting of a stored sweep (combinatorially symmetric cross-validation over its runs), stored with it',
    )
    .argument('<sweep-id>', 'sweep id')
    .option(
      '--blocks <n>',
      'even number of blocks the periods are cut into; half of them are in-sample in each of the C(n, n/2) splits',
      parsePositiveInteger,
      16,
    )
    .addOption(
      new Option('--metric <metric>', 'performance the runs are ranked by in each half')
        .choices(['sharpe_ratio', 'total_return'])
        .default('sharpe_ratio'),
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (id: string, options) => {
      const { overfitCommand } = await import('./commands/overfit.js');
      await overfitCommand({ ...options, id }, io);
    });

  program
    .command('strategies')
    .description(
      'List the built-in strategies, or show the parameters of one (a built-in name or a module file): types, defaults, allowed values',
    )
    .argument('[name]', 'built-in strategy name, or path to a strategy module')
    .option('--json', 'print JSON instead of a table', false)
    .action(async (name: string | undefined, options) => {
      const { strategiesCommand } = await import('./commands/strategies.js');
      await strategiesCommand({ ...options, ...(name === undefined ? {} : { name }) }, io);
    });

  program
    .command('list')
    .description('List saved runs, newest first')
    .option('--symbol <symbol>', 'only this symbol')
    .addOption(new Option('--timeframe <timeframe>', 'only this timeframe').argParser(parseTimeframe))
    .option('--model <path|name|sha256>', MODEL_FILTER_HELP)
    .option('--sweep <id>', 'only runs of this sweep')
    .option(
      '--since <date>',
      'only runs saved on or after this date: YYYY-MM-DD, ISO time (UTC unless it has a zone) or unix seconds',
      parseDateToUnixSeconds,
    )
    .option('--limit <n>', 'at most this many runs', parsePositiveInteger, 20)
    .option('--sort <metric>', 'sort by a metric, best first (default: newest first)')
    .option('--min-trades <n>', 'only runs with at least this many closed trades', parseNonNegativeInteger)
    .addOption(sampleOption('--sort and --min-trades read'))
    .option(
      '--walk-forward <id>',
      'only runs of this walk-forward group (its stitched run; with --include-training its training runs too)',
    )
    .option('--include-training', 'also list walk-forward training runs (the runs of each window’s grid)', false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .option('--wide', 'show every column and full names, even when the terminal is narrower', false)
    .action(async (options) => {
      const { listCommand } = await import('./commands/list.js');
      await listCommand(options, io);
    });

  program
    .command('best')
    .description('Show the best saved run for a symbol and timeframe by a metric')
    .argument('<symbol>', 'symbol, e.g. GOOG')
    .argument('<timeframe>', `timeframe: ${TIMEFRAME_FORMS}`, parseTimeframe)
    .option('--metric <metric>', 'metric to rank by', 'total_return')
    .option('--sweep <id>', 'only runs of this sweep')
    .option('--model <path|name|sha256>', MODEL_FILTER_HELP)
    .option(
      '--min-trades <n>',
      'leave out runs with fewer closed trades (a run that never traded has a perfect drawdown)',
      parseNonNegativeInteger,
      1,
    )
    .option(
      '--min-dsr <p>',
      'turn the best run down (exit 1) when its deflated Sharpe ratio over every run it was chosen from is below this probability, e.g. 0.95',
      parseProbability,
    )
    .addOption(sampleOption('the metric and --min-trades read'))
    .option('--include-training', 'also rank walk-forward training runs (the runs of each window’s grid)', false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (symbol, timeframe, options) => {
      const { bestCommand } = await import('./commands/best.js');
      await bestCommand({ ...options, symbol, timeframe }, io);
    });

  program
    .command('show')
    .description('Show every stored field of one run')
    .argument('<id>', 'run id', parseId)
    .option('--trades', 'also print the stored trade list', false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (id, options) => {
      const { showCommand } = await import('./commands/show.js');
      await showCommand({ ...options, id }, io);
    });

  program
    .command('rerun')
    .description(
      'Run a saved backtest again from its stored config and check every stored metric, the bars and the model',
    )
    .argument('<id>', 'run id', parseId)
    .option(
      '--data <file>',
      'CSV of the bars to use (default: the bars stored in the database for its symbol and timeframe)',
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (id, options) => {
      const { rerunCommand } = await import('./commands/rerun.js');
      await rerunCommand({ ...options, id }, io);
    });

  program
    .command('compare')
    .description('Compare runs side by side: metrics as rows, runs as columns, best marked')
    .argument('<ids...>', 'two or more run ids')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .option('--wide', 'show full strategy and model names, even when the terminal is narrower', false)
    .action(async (ids: string[], options) => {
      const { compareCommand } = await import('./commands/compare.js');
      await compareCommand({ ...options, ids: ids.map(parseId) }, io);
    });

  program
    .command('delete')
    .description('Delete saved runs')
    .argument('<ids...>', 'run ids')
    .option('--yes', 'do not ask for confirmation', false)
    .option('--db <path>', DB_HELP)
    .action(async (ids: string[], options) => {
      const { deleteCommand } = await import('./commands/delete.js');
      await deleteCommand({ ...options, ids: ids.map(parseId) }, io);
    });

  program
    .command('export')
    .description('Export saved runs as CSV or JSON')
    .addOption(
      new Option(
        '--format <format>',
        'json: everything about each run (summary, metrics, provenance, equity curve, trades); jsonl: the same, one run per line; csv: the summary only',
      )
        .choices(['csv', 'json', 'jsonl'])
        .default('csv'),
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--symbol <symbol>', 'only this symbol')
    .addOption(new Option('--timeframe <timeframe>', 'only this timeframe').argParser(parseTimeframe))
    .option('--model <path|name|sha256>', MODEL_FILTER_HELP)
    .option('--sweep <id>', 'only runs of this sweep')
    .option(
      '--since <date>',
      'only runs saved on or after this date: YYYY-MM-DD, ISO time (UTC unless it has a zone) or unix seconds',
      parseDateToUnixSeconds,
    )
    .option('--db <path>', DB_HELP)
    .action(async (options) => {
      const { exportCommand } = await import('./commands/export.js');
      await exportCommand(options, io);
    });

  program
    .command('import')
    .description('Import runs from a file written by `backtest export`')
    .argument('<file>', 'CSV or JSON file')
    .addOption(
      new Option('--format <format>', 'file format (default: from the file extension: .csv, .json, .jsonl)').choices([
        'csv',
        'json',
        'jsonl',
      ]),
    )
    .option('--init', INIT_HELP, false)
    .option('--db <path>', DB_HELP)
    .action(async (file, options) => {
      const { importCommand } = await import('./commands/import.js');
      await importCommand({ ...options, file }, io);
    });

  program
    .command('report')
    .description('Write one saved run as a self-contained HTML report (opens offline)')
    .argument('<id>', 'run id', parseId)
    .requiredOption('--out <file>', 'HTML file to write, e.g. run-7.html')
    .option('--db <path>', DB_HELP)
    .action(async (id, options) => {
      const { reportCommand } = await import('./commands/report.js');
      await reportCommand({ ...options, id }, io);
    });

  program
    .command('ui')
    .description('Serve a local dashboard of saved runs: leaderboard, run pages, compare, sweep heatmaps (read-only)')
    .option('--db <path>', DB_HELP)
    .option('--port <n>', 'port to listen on; 0 picks a free port', '8000')
    .option(
      '--host <host>',
      'address to bind (default 127.0.0.1: this machine only; any other address serves the network without authentication)',
      '127.0.0.1',
    )
    .option(
      '--allowed-host <name>',
      'also answer to this host name or address, repeatable (e.g. a DNS name of this machine); any other Host header gets 403',
      collect,
      [],
    )
    .action(async (options) => {
      const { uiCommand } = await import('./commands/ui.js');
      await uiCommand(options, io);
    });

  program
    .command('demo')
    .description(
      'Import the bundled bars, run the built-in strategies, the example ONNX policies and a small sweep, save all, print the leaderboard',
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of tables', false)
    .action(async (options) => {
      const { demoCommand } = await import('./commands/demo.js');
      await demoCommand(options, io);
    });

  const db = program.command('db').description('Move a run history between databases (SQLite files, PostgreSQL)');
  db.command('copy')
    .description(
      'Copy every run (curves, trades, side data), sweep, walk-forward group and bar set from one database to another; runs already there (same UUID) are skipped',
    )
    .requiredOption('--from <db>', 'SQLite file or postgres:// URL to copy from (read only)')
    .requiredOption('--to <db>', 'SQLite file or postgres:// URL to copy into (created or upgraded)')
    .option('--batch <n>', 'runs per transaction', parsePositiveInteger, 500)
    .option('--init', INIT_HELP, false)
    .option('--json', 'print the summary as JSON instead of a line', false)
    .action(async (options) => {
      const { dbCopyCommand } = await import('./commands/db-copy.js');
      await dbCopyCommand(options, io);
    });

  const data = program.command('data').description('Store bars in the database, so runs can use them without --data');
  data
    .command('import')
    .description('Import bars from a CSV or Parquet file, replacing stored bars in the same time range')
    .argument('<file>', 'CSV or Parquet file of time, open, high, low, close, volume')
    .option(
      '--symbol <symbol>',
      "symbol of the bars; picks its rows from a file with a symbol column (default: every symbol of the file's symbol column, each its own bar set, else the file name)",
    )
    .addOption(
      new Option(
        '--timeframe <timeframe>',
        `bar timeframe: ${TIMEFRAME_FORMS} (default: from a SYMBOL_TIMEFRAME.csv name, else the bar spacing)`,
      ).argParser(parseTimeframe),
    )
    .option(
      '--adjusted',
      'scale open, high, low and close by Adj Close / Close (Yahoo files); without it an Adj Close column is ignored',
      false,
    )
    .option(
      '--tz <zone>',
      'IANA time zone of file times written without an offset, e.g. America/New_York (default: UTC)',
      parseTimeZone,
    )
    .option('--init', INIT_HELP, false)
    .option('--db <path>', DB_HELP)
    .action(async (file, options) => {
      const { dataImportCommand } = await import('./commands/data.js');
      await dataImportCommand({ ...options, file }, io);
    });
  data
    .command('list')
    .description(
      'List stored bar sets: symbol, timeframe, count, first and last time, and where they came from (source, feed, adjustment)',
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON instead of a table', false)
    .action(async (options) => {
      const { dataListCommand } = await import('./commands/data.js');
      await dataListCommand(options, io);
    });
  data
    .command('delete')
    .description('Delete a stored bar set with all its bars (saved runs are kept)')
    .argument('<symbol>', 'symbol; BTCUSD, BTC-USD and BTC/USD name the same pair')
    .argument('<timeframe>', `timeframe: ${TIMEFRAME_FORMS}`, parseTimeframe)
    .option('--yes', 'do not ask for confirmation', false)
    .option('--db <path>', DB_HELP)
    .action(async (symbol: string, timeframe, options) => {
      const { dataDeleteCommand } = await import('./commands/data.js');
      await dataDeleteCommand({ ...options, symbol, timeframe }, io);
    });
  data
    .command('fetch')
    .description(
      'Fetch historical bars from Alpaca into the database: only what is missing, committed in chunks, resumable (keys from APCA_API_KEY_ID and APCA_API_SECRET_KEY)',
    )
    .addOption(new Option('--source <source>', 'where the bars come from').choices(['alpaca']).makeOptionMandatory())
    .requiredOption(
      '--symbol <symbols>',
      'symbol or comma-separated symbols: stocks (AAPL, BRK.B) and crypto pairs (BTC/USD; BTCUSD and BTC-USD work too)',
    )
    .addOption(
      new Option('--timeframe <timeframe>', `bar timeframe: ${TIMEFRAME_FORMS}`)
        .argParser(parseTimeframe)
        .makeOptionMandatory(),
    )
    .requiredOption('--start <date>', 'first bar time: YYYY-MM-DD or an ISO time (UTC unless it has an offset)')
    .option('--end <date>', 'last bar time, as --start; a bare date includes that whole day (default: now)')
    .addOption(
      new Option('--feed <feed>', "stocks: data feed (default: the stored set's, else iex)").choices(['iex', 'sip']),
    )
    .addOption(
      new Option(
        '--adjustment <adjustment>',
        "stocks: corporate-action adjustment (default: the stored set's, else raw); adjusted sets are fetched again in full",
      ).choices(['raw', 'split', 'dividend', 'all']),
    )
    .option('--init', INIT_HELP, false)
    .option('--db <path>', DB_HELP)
    .option('--json', 'print one JSON object per symbol, in an array, instead of lines', false)
    .action(async (options) => {
      const { dataFetchCommand } = await import('./commands/data-fetch.js');
      await dataFetchCommand(options, io);
    });

  const model = program
    .command('model')
    .description('Inspect and check ONNX policies (export PyTorch ones with scripts/export_policy.py)');
  model
    .command('inspect')
    .description("Print a model's contract (inputs, outputs, features, window, output kind) and validate it")
    .argument('<file>', 'the .onnx model file')
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (file: string, options) => {
      const { modelInspectCommand } = await import('./commands/model.js');
      await modelInspectCommand({ ...options, file }, io);
    });
  model
    .command('check')
    .description('Run a model on bars through the engine and report its decisions per action')
    .argument('<file>', 'the .onnx model file')
    .option(
      '--data <file>',
      'CSV or Parquet file of bars (default: the stored bars of the symbol and timeframe in its name)',
    )
    .option('--symbol <symbol>', 'symbol of stored bars (default: from the model file name)')
    .addOption(
      new Option('--timeframe <timeframe>', `timeframe of stored bars: ${TIMEFRAME_FORMS}`).argParser(parseTimeframe),
    )
    .option('--db <path>', DB_HELP)
    .option('--json', 'print one JSON object instead of text', false)
    .action(async (file: string, options) => {
      const { modelCheckCommand } = await import('./commands/model.js');
      await modelCheckCommand({ ...options, file }, io);
    });
  model
    .command('evaluate')
    .description("Run a model on observation rows and print its outputs as JSON (the exporter's check)")
    .argument('<file>', 'the .onnx model file')
    .requiredOption('--observations <file>', 'JSON file {"rows": [[...], ...]}, each row as wide as the observation')
    .action(async (file: string, options) => {
      const { modelEvaluateCommand } = await import('./commands/model.js');
      await modelEvaluateCommand({ ...options, file }, io);
    });
  model
    .command('features')
    .description('List the observation features a model can declare in backtest.features')
    .action(async () => {
      const { modelFeaturesCommand } = await import('./commands/model.js');
      await modelFeaturesCommand(io);
    });

  return program;
}

/**
 * Runs the CLI with `argv` (without the node and script entries) and returns the exit code.
 * Known errors print one line; anything else is a bug and prints its stack.
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const program = createProgram(io);
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help text).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof AppError) {
      io.err(`error: ${error.message}\n`);
      if (verbose && error.stack !== undefined) io.err(`${error.stack}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.err(`internal error (a bug in backtest; please report it with this output):\n${detail}\n`);
    return 70;
  }
}

/**
 * A reader that stops early (`backtest list | head`) closes the pipe; that is not an error, so
 * the process ends quietly instead of printing an EPIPE stack.
 */
export function exitQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

// Run when executed directly (`tsx src/cli/main.ts ...`), not when imported by tests or the bin shim.
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  exitQuietlyOnClosedPipe();
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
