// Writes docs/api.md: every export of each entry point, its kind and the first sentence
// of its JSDoc. test/unit/public-api-report.test.ts fails when the exports and this list
// disagree, so adding or removing an export is always a deliberate, reviewed change:
// run `npm run api:report` and commit the diff.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const entryPoints = { '@org/data-layer': 'src/index.ts', '@org/data-layer/testing': 'src/testing/index.ts' };

function kindOf(symbol, checker) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const flags = target.flags;
  if (flags & ts.SymbolFlags.Class) return 'class';
  if (flags & ts.SymbolFlags.Function) return 'function';
  if (flags & ts.SymbolFlags.Enum) return 'enum';
  if (flags & ts.SymbolFlags.Variable) return 'const';
  if (flags & ts.SymbolFlags.Interface) return 'interface';
  return 'type';
}

function summary(symbol, checker) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const text = ts.displayPartsToString(target.getDocumentationComment(checker)).replace(/\s+/g, ' ').trim();
  const prose = text.replace(/```[\s\S]*$/, '').trim();
  const sentence = /^(.*?\.)(\s|$)/.exec(prose)?.[1] ?? prose;
  return sentence.length > 200 ? `${sentence.slice(0, 197).trimEnd()}...` : sentence.replace(/:$/, '.');
}

const sections = [];
for (const [entry, file] of Object.entries(entryPoints)) {
  const path = join(root, file);
  const program = ts.createProgram([path], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(path));
  const rows = checker
    .getExportsOfModule(moduleSymbol)
    .map((symbol) => ({ name: symbol.getName(), kind: kindOf(symbol, checker), text: summary(symbol, checker) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  sections.push(
    `## \`${entry}\`\n\n${rows.map((row) => `- \`${row.name}\` (${row.kind})${row.text ? `: ${row.text}` : ''}`).join('\n')}\n`,
  );
}
writeFileSync(
  join(root, 'docs', 'api.md'),
  `# Public API\n\nEvery export of the package, by entry point, generated from the source by\n\`npm run api:report\`. A test fails when an export is added or removed without updating\nthis list. The guides in this folder show how the pieces fit together.\n\n${sections.join('\n')}`,
);
console.log('wrote docs/api.md');
