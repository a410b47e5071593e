import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The public API report: docs/api.md lists every export of each entry point. Adding or
// removing an export without updating that list fails here, so the surface users code
// against only changes on purpose.
const root = join(import.meta.dirname, '..', '..');
const entryPoints = { '@org/data-layer': 'src/index.ts', '@org/data-layer/testing': 'src/testing/index.ts' } as const;

function exportedNames(entry: string): string[] {
  const file = join(root, entry);
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`cannot read the exports of ${entry}`);
  return checker
    .getExportsOfModule(symbol)
    .map((each) => each.getName())
    .sort();
}

/** Names in backticks at the start of each bullet under `## \`entry\``, up to the next heading. */
function documentedNames(entry: string): string[] {
  const text = readFileSync(join(root, 'docs', 'api.md'), 'utf8');
  const start = text.indexOf(`## \`${entry}\`\n`);
  if (start === -1) throw new Error(`docs/api.md has no "## \`${entry}\`" section`);
  const rest = text.slice(start).split('\n').slice(1);
  const end = rest.findIndex((line) => line.startsWith('## '));
  const section = end === -1 ? rest : rest.slice(0, end);
  return section.flatMap((line) => /^- `([A-Za-z_$][\w$]*)`/.exec(line)?.[1] ?? []).sort();
}

describe('public API report (docs/api.md)', () => {
  for (const [entry, file] of Object.entries(entryPoints)) {
    it(`lists exactly the exports of ${entry}`, () => {
      const exported = exportedNames(file);
      const documented = documentedNames(entry);
      const undocumented = exported.filter((name) => !documented.includes(name));
      const removed = documented.filter((name) => !exported.includes(name));
      expect({ undocumented, removed }, 'update docs/api.md when the public API changes').toEqual({
        undocumented: [],
        removed: [],
      });
    }, 30_000);
  }
});
