import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: true,
  splitting: false,
  // p-retry (and its helper) are ESM-only: bundled, so require() of the CJS build works.
  noExternal: ['p-retry', 'is-network-error'],
});
