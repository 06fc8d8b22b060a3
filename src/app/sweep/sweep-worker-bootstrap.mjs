// Worker threads do not inherit the tsx loader the CLI registered, so each sweep worker starts
// here, registers tsx, and only then loads the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
