import type { Database } from '../database.js';
import type { DatabaseTransaction } from '../transaction/database-transaction.js';

/** Thrown inside the transaction to force its rollback; never escapes `withRollback`. */
class RollbackRequested extends Error {
  constructor() {
    super('withRollback: rolling back the test transaction');
  }
}

/**
 * Runs `fn` in a transaction that is always rolled back, and returns what `fn` returned:
 * an integration test that leaves no data behind, however it writes. Code under test
 * that calls `db.transaction()` gets savepoints inside it, and repositories and
 * `db.kysely` use it ambiently. `afterCommit` hooks never run (nothing commits);
 * `afterRollback` hooks do.
 *
 * ```ts
 * it('creates an order', () =>
 *   withRollback(db, async () => {
 *     const order = await service.placeOrder(input)
 *     expect(await orders.getById(order.id)).toMatchObject({ status: 'placed' })
 *   }))
 * ```
 */
export async function withRollback<DB, T>(db: Database<DB>, fn: (tx: DatabaseTransaction<DB>) => Promise<T>): Promise<T> {
  const rollback = new RollbackRequested();
  let result: { value: T } | undefined;
  try {
    await db.transaction(async (tx) => {
      result = { value: await fn(tx) };
      throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  if (result === undefined) throw new Error('withRollback: the callback did not complete');
  return result.value;
}
