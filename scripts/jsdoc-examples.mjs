// The `@example` snippets in the JSDoc of every public export, found through the
// TypeScript checker from the barrels (so re-exports, `export const`, overloads and
// declaration merges resolve to the comment a user's editor shows), and the exports that
// have none. check-doc-snippets.mjs compiles the snippets and fails on the missing list.
import ts from 'typescript';

/** ```ts fences in markdown (or in a JSDoc comment, once its leading " * " is stripped). */
export function fences(text) {
  const found = [];
  const pattern = /^([ \t]*)```(ts|typescript)([^\n]*)\n([\s\S]*?)^\1```/gm;
  for (const match of text.matchAll(pattern)) {
    if (/\bnocheck\b/.test(match[3])) continue;
    const line = text.slice(0, match.index).split('\n').length;
    const indent = match[1].length;
    found.push({
      line,
      code: match[4]
        .split('\n')
        .map((each) => each.slice(indent))
        .join('\n'),
    });
  }
  return found;
}

/** The checked fences under each `@example` tag of one raw `/** ... *\/` comment; lines are 1-based within it. */
export function commentExamples(raw) {
  const body = raw
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n');
  const found = [];
  for (const example of body.matchAll(/^@example\b[^\n]*\n([\s\S]*?)(?=\n@\w|(?![\s\S]))/gm)) {
    const before = body.slice(0, example.index).split('\n').length;
    for (const snippet of fences(example[1])) found.push({ ...snippet, line: snippet.line + before });
  }
  return found;
}

/**
 * For `entryPoints` ({ specifier: absolute path of its barrel }): every checked `@example`
 * snippet on a public export (each comment once, even when two entry points share it), and
 * `missing`, the exports without one, as `specifier: name (file)`.
 */
export function jsdocExamples(entryPoints, root) {
  const program = ts.createProgram(Object.values(entryPoints), {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const snippets = new Map();
  const missing = [];
  for (const [entry, path] of Object.entries(entryPoints)) {
    const barrel = program.getSourceFile(path);
    const moduleSymbol = barrel && checker.getSymbolAtLocation(barrel);
    if (!moduleSymbol) throw new Error(`cannot read the exports of ${path}`);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      let examples = 0;
      const files = new Set();
      for (const declaration of target.declarations ?? []) {
        const source = declaration.getSourceFile();
        if (source.fileName.includes('/node_modules/')) continue;
        const file = root ? source.fileName.slice(root.length + 1) : source.fileName;
        files.add(file);
        for (const doc of ts.getJSDocCommentsAndTags(declaration).filter((node) => ts.isJSDoc(node))) {
          const start = doc.getStart(source);
          const offset = source.getLineAndCharacterOfPosition(start).line;
          for (const snippet of commentExamples(source.text.slice(start, doc.end))) {
            examples += 1;
            const line = offset + snippet.line;
            snippets.set(`${source.fileName}:${line}`, { file: source.fileName, line, code: snippet.code });
          }
        }
      }
      if (examples === 0) missing.push(`${entry}: ${symbol.getName()} (${[...files].join(', ') || 'no source'})`);
    }
  }
  return { snippets: [...snippets.values()], missing: missing.sort() };
}
