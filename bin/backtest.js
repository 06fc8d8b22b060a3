#!/usr/bin/env node
// The installed `backtest` command: a shim over the compiled CLI in dist/ (built by
// `npm install` through the `prepare` script, or by `npm run build`). All logic lives in
// src/cli/main.ts; during development `npm run backtest -- ...` runs the sources directly.
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/cli/main.js')) throw error;
  process.stderr.write('error: backtest is not built yet; run `npm run build` (or `npm install`) in its folder\n');
  process.exit(70);
}
cli.exitQuietlyOnClosedPipe();
process.exitCode = await cli.main(process.argv.slice(2));
