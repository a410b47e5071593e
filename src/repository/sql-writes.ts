import { CompiledQuery } from 'kysely';

import type { RepositoryOperation } from '../middleware/repository-middleware.js';
import { insertInChunks } from './batch-insert.js';
import type { TableColumns } from './column-types.js';
import { filterValues } from './hot-statements.js';
import { assertFilterOrAll } from './input-rules.js';
import { conditionsExpression } from './kysely-conditions.js';
import { pinnedWhere } from './operation-rows.js';
import { expectedVersionOf } from './optimistic-lock.js';
import { prepareInsert, preparePatch } from './prepare-input.js';
import type { UpsertOptions } from './repository-contract.js';
import type { SqlImplementation } from './sql-reads.js';
import type { Loose, SqlTable } from './sql-table.js';
import { nowColumns, SQL_NOW, updatedAtNow } from './timestamps.js';
import { upsertRow } from './upsert.js';
import { versionColumns, versionConditions, versionIncrement } from './version-sql.js';
import { type Condition, scopeConditions } from './where-filter.js';

/** The writes of the operation table, on PostgreSQL. */
export const SQL_WRITES = {
  create(table, op, columns) {
    const row = prepareInsert(op.args[0], table.inputContext(op, columns));
    const keys = Object.keys(row);
    const now = nowColumns(table.settings.timestamps, keys, 'create');
    const parameters = keys.map((key) => row[key]);
    // A row of defaults only (`default values`) has no multi-row form, so it runs alone.
    const batched = table.coalescing('write') && keys.length + now.length > 0;
    return batched ? table.createBatches.insert(keys, now, parameters) : table.createBatches.one(keys, now, parameters);
  },

  createMany(table, op, columns) {
    const [items] = op.args as [unknown[]];
    // Validate everything first: an invalid item means nothing is written.
    const rows = items.map((item) => prepareInsert(item, table.inputContext(op, columns)));
    const { table: name, primaryKey } = table.descriptor;
    return insertInChunks<Loose>({
      inTransaction: (work) => table.db.transaction(work),
      kysely: table.kysely,
      table: name,
      primaryKey,
      rows,
      nowColumns: nowColumns(table.settings.timestamps, [], 'create'),
    });
  },

  // Not async: one `.then` on the statement instead of an async function and its await.
  update(table, op, columns) {
    const [key, input, given] = op.args as [unknown, unknown, unknown];
    table.assertKey(key, columns);
    const values = preparePatch(input, table.inputContext(op, columns), key);
    const expected = expectedVersionOf(given, key, table.descriptor);
    const keys = Object.keys(values);
    const filters = table.filters(op, columns, undefined);
    const checked = [...filters, ...versionConditions(table.descriptor, expected)];
    const now = nowColumns(table.settings.timestamps, keys, 'update');
    const versioned = versionColumns(table.descriptor);
    if (keys.length === 0 && now.length === 0 && versioned.length === 0)
      return table.findById(key).then((row) => row ?? table.notFound(key));
    const sql = table.hot.update(keys, now, checked, versioned);
    const parameters = [...keys.map((column) => values[column]), key, ...filterValues(checked)];
    return table
      .execute(CompiledQuery.raw(sql, parameters))
      .then(({ rows }) => rows[0] ?? table.staleOrMissing(filters, key, expected));
  },

  async updateMany(table, op, columns) {
    const [filter, input, many] = op.args as [unknown, unknown, unknown];
    assertFilterOrAll(filter, many, table.descriptor.table, 'updateMany');
    const conditions = table.readConditions(op, columns, filter, undefined);
    const values: Loose = { ...preparePatch(input, table.inputContext(op, columns)) };
    for (const column of nowColumns(table.settings.timestamps, Object.keys(values), 'update')) values[column] = SQL_NOW;
    Object.assign(values, versionIncrement(table.descriptor));
    if (Object.keys(values).length === 0) return table.count(conditions);
    const result = await table.kysely
      .updateTable(table.descriptor.table)
      .set(values)
      .where((eb) => pinnedWhere(eb, op, table.descriptor.primaryKey, conditions))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },

  upsert(table, op, columns) {
    const [raw, { conflictColumns }] = op.args as [unknown, UpsertOptions<Loose>];
    const { timestamps } = table.settings;
    return upsertRow<Loose>({
      kysely: table.kysely,
      descriptor: table.descriptor,
      row: prepareInsert(raw, table.inputContext(op, columns)),
      conflictColumns: [...conflictColumns],
      columns,
      scope: scopeConditions(op.scope, columns, table.descriptor.table),
      nowOnInsert: nowColumns(timestamps, [], 'create'),
      updatedAt: timestamps?.updatedAt,
      createdAt: timestamps?.createdAt,
    });
  },

  /** Soft delete with a soft-delete column, else a hard delete. */
  async delete(table, op, columns) {
    const [key, given] = op.args;
    table.assertKey(key, columns);
    const softDelete = table.descriptor.softDelete;
    if (softDelete === undefined) return hardDelete(table, op, columns);
    const expected = expectedVersionOf(given, key, table.descriptor);
    const filters = table.filters(op, columns, undefined);
    const conditions = [...filters, ...versionConditions(table.descriptor, expected), table.byKey(key)];
    const { rows } = await table.write('softDelete', conditions, () =>
      table.kysely
        .updateTable(table.descriptor.table)
        .set({ [softDelete]: SQL_NOW, ...versionIncrement(table.descriptor) })
        .where((eb) => conditionsExpression(eb, conditions))
        .returning(table.descriptor.primaryKey),
    );
    if (rows.length === 0) await table.staleOrMissing(filters, key, expected);
  },

  hardDelete,

  async restore(table, op, columns) {
    const softDelete = table.requireSoftDelete('restore()');
    table.assertKey(op.args[0], columns);
    const conditions: Condition[] = [
      ...scopeConditions(op.scope, columns, table.descriptor.table),
      table.byKey(op.args[0]),
    ];
    const row = await table.kysely
      .updateTable(table.descriptor.table)
      .set({
        [softDelete]: null,
        ...updatedAtNow(table.settings.timestamps),
        ...versionIncrement(table.descriptor),
      })
      .where((eb) => eb.and([conditionsExpression(eb, conditions), eb(softDelete, 'is not', null)]))
      .returningAll()
      .executeTakeFirst();
    return row ?? table.notFound(op.args[0]);
  },
} satisfies Record<string, SqlImplementation>;

async function hardDelete(table: SqlTable, op: RepositoryOperation, columns: TableColumns): Promise<void> {
  const [key, given] = op.args;
  table.assertKey(key, columns);
  const expected = expectedVersionOf(given, key, table.descriptor);
  const scope = scopeConditions(op.scope, columns, table.descriptor.table);
  const conditions = [...scope, ...versionConditions(table.descriptor, expected), table.byKey(key)];
  const result = await table.write('hardDelete', conditions, () =>
    table.kysely.deleteFrom(table.descriptor.table).where((eb) => conditionsExpression(eb, conditions)),
  );
  if ((result.numAffectedRows ?? 0n) === 0n) await table.staleOrMissing(scope, key, expected);
}
