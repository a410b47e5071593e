import type { PgConnection } from '../driver/pg-connection.js';
import { TransactionError } from '../errors/application-errors.js';
import { FifoLock } from './fifo-lock.js';
import { LocalSettings, type StatementSettings } from './local-settings.js';
import { ScopeConnection, setScopeLocal } from './scope-connection.js';
import type { TransactionSettings } from './transaction-options.js';

/**
 * A function `afterCommit` runs once after the outermost transaction commits; a failing
 * hook is logged and never fails the commit.
 *
 * @example
 * ```ts
 * const notify: AfterCommitHook = () => events.publish('order.created', { id: 1 })
 * await db.transaction(async (tx) => {
 *   await orders.create(input)
 *   tx.afterCommit(notify)
 * })
 * ```
 */
export type AfterCommitHook = () => void | Promise<void>;
/**
 * A function `afterRollback` runs once with the error when the scope's work is rolled back.
 *
 * @example
 * ```ts
 * const onRollback: AfterRollbackHook = (error) => logger.warn({ error }, 'order not placed')
 * await db.transaction(async (tx) => {
 *   tx.afterRollback(onRollback)
 *   await orders.create(input)
 * })
 * ```
 */
export type AfterRollbackHook = (error: unknown) => void | Promise<void>;

type ScopeState = 'active' | 'committed' | 'rolled back';

/**
 * One level of a transaction: the outermost BEGIN, or a SAVEPOINT inside it. Holds the
 * shared connection, this level's hooks, and the lock that serializes nested levels.
 */
export class TransactionScope {
  readonly connection: PgConnection;
  readonly parent: TransactionScope | undefined;
  readonly root: TransactionScope;
  readonly depth: number;
  /** Identifies the Database that opened it: ambient resolution ignores other databases' scopes. */
  readonly owner: object;
  readonly settings: TransactionSettings;
  readonly savepointName: string | undefined;
  /** What was ambient when this scope began (possibly another database's scope). */
  readonly enclosing: TransactionScope | undefined;
  /** Held by an open nested scope; this scope's own statements wait for it. */
  readonly lock = new FifoLock();
  /** Transaction-local settings of this level (see `LocalSettings`). */
  readonly locals: LocalSettings;
  /** What each statement must run with in its context (from the database's middleware). */
  readonly statementSettings: StatementSettings | undefined;
  /** The `tx` handle of this scope, made by its database on first use (one per scope). */
  handle: object | undefined;
  // Made on first registration: most transactions register no hook.
  #afterCommit: Array<Registered<AfterCommitHook>> | undefined;
  #afterRollback: Array<Registered<AfterRollbackHook>> | undefined;
  #hookSequence = 0;
  #state: ScopeState = 'active';
  #abortReason: unknown;
  #aborted = false;
  #savepointCounter = 0;
  /** Set once COMMIT, ROLLBACK, RELEASE or ROLLBACK TO is about to be sent: no statement may start after it. */
  #ending = false;
  #perTest = false;
  #statements: ScopeConnection | undefined;

  constructor(init: {
    connection: PgConnection;
    owner: object;
    settings: TransactionSettings;
    parent?: TransactionScope;
    enclosing: TransactionScope | undefined;
    statementSettings?: StatementSettings;
  }) {
    this.connection = init.connection;
    this.enclosing = init.enclosing;
    this.owner = init.owner;
    this.settings = init.settings;
    this.parent = init.parent;
    this.root = init.parent?.root ?? this;
    this.depth = init.parent ? init.parent.depth + 1 : 0;
    this.savepointName = init.parent ? `dl_sp_${++this.root.#savepointCounter}` : undefined;
    // Created once the parent's lock is held: what the parent knows is in force now.
    this.locals = new LocalSettings(init.parent?.locals);
    this.statementSettings = init.parent ? init.parent.statementSettings : init.statementSettings;
  }

