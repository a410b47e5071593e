// Type-checks every TypeScript snippet in the docs, the README and the `@example` JSDoc of
// every public export against the BUILT package (run `npm run build` first), the way Kysely
// checks its JSDoc examples: a snippet that no longer compiles fails CI, and so does a
// public export without an example (scripts/jsdoc-examples.mjs finds both).
//
// Each snippet becomes one ES module of its own (top-level await works, names do not
// collide across snippets), with the public names it uses imported as a reader would.
// Names a snippet uses without declaring (`db`, `DB`, `orders`, ...) come from the shared
// prelude, scripts/doc-snippets/prelude.ts. A fence written ```ts nocheck is skipped.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

import { fences, jsdocExamples } from './jsdoc-examples.mjs';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.doc-snippets');

function walk(dir, ext) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, ext);
    return path.endsWith(ext) ? [path] : [];
  });
}

/** Every name the explicit barrels export (values and types), to import where a snippet uses them. */
function barrelNames(file) {
  const text = readFileSync(file, 'utf8');
  const names = new Set();
  for (const match of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s+from/g)) {
    for (const part of match[1].split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.replace(/^type\s+/, '')
        .trim();
      if (name) names.add(name);
    }
  }
  return [...names];
}

// Kysely's names first: its ColumnType is the one a table interface means.
const autoImports = [
  ['kysely', ['sql', 'Generated', 'ColumnType', 'Insertable', 'Selectable', 'Updateable', 'Kysely']],
  ['@org/data-layer', barrelNames(join(root, 'src', 'index.ts'))],
  ['@org/data-layer/testing', barrelNames(join(root, 'src', 'testing', 'index.ts'))],
  ['vitest', ['describe', 'it', 'test', 'expect', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'vi', 'inject']],
];

function toModule(code) {
  const imports = [];
  const body = [];
  let inImport = false;
  for (const line of code.split('\n')) {
    if (inImport || /^import\s/.test(line)) {
      imports.push(line);
      inImport = !/;\s*$/.test(line) && !/from\s+['"][^'"]+['"]\s*;?\s*$/.test(line);
    } else body.push(line);
  }
  // Import the public names a snippet uses but does not import itself, the way a reader
  // would after copying it (the snippet's own imports win).
  const own = imports.join('\n');
  const text = body.join('\n');
  const taken = new Set();
  for (const [from, names] of autoImports) {
    const declared = (name) =>
      new RegExp(`\\b(interface|type|class|const|let|var|function|enum)\\s+${name}\\b`).test(text);
    const wanted = names.filter(
      (name) =>
        !taken.has(name) &&
        !declared(name) &&
        !new RegExp(`\\b${name}\\b`).test(own) &&
        new RegExp(`\\b${name}\\b`).test(text),
    );
    wanted.forEach((name) => taken.add(name));
    if (wanted.length > 0) imports.push(`import { ${wanted.join(', ')} } from '${from}';`);
  }
  return [...imports, "import './prelude.js';", ...body, 'export {};', ''].join('\n');
}

const sources = [join(root, 'README.md'), ...walk(join(root, 'docs'), '.md')];
const jsdoc = jsdocExamples(
  {
    '@org/data-layer': join(root, 'src', 'index.ts'),
    '@org/data-layer/testing': join(root, 'src', 'testing', 'index.ts'),
  },
  root,
);
const snippets = [
  ...sources.flatMap((file) => fences(readFileSync(file, 'utf8')).map((each) => ({ ...each, file }))),
  ...jsdoc.snippets,
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
for (const file of readdirSync(join(root, 'scripts', 'doc-snippets'))) {
  writeFileSync(join(out, file), readFileSync(join(root, 'scripts', 'doc-snippets', file), 'utf8'));
}
const origins = new Map();
snippets.forEach((snippet, index) => {
  const name = `snippet-${String(index).padStart(3, '0')}.ts`;
  origins.set(name, `${relative(root, snippet.file)}:${snippet.line}`);
  writeFileSync(join(out, name), toModule(snippet.code));
});
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      skipLibCheck: true,
      allowUnreachableCode: true,
      noUnusedLocals: false,
    },
    include: ['*.ts'],
  }),
);
// A consumer with the strictest optional-property setting: option types must take an
// explicit undefined there (`connectionString: process.env.DATABASE_URL`). Only the
// fixture that exercises every option type, since the guides are written for plain strict.
writeFileSync(
  join(out, 'tsconfig.exact.json'),
  JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { exactOptionalPropertyTypes: true },
    include: ['exact-optional.ts', 'prelude.ts', 'express.d.ts'],
  }),
);
// No package.json of its own: the folder sits inside the package, which resolves itself by
// name through its "exports" (a self-reference), so snippets import '@org/data-layer'
// exactly as users do and see the built declarations.
let failed = false;
for (const project of ['tsconfig.json', 'tsconfig.exact.json']) {
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(out, project), '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    failed = true;
    const report = String(error.stdout ?? '') + String(error.stderr ?? '');
    for (const line of report.split('\n').filter(Boolean)) {
      const match = /(snippet-\d+\.ts)\((\d+),\d+\): (.*)/.exec(line);
      console.error(
        match
          ? `${origins.get(match[1])} (.doc-snippets/${match[1]}:${match[2]}): ${match[3]}`
          : `${project === 'tsconfig.exact.json' ? '[exactOptionalPropertyTypes] ' : ''}${line}`,
      );
    }
  }
}
console.log(
  `${snippets.length} snippets from ${new Set(snippets.map((each) => each.file)).size} files: ${failed ? 'some do not compile' : 'all compile'}`,
);
// Every public export documents itself with a compiled example, so an editor's hover
// shows how to use it and the example cannot go stale.
if (jsdoc.missing.length > 0) {
  console.error(
    `${jsdoc.missing.length} public exports have no JSDoc @example with a \`\`\`ts block:\n${jsdoc.missing.map((each) => `  ${each}`).join('\n')}`,
  );
}
if (!failed) rmSync(out, { recursive: true, force: true });
process.exit(failed || jsdoc.missing.length > 0 ? 1 : 0);
