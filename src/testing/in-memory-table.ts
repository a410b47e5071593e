import { optionError } from '../errors/option-error.js';
import { QueryError } from '../errors/query-errors.js';
import type { RepositoryMiddleware } from '../middleware/repository-middleware.js';
import { checkRepositoryOptions } from '../repository/check-repository-options.js';
import { type ColumnType, parseColumnType, type TableColumns, tableColumns } from '../repository/column-types.js';
import { assertKey } from '../repository/input-rules.js';
import { compareRows, type OrderBy, type OrderTerm, toOrderTerms } from '../repository/order-by.js';
import { prepareInsert, preparePatch } from '../repository/prepare-input.js';
import type { NoRelations, RelationsOf } from '../repository/relations/relation-types.js';
import type { InputSchemas } from '../repository/validate-input.js';
import { assertColumn, type Condition, matches } from '../repository/where-filter.js';
import { assertKeyNotNull, definedEntries } from './in-memory-checks.js';
import { InMemoryStore, type StoredRow, type UniqueKey } from './in-memory-store.js';

/**
 * Options of `InMemoryRepository`: the table and its columns (and optionally their
 * PostgreSQL types), the primary key, soft delete, timestamps, unique keys, defaults,
 * middleware, relations and seed rows, so the fake behaves like the real table.
 *
 * @example
 * ```ts
 * interface Note { id: number; body: string; created_at: Date; deleted_at: Date | null }
 * const options: InMemoryRepositoryOptions<Note> = {
 *   table: 'notes',
 *   columns: ['id', 'body', 'created_at', 'deleted_at'],
 *   columnTypes: { body: 'varchar(200)' },
 *   softDelete: 'deleted_at',
 *   timestamps: { createdAt: 'created_at' },
 *   uniqueKeys: [['body']],
 *   seed: [{ id: 1, body: 'first', created_at: new Date(0), deleted_at: null }],
 * }
 * const notes = new InMemoryRepository<Note, Partial<Note>, Partial<Note>, number, true>(options)
 * ```
 */
export interface InMemoryRepositoryOptions<Row, Relations extends RelationsOf<Relations> = NoRelations> {
  table: string;
  /** Every column of the row: unknown keys in where/orderBy/input are ValidationErrors, like the real repository. */
  columns: ReadonlyArray<keyof Row & string>;
  /**
   * PostgreSQL types of the columns (`'int4'`, `'text'`, `'varchar(20)'`, `'timestamptz'`,
   * `'uuid'`, `'jsonb'`, `'int4[]'`, or `{ name, labels }` for an enum). Values are then
   * checked exactly as `BaseRepository` checks them against the catalog, so a wrong value
   * is the same `ValidationError`. Columns without a type are not type-checked.
   */
  columnTypes?: { readonly [K in keyof Row & string]?: string | ColumnType | undefined } | undefined;
  /** @default 'id' */
  primaryKey?: (keyof Row & string) | undefined;
  /** Soft-delete timestamp column: rows where it is non-null are hidden from reads and writes. */
  softDelete?: (keyof Row & string) | undefined;
  /** Set to `new Date()` on create (both) and update (`updatedAt`) unless the input gives them. */
  timestamps?:
    { createdAt?: (keyof Row & string) | undefined; updatedAt?: (keyof Row & string) | undefined } | undefined;
  schemas?: InputSchemas | undefined;
  /** ConflictError like a unique constraint (`<table>_<cols>_key`); the primary key is always unique. */
  uniqueKeys?: ReadonlyArray<ReadonlyArray<keyof Row & string>> | undefined;
  /** Column defaults a real table would apply; called once per inserted row. */
  defaults?: (() => Partial<Row>) | undefined;
  /** Called when an insert has no primary key. @default auto-increment integers from 1 */
  generateId?: (() => Row[keyof Row]) | undefined;
  defaultOrderBy?: OrderBy<Row> | undefined;
  /** Informational, passed to middleware in the repository descriptor. */
  tenantColumn?: (keyof Row & string) | undefined;
  /**
   * Optimistic-lock column, as on `BaseRepository`: incremented by every update, delete and
   * restore, checked by `{ expectedVersion }`. A new row without one (from the input or
   * `defaults`) starts at 1.
   */
  version?: (keyof Row & string) | undefined;
  middleware?: readonly RepositoryMiddleware[] | undefined;
  /**
   * Signs cursors like the database option `cursorSecret`: one key, or several (the first
   * signs, all verify). Without it cursors are bound but unsigned.
   */
  cursorSecret?: string | readonly string[] | undefined;
  /** Rows stored as given (no defaults, timestamps or schema); duplicates throw ConflictError. */
  seed?: readonly Row[] | undefined;
  /** Relations to other fakes, as for `BaseRepository`: `{ messages: hasMany(() => messages, { foreignKey: 'chat_id' }) }`. */
  relations?: Relations | undefined;
}

