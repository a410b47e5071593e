import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { loadEnvOptions } from '../config/load-env-options.js';
import type { DatabaseOptions } from '../config/options-schema.js';
import { ConfigError } from '../errors/application-errors.js';
import type { MigratorOptions } from '../migration/migrator.js';
import type { Seeder } from '../seeding/define-seeder.js';

/**
 * What `--config <file>` exports (default export or `config`): database options,
 * migrations, seeders and tenant schemas. Every part is optional.
 *
 * ```ts
 * // data-layer.config.mjs
 * export default { database: { connectionString: process.env.DATABASE_URL }, migrations: { folder: 'migrations' }, seeders: [plans, users] }
 * ```
 */
export interface CliConfig {
  database?: DatabaseOptions;
  migrations?: Omit<MigratorOptions, 'onProgress'>;
  seeders?: readonly Seeder<unknown>[];
  /** Tenant schemas for `migrate tenants` and tenant seeders. */
  tenants?: readonly string[] | (() => Promise<readonly string[]>);
}

/** Reads `--config`, or builds the same shape from the environment (`loadEnvOptions`). */
export async function loadCliConfig(
  file: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliConfig> {
  if (file === undefined) return { database: loadEnvOptions(env) };
  let module: { default?: unknown; config?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown; config?: unknown };
  } catch (cause) {
    const hint = /\.[mc]?ts$/.test(file)
      ? ' (a .ts config needs tsx: run `tsx node_modules/.bin/data-layer ...` or compile it)'
      : '';
    throw new ConfigError(
      `Cannot load --config ${file}${hint}: ${cause instanceof Error ? cause.message.split('\n')[0] : 'unknown error'}`,
      { option: 'config', cause },
    );
  }
  const config = module.default ?? module.config;
  if (typeof config !== 'object' || config === null)
    throw new ConfigError(`--config ${file} must export a default object`, { option: 'config' });
  const typed = config as CliConfig;
  return { ...typed, database: typed.database ?? loadEnvOptions(env) };
}
