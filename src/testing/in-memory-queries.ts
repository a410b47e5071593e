import { type NotFoundError, ValidationError } from '../errors/application-errors.js';
import { argumentOf } from '../middleware/operations.js';
import type { RepositoryOperation } from '../middleware/repository-middleware.js';
import { expectedVersionOf, staleOrMissing } from '../repository/optimistic-lock.js';
import { rowNotFound } from '../repository/row-not-found.js';
import { type Condition, scopeConditions, sqlEquals, toConditions } from '../repository/where-filter.js';
import { optionsOf } from './in-memory-checks.js';
import { cloneRow, type StoredRow } from './in-memory-store.js';
import type { InMemoryTable } from './in-memory-table.js';

/** What the fake's operations run against: the (possibly shared) table and the repository's cursor keys. */
export interface MemoryContext {
  readonly table: InMemoryTable;
  readonly cursorSecret: string | readonly string[] | undefined;
}

/** How one repository operation runs in memory, given the operation after its middleware. */
export type MemoryImplementation = (context: MemoryContext, op: RepositoryOperation) => unknown;

/** Stored rows the operation may see: its scope, `where` and `extra`; soft-deleted ones only `withDeleted`. */
export function visibleRows(
  table: InMemoryTable,
  op: RepositoryOperation,
  where: unknown,
  readOptions: unknown,
  extra: readonly Condition[] = [],
): StoredRow[] {
  const conditions = [...scopeOf(table, op), ...toConditions(where, table.columns, table.name), ...extra];
  return table.select(conditions, withDeleted(table, readOptions));
}

export function scopeOf(table: InMemoryTable, op: RepositoryOperation): Condition[] {
  return scopeConditions(op.scope, table.columns, table.name);
}

function withDeleted(table: InMemoryTable, readOptions: unknown): boolean {
  if (optionsOf(readOptions).withDeleted !== true) return false;
  if (table.softDelete === undefined) throw notSoftDeletable(table, 'withDeleted');
  return true;
}

/** A copy of a stored row, as every read and write returns it. */
export function output(row: StoredRow): Record<string, unknown> {
  return cloneRow(row);
}

export function notFound(table: InMemoryTable, id: unknown): NotFoundError {
  return rowNotFound(table.name, table.primaryKey, id);
}

export function notSoftDeletable(table: InMemoryTable, what: string): ValidationError {
  return new ValidationError(`${what} needs a soft-delete column, and repository "${table.name}" has none`, [
    { path: [what], message: 'repository has no softDelete column', code: 'soft_delete_unavailable' },
  ]);
}

/** The row a write by id may change: found, and at the expected version when one is asked for. */
export function lockedRow(table: InMemoryTable, op: RepositoryOperation, row: StoredRow | undefined): StoredRow {
  const [id, options] = [argumentOf(op.kind, op.args, 'id'), argumentOf(op.kind, op.args, 'options')];
  const context = { table: table.name, primaryKey: table.primaryKey, version: table.version };
  const expected = expectedVersionOf(options, id, context);
  if (row === undefined) throw notFound(table, id);
  if (expected !== undefined && !sqlEquals(row[context.version!], expected))
    throw staleOrMissing(row, id, expected, context, () => notFound(table, id));
  return row;
}
