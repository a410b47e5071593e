import { type Kysely, sql } from 'kysely';

import type { LooseDB } from './kysely-conditions.js';
import { SQL_NOW } from './timestamps.js';

/** PostgreSQL's limit on bind parameters in one statement. */
export const MAX_PARAMETERS = 65_535;

/**
 * Multi-row INSERTs, as few as the parameter limit allows, one round trip each.
 * More than one chunk runs in a transaction (a savepoint inside an ambient one), so
 * the batch is all or nothing. Rows come back in input order.
 */
export async function insertInChunks<R>(args: {
  /** Runs a multi-chunk batch all or nothing (db.transaction). */
  inTransaction: <T>(work: () => Promise<T>) => Promise<T>;
  kysely: Kysely<LooseDB>;
  table: string;
  /** Rows that give no column at all insert `DEFAULT` into it (`VALUES (DEFAULT), (DEFAULT)`). */
  primaryKey: string;
  rows: ReadonlyArray<Record<string, unknown>>;
  nowColumns: readonly string[];
}): Promise<R[]> {
  const { inTransaction, kysely, table, nowColumns } = args;
  if (args.rows.length === 0) return [];
  const boundColumns = new Set(args.rows.flatMap((row) => Object.keys(row)));
  // Every row empty (all columns defaulted): an INSERT needs at least one column, so name
  // the primary key with DEFAULT, the multi-row form of DEFAULT VALUES.
  const rows =
    boundColumns.size === 0 && nowColumns.length === 0
      ? args.rows.map(() => ({ [args.primaryKey]: sql`default` }))
      : args.rows;
  const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, boundColumns.size)));
  const chunks: Array<ReadonlyArray<Record<string, unknown>>> = [];
  for (let start = 0; start < rows.length; start += perChunk) chunks.push(rows.slice(start, start + perChunk));

  const insertAll = async (): Promise<R[]> => {
    const inserted: R[] = [];
    for (const chunk of chunks) {
      const values = chunk.map((row) => {
        const withNow: Record<string, unknown> = { ...row };
        for (const column of nowColumns) if (!(column in withNow)) withNow[column] = SQL_NOW;
        return withNow;
      });
      inserted.push(...((await kysely.insertInto(table).values(values).returningAll().execute()) as R[]));
    }
    return inserted;
  };
  return chunks.length === 1 ? insertAll() : inTransaction(insertAll);
}
