import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ConfigError } from '../errors/application-errors.js';
import { MigrationError } from '../errors/migration-errors.js';
import { migrationChecksum } from './checksum.js';
import type { LoadedMigration, MigrationModule } from './migration-types.js';

const LOADABLE = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** Where migrations come from: a folder of files, or an object keyed by name (for bundlers). */
export type MigrationSource = { folder: string } | { migrations: Readonly<Record<string, MigrationModule>> };

/**
 * Loads every migration, sorted by name, with the checksum of its normalized source
 * (the file's text; for the `migrations` object, the text of its functions).
 */
export async function loadMigrations(source: MigrationSource): Promise<LoadedMigration[]> {
  const loaded = 'folder' in source ? await loadFolder(source.folder) : loadObject(source.migrations);
  return loaded.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function loadObject(migrations: Readonly<Record<string, MigrationModule>>): LoadedMigration[] {
  return Object.entries(migrations).map(([name, module]) => {
    assertModule(name, module);
    const text =
      [module.up, module.down, module.validate].map((fn) => (fn ? fn.toString() : '')).join('\n') +
      JSON.stringify(module.config ?? {});
    return { name, module, checksum: migrationChecksum(text), transactional: module.config?.transaction !== false };
  });
}

async function loadFolder(folder: string): Promise<LoadedMigration[]> {
  const directory = resolve(folder);
  let files: string[];
  try {
    files = await readdir(directory);
  } catch (cause) {
    throw new ConfigError(`Migrations folder ${folder} cannot be read`, { option: 'folder', cause });
  }
  const seen = new Map<string, string>();
  const loaded: LoadedMigration[] = [];
  for (const file of files.sort()) {
    const extension = extname(file);
    if (!LOADABLE.includes(extension) || /\.d\.[mc]?ts$/.test(file)) continue;
    const name = file.slice(0, -extension.length);
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new MigrationError(
        `Migration ${name} exists twice (${previous} and ${file}): keep one file per migration`,
        { reason: 'load', migration: name },
      );
    }
    seen.set(name, file);
    const path = join(directory, file);
    const module = await importMigration(name, path, TYPESCRIPT.has(extension));
    const text = await readFile(path, 'utf8');
    loaded.push({
      name,
      module,
      checksum: migrationChecksum(text),
      transactional: module.config?.transaction !== false,
    });
  }
  return loaded;
}

async function importMigration(name: string, path: string, typescript: boolean): Promise<MigrationModule> {
  let imported: unknown;
  try {
    imported = await import(pathToFileURL(path).href);
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (typescript && (code === 'ERR_UNKNOWN_FILE_EXTENSION' || cause instanceof SyntaxError)) {
      throw new MigrationError(
        `Migration ${name} is TypeScript and this process cannot load .ts files: run it under tsx (\`tsx\` or \`node --import tsx\`) or compile the migrations to .js`,
        { reason: 'load', migration: name, cause },
      );
    }
    throw new MigrationError(
      `Migration ${name} could not be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
      { reason: 'load', migration: name, cause },
    );
  }
  const candidate = isModule((imported as { default?: unknown }).default)
    ? (imported as { default: unknown }).default
    : imported;
  assertModule(name, candidate);
  return candidate;
}

function isModule(value: unknown): value is MigrationModule {
  return typeof value === 'object' && value !== null && typeof (value as { up?: unknown }).up === 'function';
}

function assertModule(name: string, value: unknown): asserts value is MigrationModule {
  if (!isModule(value))
    throw new MigrationError(`Migration ${name} does not export an up(db) function`, {
      reason: 'load',
      migration: name,
    });
  const { down, validate } = value as { down?: unknown; validate?: unknown };
  if (down !== undefined && typeof down !== 'function')
    throw new MigrationError(`Migration ${name} exports a down that is not a function`, {
      reason: 'load',
      migration: name,
    });
  if (validate !== undefined && typeof validate !== 'function')
    throw new MigrationError(`Migration ${name} exports a validate that is not a function`, {
      reason: 'load',
      migration: name,
    });
}
