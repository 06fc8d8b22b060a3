import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type ModelFilter, modelFilterFromText } from '../store/index.js';

/**
 * How `--model TEXT` finds runs: by the path as typed and as resolved against `cwd` (so
 * `models/x.onnx` and `/abs/models/x.onnx` are one model), by file name when `TEXT` is a bare
 * name, by SHA-256 prefix when it looks like one, and, when `TEXT` names an existing file, by
 * that file's SHA-256 (the same bytes under another path are the same model).
 *
 * @example
 * modelFilterFor('models/GOOG_1Day.onnx', '/home/me/project');
 */
export function modelFilterFor(text: string, cwd: string): ModelFilter {
  const typed = modelFilterFromText(text);
  const absolute = resolve(cwd, text);
  const paths = [...new Set([text, absolute])];
  let fileSha256: string | undefined;
  try {
    if (statSync(absolute).isFile()) fileSha256 = createHash('sha256').update(readFileSync(absolute)).digest('hex');
  } catch {
    // Not a file here: the run may have used a model that has since moved; match by name and path only.
  }
  return {
    paths,
    ...(typed.fileName === undefined ? {} : { fileName: basename(typed.fileName) }),
    ...(fileSha256 !== undefined
      ? { sha256Prefix: fileSha256 }
      : typed.sha256Prefix === undefined
        ? {}
        : { sha256Prefix: typed.sha256Prefix }),
  };
}
