#!/usr/bin/env node
// The installed `backtest` command: registers tsx so the TypeScript sources run as they are,
// then hands over to the CLI. All logic lives in src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main, exitQuietlyOnClosedPipe } = await import('../src/cli/main.ts');
exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
