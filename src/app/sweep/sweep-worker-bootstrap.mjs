// Worker threads do not inherit the tsx loader the CLI registered, so each sweep worker starts
// here, registers tsx, and only then loads the TypeScript worker module. Both loaders, as
// loadStrategyModule registers: a user's .ts strategy outside an ESM package loads as CommonJS.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
registerCjs();
await import('./sweep-worker.ts');
