import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures/migrations');

export interface MigrationFolder {
  readonly dir: string;
  /** Writes (or overwrites) one migration file. */
  write(file: string, source: string): void;
  remove(file: string): void;
  dispose(): void;
}

/** A temporary copy of a fixture folder (or an empty one), so tests can edit and delete files. */
export function migrationFolder(fixture?: string): MigrationFolder {
  const dir = mkdtempSync(join(tmpdir(), 'dl-migrations-'));
  if (fixture !== undefined) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return {
    dir,
    write: (file, source) => writeFileSync(join(dir, file), source),
    remove: (file) => rmSync(join(dir, file)),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A plain-JS migration (loads in any Node process) creating and dropping one table. */
export function tableMigration(table: string, extra = ''): string {
  return [
    `export async function up(db) { await db.schema.createTable('${table}').addColumn('id', 'serial', (c) => c.primaryKey()).execute(); ${extra} }`,
    `export async function down(db) { await db.schema.dropTable('${table}').execute() }`,
    '',
  ].join('\n');
}
