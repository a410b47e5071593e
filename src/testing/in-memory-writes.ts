import { ValidationError } from '../errors/application-errors.js';
import { assertFilterOrAll } from '../repository/input-rules.js';
import { matches, sqlEquals } from '../repository/where-filter.js';
import { optionsOf } from './in-memory-checks.js';
import {
  lockedRow,
  type MemoryImplementation,
  notFound,
  notSoftDeletable,
  output,
  scopeOf,
  visibleRows,
} from './in-memory-queries.js';

/** The writes of the operation table, in memory. */
export const MEMORY_WRITES = {
  create({ table }, op) {
    const { values } = table.prepareInsert(op.args[0], op.scope, new Date());
    table.store.commit({ insert: [values] });
    return output(values);
  },

  createMany({ table }, op) {
    const [list] = op.args;
    if (!Array.isArray(list))
      throw new ValidationError('inputs must be an array', [
        { path: ['inputs'], message: 'expected an array', code: 'invalid_type' },
      ]);
    const now = new Date();
    const rows = list.map((input: unknown) => table.prepareInsert(input, op.scope, now).values);
    if (rows.length > 0) table.store.commit({ insert: rows });
    return rows.map(output);
  },

  update({ table }, op) {
    const key = table.byId(op.args[0]);
    const changes = table.preparePatch(op.args[1], op.scope, op.args[0]);
    const row = lockedRow(table, op, visibleRows(table, op, undefined, undefined, [key])[0]);
    const next = table.applyPatch(row, changes, new Date());
    table.store.commit({ replace: [[row, next]] });
    return output(next);
  },

  updateMany({ table }, op) {
    assertFilterOrAll(op.args[0], op.args[2], table.name, 'updateMany');
    const rows = visibleRows(table, op, op.args[0], undefined);
    const changes = table.preparePatch(op.args[1], op.scope);
    const now = new Date();
    if (rows.length > 0)
      table.store.commit({ replace: rows.map((row) => [row, table.applyPatch(row, changes, now)] as const) });
    return rows.length;
  },

  upsert({ table }, op) {
    const key = table.conflictKey(optionsOf(op.args[1]).conflictColumns);
    const now = new Date();
    const { values, given } = table.prepareInsert(op.args[0], op.scope, now);
    const existing = key.columns.some((column) => values[column] === null)
      ? undefined
      : table.store.rows.find((row) => key.columns.every((column) => sqlEquals(row[column], values[column])));
    if (existing !== undefined && !table.isDeleted(existing) && matches(existing, scopeOf(table, op))) {
      // As ON CONFLICT DO UPDATE: the input's other columns, never the key or createdAt; updatedAt = now.
      const next = table.applyPatch(existing, table.upsertChanges(given, key), now, true);
      table.store.commit({ replace: [[existing, next]] });
      return output(next);
    }
    // No visible row: insert. A hidden one (soft-deleted, other scope) still conflicts, as the constraint would.
    table.store.commit({ insert: [values] });
    return output(values);
  },

  delete({ table }, op) {
    const row = lockedRow(table, op, visibleRows(table, op, undefined, undefined, [table.byId(op.args[0])])[0]);
    const softDelete = table.softDelete;
    if (softDelete === undefined) table.store.commit({ remove: [row] });
    else table.store.commit({ replace: [[row, table.softDeleted(row, softDelete, new Date())]] });
  },

  hardDelete({ table }, op) {
    const conditions = [...scopeOf(table, op), table.byId(op.args[0])];
    const row = lockedRow(
      table,
      op,
      table.store.rows.find((each) => matches(each, conditions)),
    );
    table.store.commit({ remove: [row] });
  },

  restore({ table }, op) {
    const softDelete = table.softDelete;
    if (softDelete === undefined) throw notSoftDeletable(table, 'restore()');
    const conditions = [...scopeOf(table, op), table.byId(op.args[0])];
    const row = table.store.rows.find((each) => table.isDeleted(each) && matches(each, conditions));
    if (row === undefined) throw notFound(table, op.args[0]);
    const next = table.applyPatch(row, { [softDelete]: null }, new Date(), true);
    table.store.commit({ replace: [[row, next]] });
    return output(next);
  },
} satisfies Record<string, MemoryImplementation>;
