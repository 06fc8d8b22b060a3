/**
 * The dependency direction: core ← {data, strategies, engine, metrics, store} ← app ← {cli, web}.
 * Checked by reading every import in src/, so a wrong import fails here rather than in review.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');

const ALLOWED: Record<string, readonly string[]> = {
  core: ['core'],
  data: ['core', 'data'],
  strategies: ['core', 'strategies'],
  engine: ['core', 'engine'],
  metrics: ['core', 'metrics'],
  store: ['core', 'store'],
  app: ['core', 'data', 'strategies', 'engine', 'metrics', 'store', 'app'],
  // The `ui` and `report` commands start the dashboard and render reports.
  cli: ['core', 'data', 'strategies', 'app', 'cli', 'store', 'web'],
  web: ['core', 'app', 'web', 'store'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('test-support'))
    .map((f) => join(dir, f));
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1] as string);
  return specifiers.map((s) => relative(SRC, resolve(dirname(file), s)));
}

describe('module boundaries', () => {
  it('every folder imports only what it may', () => {
    const violations: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const folder = relative(SRC, file).split('/')[0] as string;
      const allowed = ALLOWED[folder];
      if (allowed === undefined) continue; // src/index.ts is the public surface and may import anything
      for (const target of relativeImports(file)) {
        const targetFolder = target.split('/')[0] as string;
        if (!allowed.includes(targetFolder)) violations.push(`${relative(ROOT, file)} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('running a backtest does not load the database driver or the ONNX runtime', () => {
    const script = `
      const { runBacktest } = await import('./src/app/run-backtest.ts');
      const { loadBarsCsv } = await import('./src/data/index.ts');
      const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: '1Day' });
      await runBacktest({ bars, strategy: 'sma-cross' });
      const { createRequire } = await import('node:module');
      const heavy = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => /better-sqlite3|onnxruntime/.test(p)).length > 0;
      const before = heavy();
      // Control: saving does load the driver, so the check above can see it.
      const { mkdtempSync } = await import('node:fs');
      const dir = mkdtempSync((await import('node:os')).tmpdir() + '/arch-');
      const result = await runBacktest({ bars, strategy: 'buy-and-hold' });
      await result.saveToDb({ db: dir + '/x.db' });
      console.log(JSON.stringify({ before, after: heavy() }));
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ before: false, after: true });
  });
});

/** Files `entry` reaches through static imports (dynamic `import()` loads on use, so it is left out). */
function staticImportGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const specifier = match[1] as string;
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      // Type-only imports vanish at run time.
      if (/^(?:import|export)\s+type\s/.test(match[0])) continue;
      visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('what loads the database driver', () => {
  it('a sweep worker never does: it reaches no store implementation and no driver', () => {
    const { files, packages } = staticImportGraph(join(SRC, 'app/sweep/sweep-worker.ts'));
    expect(files.size).toBeGreaterThan(10);
    expect([...files].filter((f) => f.includes('/store/sqlite/'))).toEqual([]);
    expect([...packages].filter((p) => /better-sqlite3|^pg$|postgres/.test(p))).toEqual([]);
    // Control: the SQLite store does reach the driver, so the check above can see one.
    expect(staticImportGraph(join(SRC, 'store/sqlite/index.ts')).packages.has('better-sqlite3')).toBe(true);
  });
});

describe('the published package', () => {
  it('imports by name from the compiled build, as users will, and runs a backtest', () => {
    const script = `
      const { loadBarsCsv, runBacktest, TradingDatabase, METRIC_CATALOG } = await import('backtest-ledger');
      const bars = loadBarsCsv('data/bars/GOOG.csv', { symbol: 'GOOG', timeframe: '1Day' });
      const result = await runBacktest({ bars, strategy: 'buy-and-hold' });
      console.log(JSON.stringify({ trades: result.trades.length, metrics: METRIC_CATALOG.length, db: typeof TradingDatabase.open }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ trades: 1, metrics: 23, db: 'function' });
  });
});
