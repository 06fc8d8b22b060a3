/**
 * The library's public surface (src/index.ts): every name it exports is documented with TSDoc,
 * and internal helpers stay out of it. Read from the sources, so a new export without a doc
 * comment fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INDEX = join(ROOT, 'src/index.ts');

/** `export { a, type B, c as d } from './x.js'`, `export type { E } from` and `export * from` clauses of a file. */
function reExports(file: string): { names: { local: string; exported: string }[] | 'all'; from: string }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/export\s+(?:type\s+)?(\*|\{[^}]*\})\s*from\s*'([^']+)'/g)].map((match) => ({
    names:
      match[1] === '*'
        ? 'all'
        : match[1]!
            .slice(1, -1)
            .split(',')
            .map((part) => part.trim().replace(/^type\s+/, ''))
            .filter((part) => part !== '')
            .map((part) => {
              const [local, exported] = part.split(/\s+as\s+/);
              return { local: local!, exported: exported ?? local! };
            }),
    from: resolve(dirname(file), match[2]!.replace(/\.js$/, '.ts')),
  }));
}

/** Where `name` is declared, following re-exports, and whether a `/** ... *\/` comment sits right above it. */
function findDeclaration(
  file: string,
  name: string,
  seen = new Set<string>(),
): { at: string; documented: boolean } | undefined {
  if (seen.has(file) || !existsSync(file)) return undefined;
  seen.add(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const declaration = new RegExp(
    `^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function|class|interface|type|const|let|enum)\\s+${name}\\b`,
  );
  let found: { at: string; documented: boolean } | undefined;
  for (const [index, line] of lines.entries()) {
    if (!declaration.test(line)) continue;
    let above = index - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const documented = above >= 0 && lines[above]!.trim().endsWith('*/');
    // A const and a type of the same name (`Timeframe`) share the const's comment.
    if (found === undefined || documented) found = { at: `${file}:${index + 1}`, documented };
  }
  if (found !== undefined) return found;
  for (const clause of reExports(file)) {
    const match = clause.names === 'all' ? { local: name } : clause.names.find((n) => n.exported === name);
    if (match === undefined) continue;
    const inner = findDeclaration(clause.from, match.local, seen);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

const publicNames = reExports(INDEX).flatMap((clause) =>
  clause.names === 'all' ? [] : clause.names.map((n) => ({ name: n.exported, from: clause.from, local: n.local })),
);

describe('the public entry point', () => {
  it('lists its exports by name, so helpers added to a module do not leak out', () => {
    expect(reExports(INDEX).filter((clause) => clause.names === 'all')).toEqual([]);
  });

  it('documents every export with TSDoc', () => {
    const problems = publicNames.flatMap(({ name, from, local }) => {
      const found = findDeclaration(from, local);
      if (found === undefined) return [`${name}: declaration not found from ${from}`];
      return found.documented ? [] : [`${name}: no TSDoc comment at ${found.at}`];
    });
    expect(problems).toEqual([]);
  });

  it('exports runSweep and runBacktest, and none of the internal helpers', () => {
    const names = publicNames.map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['runBacktest', 'runSweep', 'RunSweepOptions', 'SweepSummary']));
    for (const helper of [
      'runPrepared',
      'runEngine',
      'toJsonText',
      'parseParamFlags',
      'resolveParams',
      'findModelFiles',
      'formatDataIssue',
      'resolveConfig',
      'sliceBars',
    ]) {
      expect(names, helper).not.toContain(helper);
    }
  });

  it('keeps every name the README and the examples import from backtest-ledger', () => {
    const texts = [
      readFileSync(join(ROOT, 'README.md'), 'utf8'),
      readFileSync(join(ROOT, 'examples/strategies/breakout.ts'), 'utf8'),
      readFileSync(join(ROOT, 'test/architecture.test.ts'), 'utf8'),
    ];
    const imported = texts.flatMap((text) =>
      [
        ...text.matchAll(
          /import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'backtest-ledger'|const\s+\{([^}]*)\}\s*=\s*await import\('backtest-ledger'\)/g,
        ),
      ]
        .flatMap((match) => (match[1] ?? match[2])!.split(','))
        .map((part) => part.trim().replace(/^type\s+/, ''))
        .filter((part) => part !== ''),
    );
    expect(imported.length).toBeGreaterThan(3);
    const names = publicNames.map((n) => n.name);
    expect(imported.filter((name) => !names.includes(name))).toEqual([]);
  });
});
