import { ConfigError, ValidationError } from '../errors/application-errors.js';
import type { OperationKind, RepositoryOperation } from '../middleware/repository-middleware.js';
import { checkedLimit } from '../repository/paging-limits.js';
import { keyText } from '../repository/relations/load-relations.js';
import type { RelatedCount, RelatedRead, RelationSource } from '../repository/relations/relation-source.js';
import type { RelationMap } from '../repository/relations/relation-types.js';
import { assertColumn, type Condition, scopeConditions, toConditions } from '../repository/where-filter.js';
import type { StoredRow } from './in-memory-store.js';
import type { InMemoryTable } from './in-memory-table.js';

type Loose = Record<string, unknown>;

/** What `InMemoryRepository` lends its relation source. */
export interface InMemoryRelationInternals {
  readonly table: () => InMemoryTable;
  readonly relations: RelationMap;
  readonly run: <T>(kind: OperationKind, args: unknown[], execute: (op: RepositoryOperation) => T) => Promise<T>;
  readonly output: (row: StoredRow) => Loose;
}

interface RelatedOptions {
  readonly where?: unknown;
  readonly orderBy?: unknown;
  readonly relatedTo: { readonly column: string; readonly keys: readonly unknown[]; readonly limit?: number };
}

/**
 * The fake's side of relations: the same operations with the same arguments as
 * `BaseRepository` sends (`findMany` / `count` with `relatedTo`), so middleware, scope
 * and soft delete behave alike; the top-N per key is taken per key after sorting.
 */
export function inMemoryRelationSource(internals: InMemoryRelationInternals): RelationSource {
  const table = internals.table();
  const visible = (op: RepositoryOperation, where: unknown, relatedTo: RelatedOptions['relatedTo']): StoredRow[] => {
    const current = internals.table();
    const conditions: Condition[] = [
      ...scopeConditions(op.scope, current.columns, current.name),
      ...toConditions(where, current.columns, current.name),
      { column: relatedTo.column, op: 'in', values: relatedTo.keys },
    ];
    return current.select(conditions, false);
  };
  return {
    table: table.name,
    primaryKey: table.primaryKey,
    relations: internals.relations,
    columns: () => Promise.resolve(internals.table().columns),
    checkRead(where, orderBy) {
      return new Promise<void>((resolve) => {
        toConditions(where, internals.table().columns, table.name);
        internals.table().terms(orderBy);
        resolve();
      });
    },
    read(request: RelatedRead, sink) {
      void sink; // no SQL in the fake
      const { column, keys, limit } = request;
      const options: RelatedOptions = {
        where: request.where,
        orderBy: request.orderBy,
        relatedTo: limit === undefined ? { column, keys } : { column, keys, limit },
      };
      return internals.run('findMany', [options], (op) => {
        const given = relatedOptions(op.args[0], internals.table());
        const current = internals.table();
        const rows = current.sorted(visible(op, given.where, given.relatedTo), current.terms(given.orderBy));
        const perKey = given.relatedTo.limit;
        if (perKey === undefined) return rows.map(internals.output);
        checkedLimit(perKey, 'limit', Number.MAX_SAFE_INTEGER, 0);
        const taken = new Map<string, number>();
        return rows
          .filter((row) => {
            const key = keyText(row[given.relatedTo.column]);
            const count = taken.get(key) ?? 0;
            taken.set(key, count + 1);
            return count < perKey;
          })
          .map(internals.output);
      });
    },
    count(request: RelatedCount, sink) {
      void sink;
      const options: RelatedOptions = { relatedTo: { column: request.column, keys: request.keys } };
      return internals.run('count', [undefined, options], (op) => {
        const given = relatedOptions(op.args[1], internals.table());
        const counts = new Map<string, { key: unknown; count: number }>();
        for (const row of visible(op, undefined, given.relatedTo)) {
          const key = row[given.relatedTo.column];
          const entry = counts.get(keyText(key)) ?? { key, count: 0 };
          entry.count += 1;
          counts.set(keyText(key), entry);
        }
        return [...counts.values()];
      });
    },
    readThrough({ table: through }) {
      return Promise.reject(
        new ConfigError(
          `manyToMany through "${through}": the in-memory fake has no tables by name; pass through: () => <an InMemoryRepository over it>`,
          { option: 'through' },
        ),
      );
    },
  };
}

function relatedOptions(value: unknown, table: InMemoryTable): RelatedOptions {
  const options = value as RelatedOptions | undefined;
  const relatedTo = options?.relatedTo;
  if (relatedTo === undefined || !Array.isArray(relatedTo.keys))
    throw new ValidationError(`A relation read of "${table.name}" lost its relatedTo option`, [
      { path: ['relatedTo'], message: 'expected { column, keys }', code: 'invalid_type' },
    ]);
  assertColumn(relatedTo.column, table.columns, table.name, 'relatedTo');
  return options as RelatedOptions;
}
