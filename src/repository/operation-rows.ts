import { type Expression, type ExpressionBuilder, type Kysely, sql, type SqlBool } from 'kysely';

import type { OperationRows, RepositoryDescriptor, RepositoryOperation } from '../middleware/repository-middleware.js';
import type { TableColumns } from './column-types.js';
import { checkedKeys } from './input-rules.js';
import { conditionsExpression, type LooseDB } from './kysely-conditions.js';
import { isRowWrite, writeTarget } from './operation-target.js';
import { type Condition, scopeConditions } from './where-filter.js';

type Row = Readonly<Record<string, unknown>>;

/** The keys `targeted()` returned for an updateMany: the write is pinned to them. */
const pinnedKeys = new WeakMap<RepositoryOperation, readonly unknown[]>();

/**
 * `operation.rows` of a `BaseRepository` write: the rows it targets, read `FOR UPDATE` in
 * the ambient transaction, and rows by key. Undefined for reads.
 */
export function sqlOperationRows(
  operation: RepositoryOperation,
  context: {
    readonly kysely: Kysely<LooseDB>;
    readonly descriptor: RepositoryDescriptor;
    readonly columns: () => Promise<TableColumns>;
    readonly prepareInsert: (input: unknown, columns: TableColumns) => Record<string, unknown>;
  },
): OperationRows | undefined {
  if (!isRowWrite(operation.kind)) return undefined;
  const { kysely, descriptor } = context;
  const { table, primaryKey } = descriptor;
  return {
    columns: () => context.columns(),
    targeted: async () => {
      const columns = await context.columns();
      const target = writeTarget(operation, {
        descriptor,
        columns,
        prepareInsert: (input) => context.prepareInsert(input, columns),
      });
      if (target === undefined) return [];
      const softDelete = descriptor.softDelete;
      // Primary-key order: two writers locking overlapping rows take the locks in one order.
      const rows = (await kysely
        .selectFrom(table)
        .selectAll()
        .where((eb) => {
          const filters = [conditionsExpression(eb, target.conditions)];
          if (softDelete !== undefined && target.deleted === 'hidden') filters.push(eb(softDelete, 'is', null));
          if (softDelete !== undefined && target.deleted === 'only') filters.push(eb(softDelete, 'is not', null));
          return eb.and(filters);
        })
        .orderBy(primaryKey)
        .forUpdate()
        .execute()) as Row[];
      if (operation.kind === 'updateMany')
        pinnedKeys.set(
          operation,
          rows.map((row) => row[primaryKey]),
        );
      return rows;
    },
    byKeys: async (keys) => {
      const columns = await context.columns();
      const list = checkedKeys(keys, columns, table, primaryKey);
      if (list.length === 0) return [];
      const scope = scopeConditions(operation.scope, columns, table);
      return await kysely
        .selectFrom(table)
        .selectAll()
        .where((eb) => eb.and([conditionsExpression(eb, scope), keyIn(primaryKey, list)]))
        .orderBy(primaryKey)
        .execute();
    },
  };
}

/**
 * The WHERE of an updateMany: its conditions, and, once a middleware read its target
 * rows (`rows.targeted()`), only those rows.
 */
export function pinnedWhere(
  eb: ExpressionBuilder<LooseDB, string>,
  operation: RepositoryOperation,
  primaryKey: string,
  conditions: readonly Condition[],
): Expression<SqlBool> {
  const pinned = pinnedKeys.get(operation);
  const filter = conditionsExpression(eb, conditions);
  return pinned === undefined ? filter : eb.and([filter, keyIn(primaryKey, pinned)]);
}

/** One array parameter (`= any($1)`), however many keys: never near the bind-parameter limit. */
function keyIn(primaryKey: string, keys: readonly unknown[]): Expression<SqlBool> {
  return sql<SqlBool>`${sql.ref(primaryKey)} = any(${[...keys]})`;
}
