import { type Kysely, sql } from 'kysely';

import { ConfigError } from '../errors/application-errors.js';
import { type CursorValueKind, isValidCursorText, kindOf } from './cursor-values.js';
import { quoteIdentifier } from './sql-identifier.js';

/** A column's type as keyset cursors need it. */
export interface ColumnType {
  /** `format_type(atttypid, NULL)`: the cast a cursor parameter gets (no typmod, so nothing is truncated or rounded). */
  readonly type: string;
  /** The base type of a domain (else `type`): what a value is checked against. */
  readonly baseType: string;
  readonly kind: CursorValueKind;
  /** An enum's labels, in order; empty otherwise. */
  readonly labels: readonly string[];
}

/**
 * The types of the table's columns, read once from the catalog (through the search_path,
 * like `loadTableColumns`). Cursor parameters are cast to them, so the comparison runs in
 * the column's own type and an index on the order columns stays usable.
 *
 * ```ts
 * const types = await loadColumnTypes(db.kysely, 'events')
 * types.get('created_at') // { type: 'timestamp with time zone', kind: 'timestamptz', ... }
 * ```
 */
export async function loadColumnTypes(
  kysely: Kysely<unknown>,
  table: string,
): Promise<ReadonlyMap<string, ColumnType>> {
  const { rows } = await sql<{
    name: string;
    type: string;
    base_type: string;
    labels: string[] | null;
    is_enum: boolean;
  }>`
    select a.attname as name,
           format_type(a.atttypid, null) as type,
           format_type(coalesce(nullif(t.typbasetype, 0), a.atttypid), null) as base_type,
           b.typtype = 'e' as is_enum,
           array(select e.enumlabel::text from pg_enum e where e.enumtypid = b.oid order by e.enumsortorder) as labels
    from pg_attribute a
    join pg_type t on t.oid = a.atttypid
    join pg_type b on b.oid = coalesce(nullif(t.typbasetype, 0), a.atttypid)
    where a.attrelid = to_regclass(${quoteIdentifier(table)}) and a.attnum > 0 and not a.attisdropped
  `.execute(kysely);
  if (rows.length === 0)
    throw new ConfigError(`Table "${table}" does not exist (or has no columns) in the current search_path`, {
      option: 'table',
    });
  return new Map(
    rows.map((row) => [
      row.name,
      Object.freeze({
        type: row.type,
        baseType: row.base_type,
        kind: kindOf(row.base_type, row.is_enum),
        labels: row.labels ?? [],
      }),
    ]),
  );
}

/** Whether a cursor's text is a valid value of this column. */
export function isValidForColumn(text: string, column: ColumnType): boolean {
  return isValidCursorText(text, column.baseType, column.kind, column.labels);
}
