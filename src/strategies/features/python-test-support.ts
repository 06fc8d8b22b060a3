/**
 * How tests find Python: `$BACKTEST_PYTHON`, else `python3`. A suite that needs Python (and
 * maybe PyTorch) runs when the interpreter has the modules; otherwise it is skipped with one
 * line saying why, except under `CI=true`, where a missing module fails the run. Not part of
 * the public API.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

/**
 * The interpreter tests run: `$BACKTEST_PYTHON`, else `python3`.
 *
 * @example
 * spawnSync(pythonInterpreter(), ['-c', 'print(1)']);
 */
export function pythonInterpreter(): string {
  const configured = process.env.BACKTEST_PYTHON;
  return configured !== undefined && configured.trim() !== '' ? configured : 'python3';
}

/** Why the interpreter cannot import `modules`, or `undefined` when it can. */
function missing(modules: readonly string[]): string | undefined {
  const python = pythonInterpreter();
  const probe = spawnSync(python, ['-c', `import ${['sys', ...modules].join(', ')}`], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${python} not found (set BACKTEST_PYTHON)`;
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').at(-1) ?? '';
    return `${python} cannot import ${modules.join(', ')} (${last}; set BACKTEST_PYTHON, or apt-get install python3-torch python3-onnx)`;
  }
  return undefined;
}

/**
 * A `describe` that needs Python with `modules`: skipped with one line when they are missing,
 * failing instead under `CI=true`.
 *
 * @example
 * describeWithPython('the exporter', ['torch', 'onnx'], () => { it('exports', () => { ... }); });
 */
export function describeWithPython(name: string, modules: readonly string[], body: () => void): void {
  const why = missing(modules);
  if (why === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it(`needs Python with ${modules.join(', ') || 'no extra module'} under CI=true`, () => {
        throw new Error(`${name}: ${why}`);
      });
    });
    return;
  }
  console.warn(`skipped "${name}": ${why}`);
  describe.skip(name, body);
}
