import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

// check:docs (scripts/check-doc-snippets.mjs) compiles every @example of a public export
// and fails when an export has none; scripts/jsdoc-examples.mjs finds both. Run here on a
// fixture barrel, in a child process because the scripts are plain ESM without types.
const root = join(import.meta.dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'jsdoc-examples');

interface Found {
  snippets: { file: string; line: number; code: string }[];
  missing: string[];
}

function examplesOf(barrel: string): Found {
  const script = `
    const { jsdocExamples } = await import(${JSON.stringify(join(root, 'scripts', 'jsdoc-examples.mjs'))});
    console.log(JSON.stringify(jsdocExamples({ fixture: ${JSON.stringify(barrel)} }, ${JSON.stringify(root)})));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as Found;
}

describe('JSDoc examples of public exports (check:docs)', () => {
  const found = examplesOf(join(fixture, 'index.ts'));

  it('lists every public export without a checked @example, and no internal one', () => {
    expect(found.missing).toEqual([
      'fixture: ProseOnly (test/fixtures/jsdoc-examples/exports.ts)',
      'fixture: Undocumented (test/fixtures/jsdoc-examples/exports.ts)',
      'fixture: unchecked (test/fixtures/jsdoc-examples/exports.ts)',
    ]);
  }, 30_000);

  it('extracts the example once, with the line of its fence, for the compile step', () => {
    expect(found.snippets).toEqual([
      { file: join(fixture, 'exports.ts'), line: 5, code: 'const two = documented(1)\n' },
    ]);
  });

  it('reports nothing missing for the real barrels', () => {
    const real = JSON.parse(
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { jsdocExamples } = await import(${JSON.stringify(join(root, 'scripts', 'jsdoc-examples.mjs'))});
           const found = jsdocExamples({ main: ${JSON.stringify(join(root, 'src', 'index.ts'))}, testing: ${JSON.stringify(join(root, 'src', 'testing', 'index.ts'))} }, ${JSON.stringify(root)});
           console.log(JSON.stringify({ missing: found.missing, count: found.snippets.length }));`,
        ],
        { encoding: 'utf8' },
      ),
    ) as { missing: string[]; count: number };
    expect(real.missing).toEqual([]);
    expect(real.count).toBeGreaterThanOrEqual(190);
  }, 60_000);
});
