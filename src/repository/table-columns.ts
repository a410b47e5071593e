import { sql, type Kysely } from 'kysely';
import { ConfigError } from '../errors/application-errors.js';
import { quoteIdentifier } from './sql-identifier.js';

/**
 * The table's columns, read once from the catalog (through the search_path, like the
 * queries themselves). Runtime checks of `where`, `orderBy` and input keys use them, so
 * an unknown column becomes a ValidationError instead of reaching SQL.
 */
export async function loadTableColumns(kysely: Kysely<unknown>, table: string): Promise<ReadonlySet<string>> {
  const { rows } = await sql<{ name: string }>`
    select attname as name from pg_attribute
    where attrelid = to_regclass(${quoteIdentifier(table)}) and attnum > 0 and not attisdropped
    order by attnum
  `.execute(kysely);
  if (rows.length === 0) {
    throw new ConfigError(`Table "${table}" does not exist (or has no columns) in the current search_path`, { option: 'table' });
  }
  return new Set(rows.map((row) => row.name));
}

/** Checks that every column the options name exists. */
export function assertConfiguredColumns(table: string, columns: ReadonlySet<string>, configured: Record<string, string | undefined>): void {
  for (const [option, column] of Object.entries(configured)) {
    if (column !== undefined && !columns.has(column)) {
      throw new ConfigError(`Repository option "${option}" names column "${column}", which table "${table}" does not have`, { option });
    }
  }
}
