import { ValidationError } from '../errors/application-errors.js';
import type { OperationKind, RepositoryDescriptor } from '../middleware/repository-middleware.js';
import { assertFilterOrAll, assertKey } from './input-rules.js';
import { assertColumn, type Condition, scopeConditions, toConditions } from './where-filter.js';

/** The write kinds, the operations that carry `rows` (see `OperationRows`). */
export const ROW_WRITES: ReadonlySet<OperationKind> = new Set([
  'create',
  'createMany',
  'update',
  'updateMany',
  'upsert',
  'delete',
  'hardDelete',
  'restore',
]);

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
  const [first, second, third] = operation.args;
  const scope = scopeConditions(operation.scope as Readonly<Record<string, unknown>>, columns, table);
  const byId = (): Condition[] => {
    assertKey(first, columns, table, primaryKey);
    return [...scope, { column: primaryKey, op: 'eq', value: first }];
  };
  switch (operation.kind) {
    case 'update':
    case 'delete':
      return { conditions: byId(), deleted: 'hidden' };
    case 'hardDelete':
      return { conditions: byId(), deleted: 'included' };
    case 'restore':
      return descriptor.softDelete === undefined ? undefined : { conditions: byId(), deleted: 'only' };
    case 'updateMany':
      assertFilterOrAll(first, third, table, 'updateMany');
      return { conditions: [...toConditions(first, columns, table), ...scope], deleted: 'hidden' };
    case 'upsert':
      return upsertTarget(first, second, scope, context);
    default:
      return undefined;
  }
}

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
