import type { Generated } from 'kysely';

// The statements every adapter sends (kysely's builder and postgres.js's templates produce
// the same statements with their own quoting). Unqualified names: search_path is the schema.
export const SQL = {
  findById: 'select * from items where id = $1',
  keysetPositions: `select created_at::text as created_at, id from items where id % 50 = 1 and id <= $1 order by created_at, id`,
  // 51 rows: the 51st says whether a next page exists, as data-layer's cursor pages do.
  keysetPage: 'select * from items where (created_at, id) > ($1, $2) order by created_at, id limit 51',
  insert: 'insert into events (tag, qty) values ($1, $2) returning *',
  update: 'update events set qty = $1 where id = $2 returning *',
  tenantFilter: 'select * from tenant_items where id = $1 and tenant_id = $2',
  setTenant: "select set_config('app.tenant_id', $1, true)",
  tenantRls: 'select * from tenant_items where id = $1',
  stream: 'select * from stream_rows order by id',
  author: 'select * from authors where id = $1',
} as const;

export const STREAM_BATCH = 500;
export const PAGE = 50;

/** `insert into events (tag, qty) values ($1, $2), ($3, $4), ... returning *` and its values. */
export function createManyStatement(tag: string, count: number): { text: string; values: unknown[] } {
  const tuples: string[] = [];
  const values: unknown[] = [];
  for (let i = 0; i < count; i++) {
    tuples.push(`($${2 * i + 1}, $${2 * i + 2})`);
    values.push(tag, i);
  }
  return { text: `insert into events (tag, qty) values ${tuples.join(', ')} returning *`, values };
}

/** Keyset positions (created_at as exact text, id), every 50th row, leaving a full page after each. */
export interface KeysetPosition {
  readonly created_at: string;
  readonly id: number;
}

interface ItemsTable {
  id: Generated<number>;
  tenant_id: string;
  author_id: number;
  name: string;
  qty: number;
  created_at: Date;
  updated_at: Date;
}

/** The fixture's tables (lib/fixture.ts), as the query-builder adapters type them. */
export interface BenchDB {
  items: ItemsTable;
  tenant_items: ItemsTable;
  authors: { id: Generated<number>; name: string };
  events: { id: Generated<number>; tag: string; qty: number; created_at: Generated<Date>; updated_at: Generated<Date> };
  stream_rows: { id: number; name: string; created_at: Date };
}
