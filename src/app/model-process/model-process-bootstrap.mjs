// A child process started with plain `node` has no TypeScript loader, so when run --all runs
// from the TypeScript sources (tests, `npm run backtest`) its model process starts here,
// registers tsx, and only then loads the TypeScript module. The compiled CLI (dist/) starts
// the compiled model-process-child.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./model-process-child.ts');
