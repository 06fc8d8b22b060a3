import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeExampleModels } from './example-models.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-lazy-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Runs in a fresh Node process: vitest's own process may have loaded onnxruntime already.
// onnxruntime-node is CommonJS, so once loaded it shows up in require.cache; the second
// reading (after a model is loaded) proves the probe can see it.
const probe = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).some((path) => path.includes('onnxruntime-node'));
const onnx = await import('./src/strategies/onnx/index.ts');
onnx.parseModelFileName('GOOG_1Day.onnx');
onnx.writeOnnxModel(onnx.EXAMPLE_MODEL_SPECS['GOOG_1Day.onnx']);
onnx.onnxStrategy.create({ model: process.argv[1] });
const afterImport = loaded();
const policy = await onnx.loadOnnxPolicy(process.argv[1]);
await policy.release();
console.log(JSON.stringify({ afterImport, afterLoad: loaded() }));
`;

it('importing the adapter does not load onnxruntime-node; loading a model does', async () => {
  const [model] = await writeExampleModels(dir);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', probe, model!],
    { cwd: repoRoot },
  );
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ afterImport: false, afterLoad: true });
});
