import { type CompiledQuery, type Expression, type ExpressionBuilder, type Kysely, sql, type SqlBool } from 'kysely';

import { ValidationError } from '../../errors/application-errors.js';
import type {
  OperationKind,
  RepositoryDescriptor,
  RepositoryOperation,
} from '../../middleware/repository-middleware.js';
import type { TableColumns } from '../column-types.js';
import type { ColumnType } from '../cursor-column-types.js';
import { conditionsExpression, type LooseDB } from '../kysely-conditions.js';
import type { OrderTerm } from '../order-by.js';
import { conditionsShape, ShapeCache, termsKey } from '../shape-cache.js';
import { assertColumn, type Condition, toConditions } from '../where-filter.js';
import { RelatedReadBatches, type RelatedRows } from './related-read-batches.js';
import type { RelatedCount, RelatedRead, RelationSource } from './relation-source.js';
import type { RelationMap } from './relation-types.js';

type Loose = Record<string, unknown>;

/** What `BaseRepository` lends its relation source: its chain, catalog and scoping. */
export interface SqlRelationInternals {
  readonly descriptor: RepositoryDescriptor;
  readonly relations: RelationMap;
  readonly kysely: () => Kysely<LooseDB>;
  readonly columns: () => Promise<TableColumns>;
  /** Catalog types (`format_type`), for the LATERAL keys' cast. */
  readonly types: () => Promise<ReadonlyMap<string, ColumnType>>;
  readonly run: <T>(
    kind: OperationKind,
    args: unknown[],
    impl: (op: RepositoryOperation, columns: TableColumns) => Promise<T>,
  ) => Promise<T>;
  /** The scope and soft-delete conditions every read of the repository applies. */
  readonly filters: (op: RepositoryOperation, columns: TableColumns) => Condition[];
  readonly terms: (orderBy: unknown, columns: TableColumns) => OrderTerm[];
  /** Whether a read may share a statement with other reads of the same tick (outside transactions). */
  readonly coalescing: () => boolean;
}

/** The options a relation read reaches middleware with (`findMany`), and the count's (`count`). */
interface RelatedOptions {
  readonly where?: unknown;
  readonly orderBy?: unknown;
  readonly relatedTo: { readonly column: string; readonly keys: readonly unknown[]; readonly limit?: number };
}

/**
 * The batched reads relations run against a PostgreSQL table. Each is an operation of
 * the repository (`findMany`, `count`), so its middleware runs (tenant scope, cache), and
 * it applies the same scope and soft-delete conditions as a direct read. Keys are one
 * array parameter (`= ANY($1)`), so the statement's text does not depend on how many.
 */
export function sqlRelationSource(internals: SqlRelationInternals): RelationSource {
  const { table, primaryKey } = internals.descriptor;
  // The `= any($1)` read's text per shape (compiled once), and same-tick reads sharing one statement.
  const shapes = new ShapeCache();
  const batches = new RelatedReadBatches();
  const execute = async (compiled: CompiledQuery): Promise<RelatedRows> => ({
    sql: compiled.sql,
    rows: (await internals.kysely().executeQuery<Loose>(compiled)).rows,
  });
  return {
    table,
    primaryKey,
    relations: internals.relations,
    columns: () => internals.columns(),
    async checkRead(where, orderBy) {
      const columns = await internals.columns();
      toConditions(where, columns, table);
      internals.terms(orderBy, columns);
    },
    read(request: RelatedRead, sink) {
      const { column, keys, limit } = request;
      const options: RelatedOptions = {
        where: request.where,
        orderBy: request.orderBy,
        relatedTo: limit === undefined ? { column, keys } : { column, keys, limit },
      };
      return internals.run('findMany', [options], async (op, columns) => {
        const given = relatedOptions(op.args[0], columns, table);
        const conditions = [...toConditions(given.where, columns, table), ...internals.filters(op, columns)];
        const terms = internals.terms(given.orderBy, columns);
        const { relatedTo } = given;
        let result: RelatedRows;
        if (relatedTo.limit === undefined) {
          const where = conditionsShape(conditions);
          const shape = {
            key: `any|${where.key}|${JSON.stringify(relatedTo.column)}|${termsKey(terms)}`,
            parameters: where.parameters,
          };
          const run = (keys: readonly unknown[]): Promise<RelatedRows> => {
            const array = [...keys];
            // The key array is the last value bound (after the conditions' values).
            return execute(
              shapes.compiled({ key: shape.key, parameters: [...where.parameters, array] }, () =>
                anyQuery(internals.kysely(), table, conditions, terms, relatedTo.column, array),
              ),
            );
          };
          const batched = internals.coalescing()
            ? batches.load({ shape, column: relatedTo.column, keys: relatedTo.keys, columns, run })
            : undefined;
          result = await (batched ?? run(relatedTo.keys));
        } else {
          result = await execute(await lateralQuery(internals, conditions, terms, relatedTo));
        }
        sink(result.sql);
        return result.rows;
      });
    },
    count(request: RelatedCount, sink) {
      const options: RelatedOptions = { relatedTo: { column: request.column, keys: request.keys } };
      return internals.run('count', [undefined, options], async (op, columns) => {
        const { relatedTo } = relatedOptions(op.args[1], columns, table);
        const conditions = internals.filters(op, columns);
        const compiled = internals
          .kysely()
          .selectFrom(table)
          .select((eb) => [eb.ref(relatedTo.column).as('key'), eb.fn.countAll().as('count')])
          .where((eb) => scoped(eb, conditions, anyKey(relatedTo.column, [...relatedTo.keys])))
          .groupBy(relatedTo.column)
          .compile();
        sink(compiled.sql);
        const { rows } = await internals.kysely().executeQuery<{ key: unknown; count: unknown }>(compiled);
        return rows.map((row) => ({ key: row.key, count: Number(row.count) }));
      });
    },
    async readThrough({ table: through, sourceKey, targetKey, keys }, sink) {
      // A plain join table, named in the relation's options (never by a client): no repository, no middleware.
      const compiled = internals
        .kysely()
        .selectFrom(through)
        .select([sourceKey, targetKey])
        .where(() => anyKey(sourceKey, [...keys]))
        .compile();
      sink(compiled.sql);
      return (await internals.kysely().executeQuery<Loose>(compiled)).rows;
    },
  };
}

