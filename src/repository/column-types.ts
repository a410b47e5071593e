/**
 * What a repository knows about one column's type, read from the catalog (or declared for
 * the in-memory fake). A domain is described by its base type; an array by its element.
 *
 * @example
 * ```ts
 * import type { ColumnType } from '@org/data-layer/testing'
 * const status: ColumnType = { name: 'order_status', labels: ['open', 'paid', 'shipped'] }
 * const notes = new InMemoryRepository<{ id: number; status: string }>({ table: 'notes', columns: ['id', 'status'], columnTypes: { id: 'int4', status } })
 * await notes.create({ status: 'lost' }) // ValidationError, as on PostgreSQL
 * ```
 */
export interface ColumnType {
  /** The type's name in `pg_type` (`int4`, `timestamptz`, `my_enum`, ...). */
  readonly name: string;
  /** For array types: the element type. */
  readonly element?: ColumnType;
  /** For enum types: the labels, when known. */
  readonly labels?: readonly string[];
  /** `varchar(n)` / `char(n)`: the length limit in characters. */
  readonly maxLength?: number;
  /** `numeric(p, s)`: precision and scale. */
  readonly precision?: number;
  readonly scale?: number;
}

/** Column name → type; columns without an entry are not type-checked. */
export type ColumnTypes = ReadonlyMap<string, ColumnType>;

/** A table's column names (what `where`, `orderBy` and input keys are checked against) and their types. */
export interface TableColumns extends ReadonlySet<string> {
  readonly types: ColumnTypes;
}

/**
 * Builds the column set the repository helpers take.
 *
 * @example
 * const columns = tableColumns(['id', 'email'], new Map([['id', parseColumnType('int4')]]))
 */
export function tableColumns(names: Iterable<string>, types: ColumnTypes = new Map()): TableColumns {
  return Object.assign(new Set(names), { types });
}

/** The types of a column set, or none for a plain set (nothing type-checked). */
export function typesOf(columns: ReadonlySet<string>): ColumnTypes | undefined {
  return 'types' in columns ? (columns as TableColumns).types : undefined;
}

const ALIASES: Readonly<Record<string, string>> = {
  smallint: 'int2',
  integer: 'int4',
  int: 'int4',
  bigint: 'int8',
  serial: 'int4',
  bigserial: 'int8',
  boolean: 'bool',
  real: 'float4',
  'double precision': 'float8',
  decimal: 'numeric',
  varchar: 'varchar',
  'character varying': 'varchar',
  char: 'bpchar',
  character: 'bpchar',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
};

/**
 * A type from its SQL spelling, for declaring the fake's columns: `'int4'`, `'integer'`,
 * `'varchar(20)'`, `'numeric(10,2)'`, `'text[]'`, `'uuid'`, ... Enums are declared as
 * objects: `{ name: 'mood', labels: ['happy', 'sad'] }`.
 *
 * @example
 * parseColumnType('varchar(20)') // { name: 'varchar', maxLength: 20 }
 */
export function parseColumnType(spec: string): ColumnType {
  const trimmed = spec.trim().toLowerCase();
  if (trimmed.endsWith('[]'))
    return { name: `_${parseColumnType(trimmed.slice(0, -2)).name}`, element: parseColumnType(trimmed.slice(0, -2)) };
  const match = /^([a-z_][a-z0-9_ ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(trimmed);
  if (match === null) return { name: trimmed };
  const [, rawName = trimmed, first, second] = match;
  const name = ALIASES[rawName] ?? rawName;
  if (first === undefined) return { name };
  if (name === 'numeric') return { name, precision: Number(first), scale: Number(second ?? 0) };
  if (name === 'varchar' || name === 'bpchar') return { name, maxLength: Number(first) };
  return { name };
}

/** One row of the catalog query in `loadTableColumns`. */
export interface CatalogColumn {
  name: string;
  type: string;
  kind: string;
  typmod: number;
  labels: string[] | null;
  element: string | null;
  element_kind: string | null;
  element_labels: string[] | null;
}

/** The `ColumnType` of a catalog row (typmod decoded for varchar/char/numeric). */
export function catalogColumnType(row: CatalogColumn): ColumnType {
  const base = decodeTypmod(row.type, row.typmod);
  const withLabels = row.kind === 'e' && row.labels !== null ? { ...base, labels: row.labels } : base;
  if (row.element === null) return withLabels;
  const element: ColumnType =
    row.element_kind === 'e' && row.element_labels !== null
      ? { name: row.element, labels: row.element_labels }
      : decodeTypmod(row.element, row.typmod);
  return { name: row.type, element };
}

function decodeTypmod(name: string, typmod: number): ColumnType {
  if (typmod < 0) return { name };
  if (name === 'varchar' || name === 'bpchar') return { name, maxLength: typmod - 4 };
  if (name === 'numeric') {
    const packed = typmod - 4;
    return { name, precision: (packed >> 16) & 0xffff, scale: packed & 0xffff };
  }
  return { name };
}
