import type { OperationRows, RepositoryDescriptor, RepositoryOperation } from '../middleware/repository-middleware.js';
import { checkedKeys } from '../repository/input-rules.js';
import { isRowWrite, writeTarget } from '../repository/operation-target.js';
import { compareRows } from '../repository/order-by.js';
import { prepareInsert } from '../repository/prepare-input.js';
import type { InputSchemas } from '../repository/validate-input.js';
import { matches, scopeConditions } from '../repository/where-filter.js';
import { cloneRow, type StoredRow } from './in-memory-store.js';
import type { InMemoryTable } from './in-memory-table.js';

/**
 * `operation.rows` of an in-memory write, with `BaseRepository`'s selection (the shared
 * `writeTarget`). Rows are copies, in primary-key order; there is nothing to lock, and no
 * other writer can come between the read and the write.
 */
export function inMemoryOperationRows(
  operation: RepositoryOperation,
  table: InMemoryTable,
  descriptor: RepositoryDescriptor,
  schemas: InputSchemas | undefined,
): OperationRows | undefined {
  if (!isRowWrite(operation.kind)) return undefined;
  const { columns, primaryKey, name } = table;
  const copies = (rows: readonly StoredRow[]) =>
    Promise.resolve(
      [...rows].sort((a, b) => compareRows(a, b, [{ column: primaryKey, direction: 'asc' }])).map(cloneRow),
    );
  return {
    columns: () => Promise.resolve(columns),
    targeted: async () => {
      const target = writeTarget(operation, {
        descriptor,
        columns,
        prepareInsert: (input) =>
          prepareInsert(input, { table: name, columns, scope: operation.scope, schemas, primaryKey }),
      });
      if (target === undefined) return [];
      const reached = (row: StoredRow) =>
        target.deleted === 'included' || (target.deleted === 'only') === table.isDeleted(row);
      return copies(table.store.rows.filter((row) => reached(row) && matches(row, target.conditions)));
    },
    byKeys: async (keys) => {
      const list = checkedKeys(keys, columns, name, primaryKey);
      const conditions = [
        ...scopeConditions(operation.scope, columns, name),
        { column: primaryKey, op: 'in' as const, values: list },
      ];
      return copies(table.store.rows.filter((row) => matches(row, conditions)));
    },
  };
}
