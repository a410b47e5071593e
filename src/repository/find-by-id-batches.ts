import { CompiledQuery, type QueryResult } from 'kysely';

import { dataException } from '../errors/statement-refused.js';
import { canonicalKey, filtersKey, rowKey } from './canonical-key.js';
import type { TableColumns } from './column-types.js';
import type { Condition } from './filter-condition.js';
import { filterValues, type HotStatements } from './hot-statements.js';
import { TickBatches, type Waiter } from './tick-batches.js';

type Loose = Record<string, unknown>;

interface PendingRead {
  readonly key: unknown;
  readonly canonical: string;
  readonly filters: readonly Condition[];
  readonly waiter: Waiter<Loose | undefined>;
}

const firstRow = ({ rows }: QueryResult<Loose>): Loose | undefined => rows[0];

/** Most ids one `= any($1)` carries; more in the same tick start another statement. */
const MAX_IDS = 500;

/**
 * Same-tick `findById` calls of one repository, outside transactions, with the same
 * filters (tenant scope, soft delete): one `select * from t where pk = any($1) and ...`
 * instead of one statement each. Each caller gets what its own call would have returned:
 * its row (a copy when several asked for the same id), undefined for a missing or hidden
 * row, and the statement's error. A value the key's type refuses (SQLSTATE class 22) is a
 * property of one id, so then every id runs alone and only its callers see that error.
 */
export class FindByIdBatches {
  readonly #batches = new TickBatches<PendingRead>(MAX_IDS, (entries) => void this.#flush(entries));

  constructor(
    private readonly execute: (compiled: CompiledQuery) => Promise<QueryResult<Loose>>,
    private readonly hot: HotStatements,
    private readonly primaryKey: string,
  ) {}

  /** The row, through a batch; undefined when this call cannot be batched (run it alone). */
  load(key: unknown, filters: readonly Condition[], columns: TableColumns): Promise<Loose | undefined> | undefined {
    const canonical = canonicalKey(key, columns, this.primaryKey);
    const scope = canonical === undefined ? undefined : filtersKey(filters);
    if (canonical === undefined || scope === undefined) return undefined;
    return new Promise((resolve, reject) => {
      this.#batches.add(scope, { key, canonical, filters, waiter: { resolve, reject } });
    });
  }

  /** One id alone, with the plain `pk = $1` statement (not async: one `.then`, no async function and await). */
  one(key: unknown, filters: readonly Condition[]): Promise<Loose | undefined> {
    const statement = this.hot.findById(filters);
    return this.execute(CompiledQuery.raw(statement.sql, statement.values(key))).then(firstRow);
  }

  async #flush(entries: readonly PendingRead[]): Promise<void> {
    const byKey = new Map<string, PendingRead[]>();
    for (const entry of entries) {
      const same = byKey.get(entry.canonical);
      if (same === undefined) byKey.set(entry.canonical, [entry]);
      else same.push(entry);
    }
    const groups = [...byKey.values()];
    if (groups.length === 1) return this.#alone(groups[0] as PendingRead[]);
    const { filters } = entries[0] as PendingRead;
    let rows: readonly Loose[];
    try {
      const sql = this.hot.findByIds(filters);
      const keys = [...byKey.keys()];
      ({ rows } = await this.execute(CompiledQuery.raw(sql, [keys, ...filterValues(filters)])));
    } catch (error) {
      if (dataException(error)) {
        for (const group of groups) void this.#alone(group);
        return;
      }
      for (const entry of entries) entry.waiter.reject(error);
      return;
    }
    const found = new Map<string, Loose>();
    for (const row of rows) found.set(rowKey(row[this.primaryKey]), row);
    for (const [canonical, group] of byKey) settle(group, found.get(canonical));
  }

  async #alone(group: readonly PendingRead[]): Promise<void> {
    const first = group[0] as PendingRead;
    try {
      settle(group, await this.one(first.key, first.filters));
    } catch (error) {
      for (const entry of group) entry.waiter.reject(error);
    }
  }
}

/** Every caller of one id gets the row; callers after the first get their own copy, as separate calls would. */
function settle(group: readonly PendingRead[], row: Loose | undefined): void {
  group.forEach((entry, index) => entry.waiter.resolve(row === undefined || index === 0 ? row : { ...row }));
}
