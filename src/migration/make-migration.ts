import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ConfigError } from '../errors/application-errors.js';

const TEMPLATES = {
  ts: `import type { MigrationDb } from '@org/data-layer';

export async function up(db: MigrationDb): Promise<void> {
  // await db.schema.createTable('example').addColumn('id', 'serial', (col) => col.primaryKey()).execute();
}

export async function down(db: MigrationDb): Promise<void> {
  // await db.schema.dropTable('example').execute();
}
`,
  js: `/** @param {import('@org/data-layer').MigrationDb} db */
export async function up(db) {
  // await db.schema.createTable('example').addColumn('id', 'serial', (col) => col.primaryKey()).execute();
}

/** @param {import('@org/data-layer').MigrationDb} db */
export async function down(db) {
  // await db.schema.dropTable('example').execute();
}
`,
};

/**
 * Writes `<folder>/<UTC yyyymmddhhmmss>_<name>.<ext>` with an empty `up` and `down`;
 * returns its path. The timestamp keeps name order equal to creation order.
 *
 * ```ts
 * await makeMigration({ folder: 'migrations', name: 'add_users' }) // migrations/20261202135500_add_users.ts
 * ```
 */
export async function makeMigration(options: {
  folder: string;
  name: string;
  extension?: 'ts' | 'js' | 'mjs';
  now?: Date;
}): Promise<string> {
  if (!/^[a-z0-9][a-z0-9_-]{0,100}$/i.test(options.name))
    throw new ConfigError('Invalid migration name: use letters, digits, _ and -', { option: 'name' });
  const extension = options.extension ?? 'ts';
  if (!['ts', 'js', 'mjs'].includes(extension))
    throw new ConfigError('Invalid extension: expected ts, js or mjs', { option: 'extension' });
  const stamp = (options.now ?? new Date()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  await mkdir(options.folder, { recursive: true });
  const path = join(options.folder, `${stamp}_${options.name}.${extension}`);
  await writeFile(path, extension === 'ts' ? TEMPLATES.ts : TEMPLATES.js, { flag: 'wx' });
  return path;
}
