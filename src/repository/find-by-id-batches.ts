import { CompiledQuery, type QueryResult } from 'kysely';

import { dataException } from '../errors/statement-refused.js';
import { canonicalKey, matchKey, rowKey, type ScopeKey, scopeKey } from './canonical-key.js';
import type { TableColumns } from './column-types.js';
import type { Condition } from './filter-condition.js';
import { filterValues, type HotStatements } from './hot-statements.js';
import { TickBatches, type Waiter } from './tick-batches.js';

type Loose = Record<string, unknown>;

interface PendingRead {
  readonly key: unknown;
  readonly canonical: string;
  readonly scope: ScopeKey;
  /** The id and this call's scope values (`matchKey`): which returned row is this caller's. */
  readonly match: string;
  readonly filters: readonly Condition[];
  readonly waiter: Waiter<Loose | undefined>;
}

const firstRow = ({ rows }: QueryResult<Loose>): Loose | undefined => rows[0];

/** Most ids one `= any($1)` carries; more in the same tick start another statement. */
const MAX_IDS = 500;

/**
 * Same-tick `findById` calls of one repository, outside transactions, with filters of
 * the same shape (tenant scope, soft delete): one `select * from t where pk = any($1) and
 * ...` instead of one statement each. Equality filters may differ in value (tenants of
 * filter mode): each becomes `col = any($n)` of the batch's values, and a returned row
 * goes only to the callers whose id and scope values it carries itself (so a row of
 * another tenant, same id or not, reaches nobody). Each caller gets what its own call
 * would have returned: its row (a copy when several asked for the same id in the same
 * scope), undefined for a missing or hidden row, and the statement's error. A value a
 * column's type refuses (SQLSTATE class 22) is a property of one call, so then every
 * (id, scope) runs alone and only its callers see that error.
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
    if (canonical === undefined) return undefined;
    const scope = scopeKey(filters, columns);
    const match = scope === undefined ? undefined : matchKey(canonical, scope.values);
    if (scope === undefined || match === undefined) return undefined;
    return new Promise((resolve, reject) => {
      this.#batches.add(scope.shape, { key, canonical, scope, match, filters, waiter: { resolve, reject } });
    });
  }

  /** One id alone, with the plain `pk = $1` statement (not async: one `.then`, no async function and await). */
  one(key: unknown, filters: readonly Condition[]): Promise<Loose | undefined> {
    const statement = this.hot.findById(filters);
    return this.execute(CompiledQuery.raw(statement.sql, statement.values(key))).then(firstRow);
  }

  async #flush(entries: readonly PendingRead[]): Promise<void> {
    const byMatch = new Map<string, PendingRead[]>();
    for (const entry of entries) {
      const same = byMatch.get(entry.match);
      if (same === undefined) byMatch.set(entry.match, [entry]);
      else same.push(entry);
    }
    const groups = [...byMatch.values()];
    if (groups.length === 1) return this.#alone(groups[0] as PendingRead[]);
    const { filters, scoped } = batchFilters(entries);
    let rows: readonly Loose[];
    try {
      const sql = this.hot.findByIds(filters);
      const keys = distinct(entries.map((entry) => entry.canonical));
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
    for (const row of rows) {
      const match = matchKey(
        rowKey(row[this.primaryKey]),
        scoped.map((column) => row[column]),
      );
      // The first row of a key, as `rows[0]` of a separate call.
      if (match !== undefined && !found.has(match)) found.set(match, row);
    }
    for (const [match, group] of byMatch) settle(group, found.get(match));
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

/**
 * The batch's filters: each equality whose value differs between callers (`scopeKey`)
 * becomes `= any(...)` of the callers' values; `scoped` names those columns, in the order
 * of the values in each caller's match key.
 */
function batchFilters(entries: readonly PendingRead[]): { filters: Condition[]; scoped: string[] } {
  const first = entries[0] as PendingRead;
  const filters = [...first.filters];
  const scoped: string[] = [];
  first.scope.scoped.forEach((index, position) => {
    const { column } = filters[index] as Condition & { column: string };
    scoped.push(column);
    const values = distinct(entries.map((entry) => entry.scope.values[position]));
    // One value for all (one tenant): the plain `= $n`, as before.
    if (values.length > 1) filters[index] = { column, op: 'in', values };
  });
  return { filters, scoped };
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** Every caller of one id gets the row; callers after the first get their own copy, as separate calls would. */
function settle(group: readonly PendingRead[], row: Loose | undefined): void {
  group.forEach((entry, index) => entry.waiter.resolve(row === undefined || index === 0 ? row : { ...row }));
}
