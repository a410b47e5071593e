import { type KyselyProps, Transaction } from 'kysely';

import type { AfterCommitHook, AfterRollbackHook } from './transaction-scope.js';

/** What a handle needs of its scope; keeps driver types out of the public declarations. */
export interface TransactionScopeView {
  readonly depth: number;
  readonly active: boolean;
  addAfterCommit(hook: AfterCommitHook): void;
  addAfterRollback(hook: AfterRollbackHook): void;
  setLocal(name: string, value: string): Promise<void>;
}

/**
 * The handle `db.transaction(fn)` passes to `fn`: a Kysely `Transaction<DB>` bound to
 * this scope, plus after-commit and after-rollback hooks. Using it after its scope
 * ended throws `TransactionError`.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx: DatabaseTransaction<DB>) => {
 *   const order = await tx.insertInto('orders').values(input).returningAll().executeTakeFirstOrThrow()
 *   tx.afterCommit(() => events.publish('order.created', order))
 * })
 * ```
 */
export class DatabaseTransaction<DB> extends Transaction<DB> {
  readonly #scope: TransactionScopeView;

  /** @internal Created by `db.transaction()`. */
  constructor(props: KyselyProps, scope: TransactionScopeView) {
    super(props);
    this.#scope = scope;
  }

  /** 0 for the outermost transaction, 1 for a savepoint inside it, and so on. */
  get depth(): number {
    return this.#scope.depth;
  }

  /** False once this scope committed, was released, or rolled back. */
  get isActive(): boolean {
    return this.#scope.active;
  }

  /**
   * Runs `hook` once, after the outermost transaction commits. Dropped if this scope
   * (or the attempt) rolls back. A failing hook is logged; it never fails the commit.
   *
   * ```ts
   * await db.transaction(async (tx) => {
   *   await tx.insertInto('orders').values(order).execute()
   *   tx.afterCommit(() => queue.publish('order.created', order))
   * })
   * ```
   */
  afterCommit(hook: AfterCommitHook): void {
    this.#scope.addAfterCommit(hook);
  }

  /**
   * `set_config(name, value, true)` for this scope: sent only when the value is not
   * already in force here, and scoped like the transaction itself. The outermost
   * transaction's value ends with it (safe behind PgBouncer); a savepoint's value is
   * undone by its rollback AND put back when it is released, so it never outlives the
   * scope (PostgreSQL alone would keep it after `RELEASE SAVEPOINT`). Change settings
   * only this way: values set by hand-written SQL are not tracked.
   *
   * ```ts
   * await db.transaction(async (tx) => {
   *   await tx.setLocal('app.tenant_id', 'acme')
   *   return sql`select * from orders`.execute(tx) // row-level security sees acme
   * })
   * ```
   */
  setLocal(name: string, value: string): Promise<void> {
    return this.#scope.setLocal(name, value);
  }

  /**
   * Runs `hook(error)` once, when the work of this scope is rolled back: right after
   * its savepoint is rolled back, or after the outermost ROLLBACK. Never after a commit.
   */
  afterRollback(hook: AfterRollbackHook): void {
    this.#scope.addAfterRollback(hook);
  }
}
