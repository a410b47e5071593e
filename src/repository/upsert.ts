import { type Kysely, sql } from 'kysely';

import { ValidationError } from '../errors/application-errors.js';
import { ConflictError, type ConstraintDetails } from '../errors/constraint-errors.js';
import type { RepositoryDescriptor } from '../middleware/repository-middleware.js';
import { conditionsExpression, type LooseDB } from './kysely-conditions.js';
import { SQL_NOW } from './timestamps.js';
import { assertColumn, type ColumnCondition } from './where-filter.js';

/**
 * INSERT ... ON CONFLICT (conflictColumns) DO UPDATE SET <the input's other columns>.
 * The update only touches a row inside the current scope: when the conflicting row
 * belongs to another scope (tenant), nothing is written and a ConflictError is thrown.
 */
export async function upsertRow<R>(args: {
  kysely: Kysely<LooseDB>;
  descriptor: RepositoryDescriptor;
  row: Record<string, unknown>;
  conflictColumns: string[];
  columns: ReadonlySet<string>;
  scope: ColumnCondition[];
  nowOnInsert: readonly string[];
  createdAt: string | undefined;
  updatedAt: string | undefined;
}): Promise<R> {
  const { kysely, descriptor, row, conflictColumns, columns, scope } = args;
  if (conflictColumns.length === 0) {
    throw new ValidationError('upsert needs at least one conflict column', [
      { path: ['conflictColumns'], message: 'expected at least one column', code: 'too_small' },
    ]);
  }
  for (const column of conflictColumns) assertColumn(column, columns, descriptor.table, 'conflictColumns');
  const values: Record<string, unknown> = { ...row };
  for (const column of args.nowOnInsert) if (!(column in values)) values[column] = SQL_NOW;
  const updated = Object.keys(row).filter(
    (column) =>
      !conflictColumns.includes(column) &&
      column !== args.createdAt &&
      column !== descriptor.primaryKey &&
      column !== descriptor.version,
  );
  const target = descriptor.table;
  const result = await kysely
    .insertInto(target)
    .values(values)
    .onConflict((conflict) => {
      const set: Record<string, unknown> = {};
      for (const column of updated) set[column] = sql.ref(`excluded.${column}`);
      if (args.updatedAt !== undefined) set[args.updatedAt] = SQL_NOW;
      // The existing row's version, incremented (the input's version only applies to an insert).
      if (descriptor.version !== undefined)
        set[descriptor.version] = sql`${sql.ref(`${target}.${descriptor.version}`)} + 1`;
      // Nothing else to change: a no-op assignment still returns the existing row.
      if (Object.keys(set).length === 0)
        set[conflictColumns[0] as string] = sql.ref(`excluded.${conflictColumns[0] as string}`);
      const update = conflict.columns(conflictColumns).doUpdateSet(set);
      // Never update a row the repository cannot see: outside the scope, or soft-deleted.
      const hidden: ColumnCondition[] = descriptor.softDelete ? [{ column: descriptor.softDelete, op: 'null' }] : [];
      const qualified = [...scope, ...hidden].map((condition) => ({
        ...condition,
        column: `${target}.${condition.column}`,
      }));
      return qualified.length === 0 ? update : update.where((eb) => conditionsExpression(eb, qualified));
    })
    .returningAll()
    .executeTakeFirst();
  if (result === undefined) {
    const details: ConstraintDetails = {
      sqlState: '23505',
      constraint: undefined,
      table: descriptor.table,
      schema: undefined,
      columns: conflictColumns,
    };
    throw new ConflictError(
      `Upsert into "${descriptor.table}" conflicts with a row outside the current scope or soft-deleted`,
      details,
    );
  }
  return result as R;
}
