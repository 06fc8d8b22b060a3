import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { describeRunStoreContract } from '../run-store.contract.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { makeTempDir } from './test-support.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = makeTempDir());
});
afterEach(() => cleanup());

// Real files in a fresh folder per test, as users' databases are.
describeRunStoreContract('SqliteRunStore', {
  open: async () => SqliteRunStore.open(join(dir, 'runs.db')),
  openReadonly: async () => SqliteRunStore.open(join(dir, 'runs.db'), { readonly: true }),
  openSecond: async () => SqliteRunStore.open(join(dir, 'second.db')),
});