/** What the table needs from the options, without the row type. */
export interface TableDefinition {
  readonly table: string;
  readonly columns: readonly string[];
  readonly columnTypes?: Readonly<Record<string, string | ColumnType | undefined>>;
  readonly primaryKey?: string;
  readonly softDelete?: string;
  readonly timestamps?: { readonly createdAt?: string; readonly updatedAt?: string };
  readonly schemas?: InputSchemas;
  readonly uniqueKeys?: ReadonlyArray<readonly string[]>;
  readonly defaults?: () => object;
  readonly generateId?: () => unknown;
  readonly defaultOrderBy?: unknown;
  readonly tenantColumn?: string;
  readonly version?: string;
}

type Values = Record<string, unknown>;

/**
 * One in-memory table: its definition (checked once) and its rows. Every repository made
 * with `withMiddleware` shares it, like repositories over the same PostgreSQL table.
 */
export class InMemoryTable {
  readonly name: string;
  readonly columns: TableColumns;
  readonly primaryKey: string;
  readonly softDelete: string | undefined;
  readonly version: string | undefined;
  readonly store: InMemoryStore;

  constructor(private readonly definition: TableDefinition) {
    checkRepositoryOptions(definition, 'InMemoryRepository');
    if (
      !Array.isArray(definition.columns) ||
      definition.columns.length === 0 ||
      definition.columns.some((column) => typeof column !== 'string' || column === '')
    ) {
      throw optionError('columns', "expected the non-empty list of the row's column names", {
        factory: 'InMemoryRepository',
      });
    }
    const name = definition.table;
    const columns = tableColumns(definition.columns, declaredTypes(definition.columnTypes));
    const check = (column: string, option: string) => {
      if (!columns.has(column))
        throw optionError(option, `expected a column listed in columns ("${name}" has no column "${column}")`, {
          factory: 'InMemoryRepository',
        });
    };
    const primaryKey = definition.primaryKey ?? 'id';
    check(primaryKey, 'primaryKey');
    if (definition.softDelete !== undefined) check(definition.softDelete, 'softDelete');
    if (definition.tenantColumn !== undefined) check(definition.tenantColumn, 'tenantColumn');
    if (definition.version !== undefined) check(definition.version, 'version');
    for (const column of [definition.timestamps?.createdAt, definition.timestamps?.updatedAt])
      if (column !== undefined) check(column, 'timestamps');
    for (const column of columns.types.keys()) check(column, 'columnTypes');
    const keys: UniqueKey[] = [{ constraint: `${name}_pkey`, columns: [primaryKey] }];
    for (const key of definition.uniqueKeys ?? []) {
      if (key.length === 0) check('', 'uniqueKeys');
      for (const column of key) check(column, 'uniqueKeys');
      keys.push({ constraint: `${name}_${key.join('_')}_key`, columns: [...key] });
    }
    try {
      toOrderTerms(definition.defaultOrderBy, undefined, columns, primaryKey, name);
    } catch (error) {
      throw optionError(
        'defaultOrderBy',
        "expected a column listed in columns, or { column, direction: 'asc' | 'desc' }",
        { factory: 'InMemoryRepository', cause: error },
      );
    }
    this.name = name;
    this.columns = columns;
    this.primaryKey = primaryKey;
    this.softDelete = definition.softDelete;
    this.version = definition.version;
    this.store = new InMemoryStore(name, primaryKey, keys);
  }

  /** Stored rows that match `conditions`, soft-deleted ones only `withDeleted`. Not copies. */
  select(conditions: readonly Condition[], withDeleted: boolean): StoredRow[] {
    return this.store.rows.filter((row) => (withDeleted || !this.isDeleted(row)) && matches(row, conditions));
  }

  isDeleted(row: StoredRow): boolean {
    if (this.softDelete === undefined) return false;
    const value = row[this.softDelete];
    return value !== null && value !== undefined;
  }

  terms(orderBy: unknown): OrderTerm[] {
    return toOrderTerms(orderBy, this.definition.defaultOrderBy, this.columns, this.primaryKey, this.name);
  }

  sorted(rows: readonly StoredRow[], terms: readonly OrderTerm[]): StoredRow[] {
    return [...rows].sort((a, b) => compareRows(a, b, terms));
  }

  /** The primary-key condition; a missing id or one of the wrong type is a ValidationError. */
  byId(id: unknown): Condition {
    assertKey(id, this.columns, this.name, this.primaryKey);
    return { column: this.primaryKey, op: 'eq', value: id };
  }

