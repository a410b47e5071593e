import type { RepositoryOperation } from '../middleware/repository-middleware.js';
import type { TableColumns } from './column-types.js';
import { cursorBinding } from './cursor-binding.js';
import { cursorPage } from './cursor-page.js';
import { cursorKeysOf } from './cursor-secrets.js';
import { checkedKeys } from './input-rules.js';
import { checkedLimit, checkedPage } from './paging-limits.js';
import type { CursorPaginateOptions, FindManyOptions, PaginateOptions, StreamOptions } from './repository-contract.js';
import { conditionsShape, termsKey } from './shape-cache.js';
import type { Loose, ReadArg, SqlTable } from './sql-table.js';

/** How one repository operation runs on PostgreSQL, given the operation after its middleware. */
export type SqlImplementation = (table: SqlTable, op: RepositoryOperation, columns: TableColumns) => unknown;

/** The reads of the operation table, on PostgreSQL. */
export const SQL_READS = {
  findById(table, op, columns) {
    const [key, read] = op.args as [unknown, ReadArg];
    table.assertKey(key, columns);
    const filters = table.filters(op, columns, read);
    // Below the middleware: cache, tenant and audit still see one operation per call.
    return (
      (table.coalescing('read') ? table.idBatches.load(key, filters, columns) : undefined) ??
      table.idBatches.one(key, filters)
    );
  },

  async findByIds(table, op, columns) {
    const { table: name, primaryKey } = table.descriptor;
    const keys = checkedKeys(op.args[0], columns, name, primaryKey);
    if (keys.length === 0) return [];
    const filters = table.filters(op, columns, op.args[1] as ReadArg);
    return table.selectWhere([...filters, { column: primaryKey, op: 'in', values: keys }]).execute();
  },

  async findOne(table, op, columns) {
    const [filter, read] = op.args as [unknown, ReadArg];
    const rows = await table.selectRows(
      table.readConditions(op, columns, filter, read),
      table.terms(undefined, columns),
      {
        limit: 1,
      },
    );
    return rows[0];
  },

  findMany(table, op, columns) {
    const [opts] = op.args as [FindManyOptions<Loose, true>];
    return table.selectRows(table.readConditions(op, columns, opts.where, opts), table.terms(opts.orderBy, columns), {
      limit: opts.limit === undefined ? undefined : checkedLimit(opts.limit, 'limit', Number.MAX_SAFE_INTEGER, 0),
      offset: opts.offset === undefined ? undefined : checkedLimit(opts.offset, 'offset', Number.MAX_SAFE_INTEGER, 0),
    });
  },

  count(table, op, columns) {
    const [filter, read] = op.args as [unknown, ReadArg];
    return table.count(table.readConditions(op, columns, filter, read));
  },

  exists(table, op, columns) {
    const [filter, read] = op.args as [unknown, ReadArg];
    return table.exists(table.readConditions(op, columns, filter, read));
  },

  async paginate(table, op, columns) {
    const [opts] = op.args as [PaginateOptions<Loose, true>];
    const page = checkedPage(opts.page ?? 1);
    const pageSize = checkedLimit(opts.pageSize ?? 20, 'pageSize', 1_000, 1);
    const conditions = table.readConditions(op, columns, opts.where, opts);
    const [items, total] = await Promise.all([
      table.selectRows(conditions, table.terms(opts.orderBy, columns), {
        limit: pageSize,
        offset: (page - 1) * pageSize,
      }),
      table.count(conditions),
    ]);
    return { items, total, page, pageSize, totalPages: Math.ceil(total / pageSize) };
  },

  async paginateByCursor(table, op, columns) {
    const [opts] = op.args as [CursorPaginateOptions<Loose, true>];
    const limit = checkedLimit(opts.limit ?? 20, 'limit', 1_000, 1);
    const terms = table.terms(opts.orderBy, columns);
    const conditions = table.readConditions(op, columns, opts.where, opts);
    const where = conditionsShape(conditions);
    return cursorPage<Loose>({
      build: () => table.ordered(table.selectWhere(conditions), terms),
      kysely: table.kysely,
      shape: { key: `${where.key}|${termsKey(terms)}`, parameters: where.parameters },
      shapes: table.shapes,
      execute: async (compiled) => (await table.execute(compiled)).rows,
      terms,
      limit,
      after: opts.after,
      types: await table.types.get(),
      binding: cursorBinding(table.descriptor.table, opts.where, op.scope),
      keys: cursorKeysOf(table.db),
    });
  },

  /** The rows as an async iterable over a server-side cursor; the facade yields from it. */
  stream(table, op, columns) {
    const [filter, opts] = op.args as [unknown, StreamOptions<true>];
    const batchSize = checkedLimit(opts.batchSize ?? 500, 'batchSize', 100_000, 1);
    return table
      .ordered(table.selectWhere(table.readConditions(op, columns, filter, opts)), table.terms(undefined, columns))
      .stream(batchSize);
  },
} satisfies Record<string, SqlImplementation>;
