import type { PgDriver } from '../driver/pg-driver.js';
import { ConnectionError, PoolTimeoutError } from '../errors/connection-errors.js';
import type { TransactionOptions } from '../transaction/transaction-options.js';
import { transactionStorage } from '../transaction/transaction-storage.js';
import type { ReplicaSet } from './replica-set.js';
import { inReadOperation, primaryForced } from './routing-context.js';

/** What the work of a read transaction may do with its handle: set a local setting. */
export interface ReadTransactionHandle {
  setLocal(name: string, value: string): Promise<void>;
}

/** The database's transaction runner, as used here (`TransactionRunner.runOn`). */
export interface ReadTransactionRunner {
  /** Runs `fn` as an outermost transaction on a connection of `driver`. */
  runOn<T>(driver: PgDriver, fn: (tx: ReadTransactionHandle) => Promise<T>, options: TransactionOptions): Promise<T>;
}

export interface ReplicaReadTransactionsOptions {
  replicas: ReplicaSet;
  primary: PgDriver;
  runner: ReadTransactionRunner;
}

const READ_ONLY: TransactionOptions = Object.freeze({ accessMode: 'read only' });

/**
 * Short READ ONLY transactions that a repository read needs only for a transaction-local
 * setting (the tenant filter's RLS mode), routed like a plain read: to a replica that
 * `ReplicaSet.pick` chooses (round robin or `pickReplica`, `up` only, caught up with the
 * context's consistency token), else the primary, or `ConnectionError` under
 * `replicaFallback: 'error'`. A replica that fails with a connection error is taken out
 * and the transaction runs again on another replica or the primary: it is read only and
 * its result has not reached the caller, so running it again is safe.
 */
export class ReplicaReadTransactions {
  readonly #options: ReplicaReadTransactionsOptions;

  constructor(options: ReplicaReadTransactionsOptions) {
    this.#options = options;
  }

  async run<T>(fn: (tx: ReadTransactionHandle) => Promise<T>): Promise<T> {
    const { replicas, primary, runner } = this.#options;
    for (;;) {
      const node = await replicas.pick();
      if (node === undefined) return runner.runOn(primary, fn, READ_ONLY);
      try {
        const value = await runner.runOn(node.driver, fn, READ_ONLY);
        node.reads += 1;
        return value;
      } catch (error) {
        if (!(error instanceof ConnectionError || error instanceof PoolTimeoutError)) throw error;
        node.markDown(error);
        if (replicas.fallback === 'error' && !replicas.nodes.some((each) => each.state === 'up')) throw error;
      }
    }
  }
}

const registered = new WeakMap<object, ReplicaReadTransactions>();

/** Called by a database with replicas, once. */
export function registerReplicaReadTransactions(owner: object, options: ReplicaReadTransactionsOptions): void {
  registered.set(owner, new ReplicaReadTransactions(options));
}

/**
 * The routed read transactions of `owner` when a transaction opened here may go to a
 * replica: a repository read operation, not forced to the primary (`db.primary()`,
 * `{ consistency: 'strong' }`, a write), and no transaction ambient (of any database, as
 * for plain reads, which then use the ambient provider). Undefined: use `db.transaction()`.
 */
export function routedReadTransactions(owner: object): ReplicaReadTransactions | undefined {
  const transactions = registered.get(owner);
  if (transactions === undefined || transactionStorage.getStore() !== undefined) return undefined;
  return inReadOperation(owner) && !primaryForced(owner) ? transactions : undefined;
}