  /** The row a create would insert, and the input's own columns (validated, scope stamped). */
  prepareInsert(
    input: unknown,
    scope: Readonly<Record<string, unknown>>,
    now: Date,
  ): { values: Values; given: Values } {
    const given = prepareInsert(input, this.inputContext(scope));
    const defaults = this.checkedValues(this.definition.defaults?.() ?? {}, 'defaults');
    const values: Values = { ...defaults, ...given };
    if (values[this.primaryKey] === undefined) values[this.primaryKey] = this.generateId();
    if (this.version !== undefined && values[this.version] === undefined) values[this.version] = 1;
    assertKeyNotNull(values, this.primaryKey, this.name);
    const { createdAt, updatedAt } = this.definition.timestamps ?? {};
    for (const column of [createdAt, updatedAt])
      if (column !== undefined && values[column] === undefined) values[column] = now;
    for (const column of this.columns) if (values[column] === undefined) values[column] = null;
    return { values, given };
  }

  /** `id`: the updated row's key (undefined for many rows), which the patch may not change. */
  preparePatch(patch: unknown, scope: Readonly<Record<string, unknown>>, id?: unknown): Values {
    const changes = preparePatch(patch, this.inputContext(scope), id);
    assertKeyNotNull(changes, this.primaryKey, this.name);
    return changes;
  }

  /** The patched row; `updatedAt` becomes `now` unless the patch sets it (or `force`). */
  applyPatch(row: StoredRow, changes: Values, now: Date, force = false): Values {
    const updatedAt = this.definition.timestamps?.updatedAt;
    const touched: Values = updatedAt !== undefined && (force || !(updatedAt in changes)) ? { [updatedAt]: now } : {};
    if (this.version !== undefined) touched[this.version] = nextVersion(row[this.version]);
    return { ...row, ...changes, ...touched };
  }

  /** The row soft-deleted at `now`: `updatedAt` left alone, as on PostgreSQL; the version incremented. */
  softDeleted(row: StoredRow, column: string, now: Date): Values {
    const next: Values = { ...row, [column]: now };
    if (this.version !== undefined) next[this.version] = nextVersion(row[this.version]);
    return next;
  }

  /** The upsert's changes to an existing row: the input's other columns, never the key or createdAt. */
  upsertChanges(given: Values, key: UniqueKey): Values {
    const kept = new Set([this.primaryKey, this.definition.timestamps?.createdAt, ...key.columns]);
    return Object.fromEntries(Object.entries(given).filter(([column]) => !kept.has(column)));
  }

  /** The unique key (primary key included) on exactly these columns. */
  conflictKey(conflictColumns: unknown): UniqueKey {
    const list: unknown[] = Array.isArray(conflictColumns) ? conflictColumns : [];
    for (const column of list) assertColumn(String(column), this.columns, this.name, 'conflictColumns');
    const key = this.store.uniqueKeys.find(
      (each) => each.columns.length === list.length && each.columns.every((column) => list.includes(column)),
    );
    if (key !== undefined) return key;
    // What PostgreSQL answers (42P10), so the fake and the real repository agree.
    throw new QueryError('there is no unique or exclusion constraint matching the ON CONFLICT specification', {
      sqlState: '42P10',
    });
  }

  /** Stores seed rows as given: known columns only, missing ones null, ids generated only when absent. */
  seed(seed: readonly object[]): void {
    const rows = seed.map((row) => this.checkedValues(row, 'seed'));
    for (const row of rows) this.store.noteId(row[this.primaryKey]);
    for (const row of rows) {
      if (row[this.primaryKey] === undefined) row[this.primaryKey] = this.generateId();
      assertKeyNotNull(row, this.primaryKey, this.name);
      for (const column of this.columns) if (row[column] === undefined) row[column] = null;
    }
    if (rows.length > 0) this.store.commit({ insert: rows });
  }

  private generateId(): unknown {
    return this.definition.generateId === undefined ? this.store.nextId() : this.definition.generateId();
  }

  /** Checks every key of `record` against the columns; returns the entries that are not undefined. */
  private checkedValues(record: object, what: string): Values {
    for (const column of Object.keys(record)) assertColumn(column, this.columns, this.name, what);
    return definedEntries(record);
  }

  private inputContext(scope: Readonly<Record<string, unknown>>) {
    return {
      table: this.name,
      columns: this.columns,
      scope,
      schemas: this.definition.schemas,
      primaryKey: this.primaryKey,
      version: this.version,
    };
  }
}

function declaredTypes(declared: TableDefinition['columnTypes']): Map<string, ColumnType> {
  const types = new Map<string, ColumnType>();
  for (const [column, type] of Object.entries(declared ?? {})) {
    if (type !== undefined) types.set(column, typeof type === 'string' ? parseColumnType(type) : type);
  }
  return types;
}

/** `version + 1` for the kinds of integer a row holds (int8 may be a string or a bigint). */
function nextVersion(version: unknown): unknown {
  if (typeof version === 'bigint') return version + 1n;
  if (typeof version === 'string') return String(BigInt(version) + 1n);
  return typeof version === 'number' ? version + 1 : 1;
}
