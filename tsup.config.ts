import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts', 'cli/index': 'src/cli/index.ts' },
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: true,
  // Both entry points must share ONE copy of the error classes (instanceof across
  // '@org/data-layer' and '@org/data-layer/testing'), so shared code goes to chunks.
  splitting: true,
  // p-retry (and its helper) are ESM-only: bundled, so require() of the CJS build works.
  noExternal: ['p-retry', 'is-network-error'],
  // import.meta.url in the CJS build (src/embedded/server-user-access.ts resolves from it).
  shims: true,
});