  /** The connection view this scope's statements run through (one per scope, made on first use). */
  get statements(): ScopeConnection {
    return (this.#statements ??= new ScopeConnection(this));
  }

  /** `set_config(name, value, true)` for this level only: put back when it is released. */
  setLocal(name: string, value: string): Promise<void> {
    return setScopeLocal(this, name, value);
  }

  get state(): ScopeState {
    return this.#state;
  }

  get active(): boolean {
    return this.#state === 'active';
  }

  /** Throws unless statements may run in this scope now. */
  assertUsable(): void {
    if (this.#state !== 'active') {
      throw new TransactionError(
        `This transaction has already ${this.#state === 'committed' ? 'committed' : 'rolled back'}; its handle cannot run queries any more`,
      );
    }
    if (this.#aborted) throw abortedError(this.#abortReason);
    if (this.#ending) {
      throw new TransactionError(
        'This transaction is ending: its callback already returned, so a statement started now would run after its COMMIT or ROLLBACK (await every query inside the callback)',
      );
    }
  }

  /** Called right before the scope's closing statement: later statements fail instead of landing after it. */
  end(): void {
    this.#ending = true;
  }

  /** Marks this scope as a per-test transaction (`withRollback`): nested scopes accept options they cannot honour. */
  markPerTest(): void {
    this.#perTest = true;
  }

  /** Whether this scope is, or is nested in, a per-test transaction. */
  get perTest(): boolean {
    return this.#perTest || (this.parent?.perTest ?? false);
  }

  /** Whether `scope` is nested (at any depth) inside this one. */
  encloses(scope: TransactionScope | undefined): boolean {
    for (let current = scope?.parent; current; current = current.parent) if (current === this) return true;
    return false;
  }

  abort(reason: unknown): void {
    this.#aborted = true;
    this.#abortReason = reason;
  }

  get abortError(): TransactionError | undefined {
    return this.#aborted ? abortedError(this.#abortReason) : undefined;
  }

  addAfterCommit(hook: AfterCommitHook): void {
    this.assertUsable();
    (this.#afterCommit ??= []).push({ hook, sequence: this.root.#hookSequence++ });
  }

  addAfterRollback(hook: AfterRollbackHook): void {
    this.assertUsable();
    (this.#afterRollback ??= []).push({ hook, sequence: this.root.#hookSequence++ });
  }

  /** A released savepoint hands its hooks to its parent: they now live or die with it. */
  released(): void {
    this.#state = 'committed';
    const { parent } = this;
    if (!parent) return;
    if (this.#afterCommit) (parent.#afterCommit ??= []).push(...this.#afterCommit.splice(0));
    if (this.#afterRollback) (parent.#afterRollback ??= []).push(...this.#afterRollback.splice(0));
  }

  /** Marks the scope committed (outermost) and returns the hooks to run now. */
  committed(): AfterCommitHook[] {
    this.#state = 'committed';
    this.#afterRollback = undefined;
    return inRegistrationOrder(this.#afterCommit);
  }

  /** Marks the scope rolled back and returns its rollback hooks; commit hooks are dropped. */
  rolledBack(): AfterRollbackHook[] {
    this.#state = 'rolled back';
    this.#afterCommit = undefined;
    return inRegistrationOrder(this.#afterRollback);
  }
}

interface Registered<Hook> {
  hook: Hook;
  /** Hooks of released savepoints join their parent late; this restores registration order. */
  sequence: number;
}

/** Takes the hooks out of `hooks` (emptied: a hook runs once), in registration order. */
function inRegistrationOrder<Hook>(registered: Array<Registered<Hook>> | undefined): Hook[] {
  if (registered === undefined || registered.length === 0) return [];
  const hooks = registered.splice(0);
  return hooks.sort((a, b) => a.sequence - b.sequence).map((entry) => entry.hook);
}

function abortedError(reason: unknown): TransactionError {
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new TransactionError(`Transaction aborted by its signal: ${why}`, { cause: reason });
}
