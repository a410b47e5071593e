import { MiddlewareError } from '../errors/middleware-error.js';
import { OPERATIONS } from './operations.js';
import type {
  OperationDefinition,
  OperationKind,
  OperationRows,
  RepositoryDescriptor,
  RepositoryMiddleware,
  RepositoryOperation,
  ScopeContext,
  SessionControl,
  TransactionHooks,
} from './repository-middleware.js';

/** The merged scope of a chain for one operation; middleware order decides conflicts (later wins). */
export function collectScope(
  middleware: readonly RepositoryMiddleware[],
  context: ScopeContext,
): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const each of middleware) Object.assign(scope, each.scope?.(context));
  return scope;
}

/**
 * Runs `operation` through the chain, first middleware outermost, ending in `execute`
 * (the repository's own implementation, which reads the possibly rewritten args).
 * With no middleware this is a single call, so an empty chain costs nothing measurable.
 */
export function runMiddleware<T>(
  middleware: readonly RepositoryMiddleware[],
  init: {
    kind: OperationKind;
    args: unknown[];
    repository: RepositoryDescriptor;
    /**
     * Resolves the ambient transaction when middleware asks, in ITS async context: a
     * middleware that opens a transaction around `next()` (the tenant filter in rls
     * mode) is then seen by the middleware after it, so their after-commit work waits
     * for that commit.
     */
    transaction: (() => TransactionHooks | undefined) | undefined;
    /** SQL repositories pass one; the in-memory fake does not. */
    session?: SessionControl;
    /** Row access for writes (undefined for reads), built when a middleware first asks. */
    rows?: (operation: RepositoryOperation) => OperationRows | undefined;
  },
  execute: (operation: RepositoryOperation) => Promise<T>,
): Promise<T> {
  let operation: RepositoryOperation;
  try {
    operation = createOperation(middleware, init);
  } catch (error) {
    // A scope refusing the operation (no tenant) must reject, never throw synchronously.
    // Whatever was thrown reaches the caller as is (a non-Error too, never a wrapper).
    return Promise.reject(error); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- the thrown value itself, by contract
  }
  const dispatch = (index: number): Promise<unknown> => {
    const next = middleware[index];
    if (next === undefined) return execute(operation);
    if (next.handle === undefined) return dispatch(index + 1);
    let called = false;
    try {
      return next.handle(operation, () => {
        if (called) {
          return Promise.reject(
            new MiddlewareError(`Middleware "${next.name}" called next() twice: the operation runs once per call`, {
              middleware: next.name,
            }),
          );
        }
        called = true;
        return dispatch(index + 1);
      });
    } catch (error) {
      return Promise.reject(error); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- the thrown value itself, by contract
    }
  };
  return dispatch(0) as Promise<T>;
}

function createOperation(
  middleware: readonly RepositoryMiddleware[],
  init: Parameters<typeof runMiddleware>[1],
): RepositoryOperation {
  const scope =
    middleware.length === 0
      ? EMPTY_SCOPE
      : Object.freeze(
          collectScope(middleware, {
            kind: init.kind,
            repository: init.repository,
            database: init.session !== undefined,
          }),
        );
  return new Operation(init, scope);
}

/**
 * One operation as middleware sees it. A class, not an object literal with getters: V8
 * builds such a literal in dictionary mode, so every property read downstream was a hash
 * lookup and each call's objects survived a scavenge (test/unit/operation-shape.test.ts).
 * Its fields mirror `RepositoryOperation`, the public contract it implements.
 */
class Operation implements RepositoryOperation {
  readonly kind: OperationKind;
  readonly definition: OperationDefinition;
  readonly table: string;
  args: unknown[];
  readonly repository: RepositoryDescriptor;
  readonly scope: Readonly<Record<string, unknown>>;
  readonly session: SessionControl | undefined;
  readonly #init: Parameters<typeof runMiddleware>[1];
  #rows: { value: OperationRows | undefined } | undefined;

  constructor(init: Parameters<typeof runMiddleware>[1], scope: Readonly<Record<string, unknown>>) {
    this.kind = init.kind;
    this.definition = OPERATIONS[init.kind];
    this.table = init.repository.table;
    this.args = init.args;
    this.repository = init.repository;
    this.scope = scope;
    this.session = init.session;
    this.#init = init;
  }

  get transaction(): TransactionHooks | undefined {
    return this.#init.transaction?.();
  }

  get rows(): OperationRows | undefined {
    return (this.#rows ??= { value: this.#init.rows?.(this) }).value;
  }
}

const EMPTY_SCOPE: Readonly<Record<string, unknown>> = Object.freeze({});
