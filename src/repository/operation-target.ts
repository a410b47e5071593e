import { ValidationError } from '../errors/application-errors.js';
import { argumentOf, OPERATIONS } from '../middleware/operations.js';
import type { OperationKind, RepositoryDescriptor } from '../middleware/repository-middleware.js';
import { assertFilterOrAll, assertKey } from './input-rules.js';
import { assertColumn, type Condition, scopeConditions, toConditions } from './where-filter.js';

/** Whether `kind` is a write, the operations that carry `rows` (see `OperationRows`): from the operation table. */
export function isRowWrite(kind: OperationKind): boolean {
  return OPERATIONS[kind].access === 'write';
}

/** Which soft-deleted rows a write reaches: none (the visible ones), all, or only them. */
export type DeletedRows = 'hidden' | 'included' | 'only';

/** How a write selects the rows it touches, shared by the SQL repository and the fake. */
export interface WriteTarget {
  readonly conditions: readonly Condition[];
  readonly deleted: DeletedRows;
}

/**
 * The rows an existing-row write targets, selected exactly as the write selects them, with
 * its arguments checked the same way (a bad id or where is the write's ValidationError).
 * Undefined when it targets no existing row (create, createMany, an upsert whose conflict
 * key is not fully given, restore without soft delete).
 *
 * ```ts
 * writeTarget({ kind: 'update', args: [7, { name: 'x' }], scope: { tenant_id: 'acme' } }, context)
 * // { conditions: [tenant_id = 'acme', id = 7], deleted: 'hidden' }
 * ```
 */
export function writeTarget(
  operation: { readonly kind: OperationKind; readonly args: readonly unknown[]; readonly scope: object },
  context: {
    readonly descriptor: RepositoryDescriptor;
    readonly columns: ReadonlySet<string>;
    /** The row the write would insert (validated, scope stamped), for upsert's conflict values. */
    readonly prepareInsert: (input: unknown) => Readonly<Record<string, unknown>>;
  },
): WriteTarget | undefined {
  const { descriptor, columns } = context;
  const { table, primaryKey } = descriptor;
  const { kind, args } = operation;
  const scope = scopeConditions(operation.scope as Readonly<Record<string, unknown>>, columns, table);
  const targets = (OPERATIONS[kind] as { readonly targets?: string }).targets;
  if (targets === 'id') {
    const id = argumentOf(kind, args, 'id');
    assertKey(id, columns, table, primaryKey);
    const deleted = DELETED_ROWS_BY_ID[kind] ?? 'hidden';
    if (deleted === 'only' && descriptor.softDelete === undefined) return undefined; // restore() refuses it
    return { conditions: [...scope, { column: primaryKey, op: 'eq', value: id }], deleted };
  }
  if (targets === 'where') {
    const where = argumentOf(kind, args, 'where');
    assertFilterOrAll(where, argumentOf(kind, args, 'options'), table, kind);
    return { conditions: [...toConditions(where, columns, table), ...scope], deleted: 'hidden' };
  }
  if (targets === 'conflict')
    return upsertTarget(argumentOf(kind, args, 'input'), argumentOf(kind, args, 'options'), scope, context);
  return undefined; // 'new': only rows that do not exist yet
}

/** The by-id writes that reach soft-deleted rows; the others see visible rows only. */
const DELETED_ROWS_BY_ID: Partial<Record<OperationKind, DeletedRows>> = { hardDelete: 'included', restore: 'only' };

/** The row ON CONFLICT would update: the input's values of the conflict columns, in scope and visible. */
function upsertTarget(
  input: unknown,
  options: unknown,
  scope: Condition[],
  context: Parameters<typeof writeTarget>[1],
): WriteTarget | undefined {
  const { table } = context.descriptor;
  const given = (options as { conflictColumns?: unknown } | undefined)?.conflictColumns;
  const conflictColumns: unknown[] = Array.isArray(given) ? given : [];
  if (conflictColumns.length === 0) {
    throw new ValidationError('upsert needs at least one conflict column', [
      { path: ['conflictColumns'], message: 'expected at least one column', code: 'too_small' },
    ]);
  }
  for (const column of conflictColumns) assertColumn(String(column), context.columns, table, 'conflictColumns');
  const row = context.prepareInsert(input);
  const key: Condition[] = [];
  for (const column of conflictColumns.map(String)) {
    const value = row[column];
    // A NULL (or defaulted) key column never conflicts: the upsert inserts.
    if (value === undefined || value === null) return undefined;
    key.push({ column, op: 'eq', value });
  }
  return { conditions: [...key, ...scope], deleted: 'hidden' };
}
