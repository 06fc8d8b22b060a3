/**
 * Writes the example ONNX policies into models/rl_symbols/ (run: `npx tsx scripts/make-example-models.ts`).
 * The files are deterministic, so re-running it leaves committed models unchanged.
 */
import { fileURLToPath } from 'node:url';
import { writeExampleModels } from '../src/strategies/onnx/index.js';

const dir = fileURLToPath(new URL('../models/rl_symbols/', import.meta.url));
for (const path of await writeExampleModels(dir)) console.log(`wrote ${path}`);
