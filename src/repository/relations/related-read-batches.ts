import { dataException } from '../../errors/statement-refused.js';
import { canonicalKey, rowKey } from '../canonical-key.js';
import type { TableColumns } from '../column-types.js';
import type { StatementShape } from '../shape-cache.js';
import { TickBatches, type Waiter } from '../tick-batches.js';

type Loose = Record<string, unknown>;

/** A relation statement's rows and its SQL (for `explain`). */
export interface RelatedRows {
  readonly sql: string;
  readonly rows: Loose[];
}

/** One relation read waiting on a batch: its keys in their canonical spelling. */
interface PendingRelated {
  readonly keys: ReadonlySet<string>;
  readonly column: string;
  readonly run: (keys: readonly unknown[]) => Promise<RelatedRows>;
  readonly waiter: Waiter<RelatedRows>;
}

/** One batchable relation read: its statement's shape and values less the key array, and how to run it. */
export interface BatchableRead {
  /** The related `where`, scope and soft delete, the key column and the order; not the keys. */
  readonly shape: StatementShape;
  readonly column: string;
  readonly keys: readonly unknown[];
  readonly columns: TableColumns;
  /** Runs the statement with `keys` as its key array. */
  readonly run: (keys: readonly unknown[]) => Promise<RelatedRows>;
}

/** Most reads one statement answers; more in the same tick start another. */
const MAX_READS = 64;

/**
 * Same-tick relation reads (`column = any($1)`, no per-key limit) of one related table,
 * outside transactions, with the same statement shape and values: one statement with the
 * union of their keys instead of one each. This runs below the related repository's
 * middleware, so every read still reaches it as its own `findMany`. Each caller gets the
 * rows its own statement would have returned, in the statement's order (copies when
 * another caller already has the row); a value the key's type refuses (SQLSTATE class 22)
 * makes every read run alone, so only its own caller sees that error.
 */
export class RelatedReadBatches {
  readonly #batches = new TickBatches<PendingRelated>(MAX_READS, (entries) => void this.#flush(entries));

  /** The rows, through a batch; undefined when this read cannot be batched (run it alone). */
  load(read: BatchableRead): Promise<RelatedRows> | undefined {
    const keys = new Set<string>();
    for (const key of read.keys) {
      const canonical = canonicalKey(key, read.columns, read.column);
      if (canonical === undefined) return undefined;
      keys.add(canonical);
    }
    const values = valuesKey(read.shape.parameters);
    if (values === undefined) return undefined;
    return new Promise((resolve, reject) => {
      const entry = { keys, column: read.column, run: read.run, waiter: { resolve, reject } };
      this.#batches.add(`${read.shape.key}\u0000${JSON.stringify(read.column)}\u0000${values}`, entry);
    });
  }

  async #flush(entries: readonly PendingRelated[]): Promise<void> {
    const first = entries[0]!;
    const union = new Set<string>();
    for (const entry of entries) for (const key of entry.keys) union.add(key);
    let result: RelatedRows;
    try {
      result = await first.run([...union]);
    } catch (error) {
      if (entries.length > 1 && dataException(error)) {
        for (const entry of entries) void alone(entry);
        return;
      }
      for (const entry of entries) entry.waiter.reject(error);
      return;
    }
    if (entries.length === 1) {
      first.waiter.resolve(result);
      return;
    }
    const taken = new Set<Loose>();
    for (const entry of entries) {
      const mine: Loose[] = [];
      for (const row of result.rows) {
        if (!entry.keys.has(rowKey(row[first.column]))) continue;
        // One object per caller, as separate statements would give.
        mine.push(taken.has(row) ? { ...row } : row);
        taken.add(row);
      }
      entry.waiter.resolve({ sql: result.sql, rows: mine });
    }
  }
}

async function alone(entry: PendingRelated): Promise<void> {
  try {
    entry.waiter.resolve(await entry.run([...entry.keys]));
  } catch (error) {
    entry.waiter.reject(error);
  }
}

/** The statement's other values as one string; undefined when one is not a plain scalar (then no batch). */
function valuesKey(parameters: readonly unknown[]): string | undefined {
  let key = '';
  for (const value of parameters) {
    if (value === null) key += 'null;';
    else if (
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'bigint' ||
      typeof value === 'boolean'
    )
      key += `${typeof value}:${JSON.stringify(String(value))};`;
    else return undefined;
  }
  return key;
}
