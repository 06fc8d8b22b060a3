// Worker threads do not inherit the tsx loader the CLI registered, so each walk-forward worker
// starts here, registers tsx, and only then loads the TypeScript worker module (as sweeps do).
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
registerCjs();
await import('./walk-forward-worker.ts');
