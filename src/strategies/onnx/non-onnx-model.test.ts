import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StrategyError } from '../../core/errors.js';
import { assertNotExportableModel, describeExportableModel, exportCommand } from './non-onnx-model.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('a .pt or .zip given as a model', () => {
  it('is refused in one line that names the exporter and the command to run', () => {
    for (const file of ['models/GOOG_1Day.pt', 'models/GOOG_1Day.pth', 'models/GOOG_1Day.zip']) {
      const refuse = () => assertNotExportableModel(file);
      expect(refuse).toThrow(StrategyError);
      try {
        refuse();
      } catch (error) {
        const message = (error as Error).message;
        expect(message.split('\n')).toHaveLength(1);
        expect(message).toContain('scripts/export_policy.py');
        expect(message).toContain(`--out models/GOOG_1Day.onnx`);
        expect(message).toMatch(/export it to ONNX .*src\/strategies\/onnx\/MODEL-CONTRACT\.md/);
      }
    }
    expect(() => assertNotExportableModel('models/GOOG_1Day.onnx')).not.toThrow();
    expect(describeExportableModel('x.ZIP')).toMatch(/stable-baselines3/);
  });

  it('shows the exporter relative to the working folder, or absolute from outside the project', () => {
    expect(exportCommand('ckpt/EURUSD_1Hour.zip', ROOT)).toBe(
      'python3 scripts/export_policy.py ckpt/EURUSD_1Hour.zip --out ckpt/EURUSD_1Hour.onnx',
    );
    expect(exportCommand('/data/policy final.pt', '/elsewhere')).toBe(
      `python3 ${join(ROOT, 'scripts/export_policy.py')} '/data/policy final.pt' --out /data/SYMBOL_TIMEFRAME.onnx`,
    );
  });
});
