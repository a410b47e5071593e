import { cursorBinding } from '../repository/cursor-binding.js';
import { type CursorContext, decodeCursor, encodeCursor } from '../repository/cursor-codec.js';
import { cursorKeys } from '../repository/cursor-signing.js';
import { jsCursorText, jsCursorValue } from '../repository/cursor-values.js';
import { checkedKeys } from '../repository/input-rules.js';
import { compareRows } from '../repository/order-by.js';
import { checkedLimit, checkedPage } from '../repository/paging-limits.js';
import type { Condition } from '../repository/where-filter.js';
import { optionsOf } from './in-memory-checks.js';
import { type MemoryImplementation, output, visibleRows } from './in-memory-queries.js';
import type { StoredRow } from './in-memory-store.js';

/** The reads of the operation table, in memory. */
export const MEMORY_READS = {
  findById({ table }, op) {
    const row = visibleRows(table, op, undefined, op.args[1], [table.byId(op.args[0])])[0];
    return row === undefined ? undefined : output(row);
  },

  findByIds({ table }, op) {
    const [ids, readOptions] = op.args;
    const list = checkedKeys(ids, table.columns, table.name, table.primaryKey);
    const condition: Condition = { column: table.primaryKey, op: 'in', values: list };
    return table
      .sorted(visibleRows(table, op, undefined, readOptions, [condition]), table.terms(undefined))
      .map(output);
  },

  findOne({ table }, op) {
    const row = table.sorted(visibleRows(table, op, op.args[0], op.args[1]), table.terms(undefined))[0];
    return row === undefined ? undefined : output(row);
  },

  findMany({ table }, op) {
    const given = optionsOf(op.args[0]);
    const terms = table.terms(given.orderBy);
    const limit =
      given.limit === undefined ? undefined : checkedLimit(given.limit, 'limit', Number.MAX_SAFE_INTEGER, 0);
    const offset = given.offset === undefined ? 0 : checkedLimit(given.offset, 'offset', Number.MAX_SAFE_INTEGER, 0);
    const rows = table.sorted(visibleRows(table, op, given.where, given), terms);
    return rows.slice(offset, limit === undefined ? undefined : offset + limit).map(output);
  },

  count: ({ table }, op) => visibleRows(table, op, op.args[0], op.args[1]).length,

  exists: ({ table }, op) => visibleRows(table, op, op.args[0], op.args[1]).length > 0,

  paginate({ table }, op) {
    const given = optionsOf(op.args[0]);
    const page = checkedPage(given.page ?? 1);
    const pageSize = checkedLimit(given.pageSize ?? 20, 'pageSize', 1_000, 1);
    const rows = table.sorted(visibleRows(table, op, given.where, given), table.terms(given.orderBy));
    const items = rows.slice((page - 1) * pageSize, page * pageSize).map(output);
    return { items, total: rows.length, page, pageSize, totalPages: Math.ceil(rows.length / pageSize) };
  },

  paginateByCursor({ table, cursorSecret }, op) {
    const given = optionsOf(op.args[0]);
    const limit = checkedLimit(given.limit ?? 20, 'limit', 1_000, 1);
    const terms = table.terms(given.orderBy);
    let rows = table.sorted(visibleRows(table, op, given.where, given), terms);
    // The same cursor format, binding and signing as BaseRepository; values are the fake's own JavaScript values.
    const context: CursorContext = {
      terms,
      binding: cursorBinding(table.name, given.where, op.scope),
      keys: cursorKeys(cursorSecret),
      // The fake has no catalog: a column's type is that of the values it holds.
      types: terms.map(
        (term) =>
          jsCursorText(rows.find((row) => row[term.column] !== null && row[term.column] !== undefined)?.[term.column])
            ?.type,
      ),
      isValid: (text, type) => jsCursorValue(text, type) !== undefined,
    };
    if (given.after !== undefined) {
      const values = decodeCursor(given.after, context);
      const position = Object.fromEntries(
        terms.map((term, index) => [term.column, jsCursorValue(values[index]!.text, values[index]!.type)]),
      );
      rows = rows.filter((row) => compareRows(row, position, terms) > 0);
    }
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const hasNextPage = rows.length > limit;
    const nextCursor =
      hasNextPage && last !== undefined
        ? encodeCursor(
            terms.map((term) => jsCursorText(last[term.column])),
            context,
          )
        : undefined;
    return { items: items.map(output), nextCursor, hasNextPage };
  },

  /** A snapshot taken now, handed out in batches; the facade yields from it. */
  stream({ table }, op) {
    const given = optionsOf(op.args[1]);
    const batchSize = checkedLimit(given.batchSize ?? 500, 'batchSize', 100_000, 1);
    return batches(table.sorted(visibleRows(table, op, op.args[0], given), table.terms(undefined)), batchSize);
  },
} satisfies Record<string, MemoryImplementation>;

async function* batches(rows: readonly StoredRow[], batchSize: number): AsyncGenerator<unknown, void, undefined> {
  for (let start = 0; start < rows.length; start += batchSize) {
    // One "round trip" per batch, like fetching from a server-side cursor.
    const batch = await Promise.resolve(rows.slice(start, start + batchSize).map(output));
    yield* batch;
  }
}
