import { AsyncLocalStorage } from 'node:async_hooks';

import type { TransactionScope } from './transaction-scope.js';

/**
 * The only global state of the library: the innermost transaction scope of the current
 * async context. It follows promises, timers and Promise.all, so code deep inside a
 * `db.transaction()` callback runs on the transaction's connection without a `tx` argument.
 */
export const transactionStorage = new AsyncLocalStorage<TransactionScope>();

/**
 * The innermost open scope of one database (`owner`) in the current async context. Scopes
 * of other databases may sit in between: each scope remembers what was ambient when it began.
 */
export function ambientScope(owner: object): TransactionScope | undefined {
  for (let scope = transactionStorage.getStore(); scope; scope = scope.enclosing) {
    if (scope.owner === owner) return scope;
  }
  return undefined;
}

declare const markBrand: unique symbol;
/**
 * Where in the nesting of transactions something began (opaque); see `transactionMark()`.
 *
 * @example
 * ```ts
 * const mark: TransactionMark = undefined // outside every transaction
 * const setting: LocalSetting = { name: 'app.tenant_id', value: 'acme', since: mark }
 * ```
 */
export type TransactionMark = { readonly [markBrand]: true } | undefined;

/** The current position in the transaction nesting, for a later `begunWithin()`. */
export function transactionMark(): TransactionMark {
  return transactionStorage.getStore() as unknown as TransactionMark;
}

/**
 * Whether `scope` began inside whatever was marked, i.e. `scope` is not the scope that
 * was ambient at the mark nor one that enclosed it.
 */
export function begunWithin(scope: TransactionScope, mark: TransactionMark): boolean {
  for (let current = mark as unknown as TransactionScope | undefined; current; current = current.enclosing) {
    if (current === scope) return false;
  }
  return true;
}
