import { CompiledQuery, type QueryResult } from 'kysely';

import { statementRefused } from '../errors/statement-refused.js';
import type { HotStatements } from './hot-statements.js';
import { TickBatches, type Waiter } from './tick-batches.js';

type Loose = Record<string, unknown>;

interface PendingInsert {
  readonly columns: readonly string[];
  readonly nowColumns: readonly string[];
  readonly parameters: readonly unknown[];
  readonly waiter: Waiter<Loose>;
}

const firstRow = ({ rows }: QueryResult<Loose>): Loose => rows[0] as Loose;

/** Most rows one coalesced insert carries, and the bind parameters it may use (the protocol allows 65,535). */
const MAX_ROWS = 500;
const MAX_PARAMETERS = 60_000;

/**
 * Same-tick `create` calls of one repository, outside transactions, with the same columns:
 * one `insert ... values (..), (..) returning *`. PostgreSQL returns the rows of an
 * `INSERT ... VALUES` in the order of its VALUES list (not promised by the SQL standard,
 * but how the executor works; the tests check it on hundreds of rows), so row i goes to
 * caller i. When the server refuses the statement (a duplicate key in one row, a check
 * violation, ...) it wrote nothing, so every row is inserted again on its own and each
 * caller gets exactly its own row or its own typed error. A lost connection is not
 * retried: the statement may have committed.
 */
export class CreateBatches {
  readonly #batches = new TickBatches<PendingInsert>(MAX_ROWS, (entries) => void this.#flush(entries));

  constructor(
    private readonly execute: (compiled: CompiledQuery) => Promise<QueryResult<Loose>>,
    private readonly hot: HotStatements,
  ) {}

  /** The inserted row, through a batch of inserts with the same columns. */
  insert(columns: readonly string[], nowColumns: readonly string[], parameters: readonly unknown[]): Promise<Loose> {
    return new Promise((resolve, reject) => {
      const limit = Math.floor(MAX_PARAMETERS / Math.max(1, columns.length));
      this.#batches.add(
        `${columns.join(',')}|${nowColumns.join(',')}`,
        { columns, nowColumns, parameters, waiter: { resolve, reject } },
        limit,
      );
    });
  }

  /** One row alone, with the plain single-row statement (not async: one `.then`, no async function and await). */
  one(columns: readonly string[], nowColumns: readonly string[], parameters: readonly unknown[]): Promise<Loose> {
    const sql = this.hot.insert(columns, nowColumns);
    return this.execute(CompiledQuery.raw(sql, [...parameters])).then(firstRow);
  }

  async #flush(entries: readonly PendingInsert[]): Promise<void> {
    if (entries.length === 1) return this.#alone(entries[0] as PendingInsert);
    const { columns, nowColumns } = entries[0] as PendingInsert;
    let rows: readonly Loose[];
    try {
      const sql = this.hot.insertRows(columns, nowColumns, entries.length);
      const parameters = entries.flatMap((entry) => entry.parameters);
      ({ rows } = await this.execute(CompiledQuery.raw(sql, parameters)));
    } catch (error) {
      if (statementRefused(error)) for (const entry of entries) void this.#alone(entry);
      else for (const entry of entries) entry.waiter.reject(error);
      return;
    }
    entries.forEach((entry, index) => entry.waiter.resolve(rows[index] as Loose));
  }

  async #alone(entry: PendingInsert): Promise<void> {
    try {
      entry.waiter.resolve(await this.one(entry.columns, entry.nowColumns, entry.parameters));
    } catch (error) {
      entry.waiter.reject(error);
    }
  }
}