/** The relation options as middleware left them; the column is checked again (a middleware may have rewritten it). */
function relatedOptions(value: unknown, columns: TableColumns, table: string): RelatedOptions {
  const options = value as RelatedOptions | undefined;
  const relatedTo = options?.relatedTo;
  if (relatedTo === undefined || !Array.isArray(relatedTo.keys))
    throw new ValidationError(`A relation read of "${table}" lost its relatedTo option`, [
      { path: ['relatedTo'], message: 'expected { column, keys }', code: 'invalid_type' },
    ]);
  assertColumn(relatedTo.column, columns, table, 'relatedTo');
  return options as RelatedOptions;
}

/** The key condition, after the repository's conditions when there are any. */
function scoped(eb: ExpressionBuilder<LooseDB, string>, conditions: readonly Condition[], key: Expression<SqlBool>) {
  return conditions.length === 0 ? key : eb.and([conditionsExpression(eb, conditions), key]);
}

/** `column = any($n)`, with `keys` bound as they are (one array value). */
function anyKey(column: string, keys: unknown[]) {
  return sql<SqlBool>`${sql.ref(column)} = any(${keys})`;
}

function anyQuery(
  kysely: Kysely<LooseDB>,
  table: string,
  conditions: readonly Condition[],
  terms: readonly OrderTerm[],
  column: string,
  keys: unknown[],
) {
  const query = kysely
    .selectFrom(table)
    .selectAll()
    .where((eb) => scoped(eb, conditions, anyKey(column, keys)));
  return terms.reduce((ordered, term) => ordered.orderBy(term.column, term.direction), query);
}

/**
 * Top-N per key in SQL: the keys as a typed array, each joined to its first `limit` rows
 * by a LATERAL subquery (an index on the foreign key and order columns serves each one).
 * The scope, soft delete and `where` are inside the subquery, so the limit counts only
 * rows the repository would return.
 */
async function lateralQuery(
  internals: SqlRelationInternals,
  conditions: readonly Condition[],
  terms: readonly OrderTerm[],
  relatedTo: RelatedOptions['relatedTo'],
): Promise<CompiledQuery<Loose>> {
  const { table } = internals.descriptor;
  // The cast comes from the catalog (format_type), never from input.
  const keyType = (await internals.types()).get(relatedTo.column)?.type;
  if (keyType === undefined) throw new Error(`No catalog type for "${table}.${relatedTo.column}"`);
  const inner = terms
    .reduce(
      (ordered, term) => ordered.orderBy(term.column, term.direction),
      internals
        .kysely()
        .selectFrom(table)
        .selectAll()
        .where((eb) => scoped(eb, conditions, sql<SqlBool>`${sql.ref(relatedTo.column)} = ${sql.ref('__keys.__key')}`)),
    )
    .limit(relatedTo.limit as number);
  const order = sql.join(terms.map((term) => sql`${sql.ref(`__related.${term.column}`)} ${sql.raw(term.direction)}`));
  return sql<Loose>`select ${sql.ref('__related')}.* from unnest(cast(${[...relatedTo.keys]} as ${sql.raw(keyType)}[])) with ordinality as ${sql.raw('"__keys"("__key", "__position")')} cross join lateral (${inner}) as ${sql.ref('__related')} order by ${sql.ref('__keys.__position')}, ${order}`.compile(
    internals.kysely(),
  );
}
