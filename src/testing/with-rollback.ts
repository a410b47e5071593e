import type { Database } from '../database.js';
import { TransactionError } from '../errors/application-errors.js';
import type { DatabaseTransaction } from '../transaction/database-transaction.js';
import type { TransactionOptions } from '../transaction/transaction-options.js';
import { ambientScope } from '../transaction/transaction-storage.js';

/**
 * Options of the per-test transaction itself (the outermost one, which always rolls back).
 *
 * @example
 * ```ts
 * const options: WithRollbackOptions = { isolationLevel: 'repeatable read', statementTimeoutMs: 5_000 }
 * it('creates an order', () =>
 *   withRollback(db, async () => {
 *     await orders.create(input)
 *     expect(await orders.count()).toBe(1)
 *   }, options))
 * ```
 */
export type WithRollbackOptions = Pick<
  TransactionOptions,
  'isolationLevel' | 'accessMode' | 'statementTimeoutMs' | 'signal'
>;

const ALLOWED_OPTIONS: ReadonlySet<string> = new Set(['isolationLevel', 'accessMode', 'statementTimeoutMs', 'signal']);

/** Thrown inside the transaction to force its rollback; never escapes `withRollback`. */
class RollbackRequested extends Error {
  constructor() {
    super('withRollback: rolling back the test transaction');
  }
}

/**
 * Runs `fn` in a transaction that is always rolled back, and returns what `fn` returned:
 * an integration test that leaves no data behind, however it writes. Repositories and
 * `db.kysely` use it ambiently. The code under test runs unchanged: its own
 * `db.transaction(work, options)` calls become savepoints inside it and accept every
 * option (`isolationLevel` and `accessMode` are the per-test transaction's, `retries`
 * re-runs the savepoint, `statementTimeoutMs` applies to the savepoint; see
 * docs/testing.md). `afterCommit` hooks never run (nothing commits); `afterRollback`
 * hooks do. Misuse (no function, a `db` that is not a Database, an unknown option) is a
 * `TransactionError`, and a query the test did not await fails with `TransactionError`
 * instead of running after the rollback.
 *
 * @example
 * ```ts
 * it('places an order at serializable, as production does', () =>
 *   withRollback(db, async () => {
 *     const order = await service.placeOrder(input) // calls db.transaction(fn, { isolationLevel: 'serializable', retries: 3 })
 *     expect(await orders.getById(order.id)).toMatchObject({ status: 'placed' })
 *   }, { isolationLevel: 'serializable' }))
 * ```
 */
export async function withRollback<DB, T>(
  db: Database<DB>,
  fn: (tx: DatabaseTransaction<DB>) => Promise<T> | T,
  options: WithRollbackOptions = {},
): Promise<T> {
  if (typeof (db as Partial<Database<DB>> | null | undefined)?.transaction !== 'function') {
    throw new TransactionError('withRollback(db, fn): db must be a Database from createDatabase()');
  }
  if (typeof fn !== 'function')
    throw new TransactionError('withRollback(db, fn): fn must be a function (the test body)');
  checkOptions(options);
  const rollback = new RollbackRequested();
  let result: { value: T } | undefined;
  try {
    await db.transaction(async (tx) => {
      // The scope just opened (this database's innermost): nested transactions in it are lenient.
      ambientScope(db)?.markPerTest();
      result = { value: await fn(tx) };
      throw rollback;
    }, options);
  } catch (error) {
    if (error !== rollback) throw error;
  }
  if (result === undefined)
    throw new TransactionError('withRollback: the test transaction ended without running its callback to the end');
  return result.value;
}

function checkOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null)
    throw new TransactionError('withRollback(db, fn, options): options must be an object');
  for (const key of Object.keys(options)) {
    if (ALLOWED_OPTIONS.has(key)) continue;
    const why =
      key === 'retries'
        ? 'the per-test transaction never commits, so it has nothing to retry (retries of the code under test still apply to its own db.transaction calls)'
        : `unknown option (expected ${[...ALLOWED_OPTIONS].join(', ')})`;
    throw new TransactionError(`Invalid withRollback option "${key}": ${why}`);
  }
}
