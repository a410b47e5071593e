import type { Condition } from './filter-condition.js';
import { quoteIdentifier } from './sql-identifier.js';

/**
 * SQL text for the hot paths (findById, create, update), built once per shape and kept,
 * so a call only binds parameters instead of building and compiling a Kysely AST.
 * Identifiers were checked against the table's columns before they reach here.
 */
export class HotStatements {
  readonly #cache = new Map<string, string>();
  readonly #table: string;
  readonly #primaryKey: string;

  constructor(table: string, primaryKey: string) {
    this.#table = quoteIdentifier(table);
    this.#primaryKey = quoteIdentifier(primaryKey);
  }

  /** `select * from t where pk = $1 and <filters>`; filter values follow the id. */
  findById(filters: readonly Condition[]): { sql: string; values: (id: unknown) => unknown[] } {
    const sql = this.#cached(`find|${shapeOf(filters)}`, () => {
      const { text } = whereText(filters, 2);
      return `select * from ${this.#table} where ${this.#primaryKey} = $1${text}`;
    });
    return { sql, values: (id) => [id, ...filterValues(filters)] };
  }

  /** `select * from t where pk = any($1) and <filters>`: a coalesced batch of `findById`; filter values follow the ids. */
  findByIds(filters: readonly Condition[]): string {
    return this.#cached(`find-any|${shapeOf(filters)}`, () => {
      const { text } = whereText(filters, 2);
      return `select * from ${this.#table} where ${this.#primaryKey} = any($1)${text}`;
    });
  }

  /** `insert into t (cols) values ($1..) returning *`, plus columns set to now(); `default values` with no column. */
  insert(columns: readonly string[], nowColumns: readonly string[]): string {
    return this.#cached(`insert|${columns.join(',')}|${nowColumns.join(',')}`, () => {
      if (columns.length === 0 && nowColumns.length === 0)
        return `insert into ${this.#table} default values returning *`;
      const names = [...columns, ...nowColumns].map(quoteIdentifier).join(', ');
      const values = [...columns.map((_, index) => `$${index + 1}`), ...nowColumns.map(() => 'now()')].join(', ');
      return `insert into ${this.#table} (${names}) values (${values}) returning *`;
    });
  }

  /**
   * `insert into t (cols) values (..), (..) returning *` for `count` rows of the same
   * columns: a coalesced batch of `create`. Built per call, not kept: the row count varies.
   */
  insertRows(columns: readonly string[], nowColumns: readonly string[], count: number): string {
    const names = [...columns, ...nowColumns].map(quoteIdentifier).join(', ');
    const now = nowColumns.map(() => ', now()').join('');
    const tuples: string[] = [];
    let next = 1;
    for (let row = 0; row < count; row++) {
      const placeholders = columns.map(() => `$${next++}`).join(', ');
      tuples.push(`(${columns.length === 0 ? now.slice(2) : placeholders + now})`);
    }
    return `insert into ${this.#table} (${names}) values ${tuples.join(', ')} returning *`;
  }

  /**
   * `update t set cols = $.., now cols = now(), counters = counter + 1 where pk = $n and
   * <filters> returning *` (`incremented`: the optimistic-lock version column).
   */
  update(
    columns: readonly string[],
    nowColumns: readonly string[],
    filters: readonly Condition[],
    incremented: readonly string[] = [],
  ): string {
    const shape = `update|${columns.join(',')}|${nowColumns.join(',')}|${incremented.join(',')}|${shapeOf(filters)}`;
    return this.#cached(shape, () => {
      const sets = [
        ...columns.map((column, index) => `${quoteIdentifier(column)} = $${index + 1}`),
        ...nowColumns.map((column) => `${quoteIdentifier(column)} = now()`),
        ...incremented.map((column) => `${quoteIdentifier(column)} = ${quoteIdentifier(column)} + 1`),
      ];
      const idIndex = columns.length + 1;
      const { text } = whereText(filters, idIndex + 1);
      return `update ${this.#table} set ${sets.join(', ')} where ${this.#primaryKey} = $${idIndex}${text} returning *`;
    });
  }

  #cached(key: string, build: () => string): string {
    let sql = this.#cache.get(key);
    if (sql === undefined) {
      sql = build();
      this.#cache.set(key, sql);
    }
    return sql;
  }
}

/** Values bound for the filters, in the order `whereText` numbered them. */
export function filterValues(filters: readonly Condition[]): unknown[] {
  return filters.flatMap((filter) => (filter.op === 'eq' ? [filter.value] : filter.op === 'in' ? [filter.values] : []));
}

// The hot paths only ever carry scope and soft-delete filters: equalities, lists and IS NULL.
function whereText(filters: readonly Condition[], firstParameter: number): { text: string } {
  let next = firstParameter;
  const parts = filters.map((filter) => {
    if (filter.op === 'null') return `${quoteIdentifier(filter.column)} is null`;
    if (filter.op === 'eq') return `${quoteIdentifier(filter.column)} = $${next++}`;
    if (filter.op === 'in') return `${quoteIdentifier(filter.column)} = any($${next++})`;
    throw new Error(`HotStatements: unexpected ${filter.op} filter`);
  });
  return { text: parts.map((part) => ` and ${part}`).join('') };
}

function shapeOf(filters: readonly Condition[]): string {
  return filters.map((filter) => ('column' in filter ? `${filter.column}:${filter.op}` : filter.op)).join(',');
}
